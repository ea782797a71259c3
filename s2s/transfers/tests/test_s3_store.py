"""Files in an S3-compatible object store (moto's S3 server, started here): whole, encrypted."""

import io

import pytest

from s2s.transfers.services import transfer_open_for_download, transfer_upload
from s2s.transfers.storage import file_storage
from s2s.transfers.tests.ctfs import ctf, ctf_upns
from s2s.transfers.tests.s3 import MotoS3

NAME = "8383321_CTF_8384512_001.XML"


@pytest.fixture(scope="module")
def moto_s3():
    server = MotoS3().start()
    yield server
    server.stop()


@pytest.fixture
def s3_store(settings, moto_s3):
    """The "transfers" storage is the S3 bucket, emptied first."""
    for key in moto_s3.objects():
        moto_s3.client().delete_object(Bucket="s2s-test-transfers", Key=key)
    settings.STORAGES = {**settings.STORAGES, "transfers": moto_s3.storage_settings()}
    _warm()
    return moto_s3


def _warm() -> None:
    # The store's first use builds boto3's client (a second or more on a busy box), which the
    # readiness check's 2 s would otherwise include; a serving process has long done it.
    file_storage().exists("warm-up")


def test_an_upload_lands_encrypted_in_the_bucket_and_downloads_byte_identical(
        s3_store, sending_school_user, receiving_school_user):
    content = ctf("8383321", "8384512", pupils=3)
    transfer = transfer_upload(user=sending_school_user, name=NAME,
                               content=io.BytesIO(content)).transfer
    (key, stored), = s3_store.objects().items()
    assert key == "transfers/" + transfer.stored_file.path
    assert len(stored) >= len(content)
    for plain in [b"CTfile", b"8383321", *(upn.encode() for upn in ctf_upns(content))]:
        assert plain not in stored
    name, chunks = transfer_open_for_download(user=receiving_school_user, transfer=transfer)
    with chunks:
        assert (name, b"".join(chunks)) == (NAME, content)


def test_readiness_asks_the_bucket(client, db, s3_store):
    response = client.get("/readyz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_readiness_names_the_file_store_when_the_s3_server_stops(client, db, settings):
    server = MotoS3().start()
    try:
        settings.STORAGES = {**settings.STORAGES, "transfers": server.storage_settings()}
        _warm()
        assert client.get("/readyz").status_code == 200
    finally:
        server.stop()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "down": ["file store"]}
