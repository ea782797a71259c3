"""Issue 18: `s2s backup DIR` and `s2s restore DIR`: what is restored downloads byte-identical."""

import io
import json
import shutil

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from s2s.audit.models import AuditEvent
from s2s.transfers.models import StoredFile, Transfer
from s2s.transfers.tests.conftest import KEY_A, KEY_A_ID, KEY_B, KEY_B_ID, stored_objects
from s2s.transfers.tests.ctfs import ctf

pytestmark = pytest.mark.django_db(transaction=True)


def _run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


def _point_store_at(settings, location):
    settings.STORAGES = {**settings.STORAGES, "transfers": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": location}}}


@pytest.fixture
def sent(upload, settings, sending_school_user, receiving_school):
    """Two files to one school: the first under master key A, the second under B."""
    first = ctf("8383321", "8384512", pupils=2)
    second = ctf("8383321", "8384512", pupils=3)
    one = upload(sending_school_user, "8383321_CTF_8384512_001.XML", first).transfer
    settings.ENCRYPTION_KEY, settings.ENCRYPTION_OLD_KEYS = KEY_B, [KEY_A]
    two = upload(sending_school_user, "8383321_CTF_8384512_002.XML", second).transfer
    return {one.pk: first, two.pk: second}


def _download(client, user, pk) -> bytes:
    client.force_login(user)
    response = client.get(reverse("transfers:download", args=[pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_a_backup_restores_into_an_empty_store_and_database_and_downloads_the_same_bytes(
    sent, settings, tmp_path, file_store, client, receiving_school_user
):
    backup = tmp_path / "backup"
    output = _run("backup", str(backup))
    assert f"wrapped by master key(s): {KEY_B_ID} (1), {KEY_A_ID} (1)." in output
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["master_keys"]["objects_by_key_id"] == {KEY_A_ID: 1, KEY_B_ID: 1}
    assert KEY_A not in (backup / "manifest.json").read_text()  # ids only, never the keys
    events_before = AuditEvent.objects.count()

    # Disaster: the database emptied, the file store gone; a new, empty one in its place.
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(file_store)
    new_store = tmp_path / "new-files"
    _point_store_at(settings, new_store)
    assert not Transfer.objects.exists()

    output = _run("restore", str(backup))
    assert "Restored 2 files" in output
    assert f"The audit chain holds: {events_before} rows checked." in output
    assert len(stored_objects(new_store)) == 2
    for pk, content in sent.items():
        assert _download(client, receiving_school_user, pk) == content


def test_restore_refuses_a_database_that_holds_data_unless_forced(
    sent, tmp_path, client, receiving_school_user, upload, sending_school_user
):
    backup = tmp_path / "backup"
    _run("backup", str(backup))
    later = upload(sending_school_user, "8383321_CTF_8384512_003.XML",
                   ctf("8383321", "8384512", pupils=1)).transfer
    with pytest.raises(CommandError, match="The database already holds data .* restore "
                                           "refuses to write over it"):
        _run("restore", str(backup))
    assert Transfer.objects.filter(pk=later.pk).exists()  # nothing touched

    _run("restore", str(backup), "--force")
    assert not Transfer.objects.filter(pk=later.pk).exists()  # back to the backup's moment
    assert set(Transfer.objects.values_list("pk", flat=True)) == set(sent)
    for pk, content in sent.items():
        assert _download(client, receiving_school_user, pk) == content


def test_restore_refuses_without_the_master_keys_the_backup_names(sent, settings, tmp_path):
    backup = tmp_path / "backup"
    _run("backup", str(backup))
    call_command("flush", interactive=False, verbosity=0)
    settings.ENCRYPTION_OLD_KEYS = []  # key A lost
    with pytest.raises(CommandError, match=f"master key\\(s\\) {KEY_A_ID}, which are not "
                                           "configured"):
        _run("restore", str(backup))
    assert not StoredFile.objects.exists()


def test_a_damaged_backup_object_is_refused(sent, tmp_path, settings):
    backup = tmp_path / "backup"
    _run("backup", str(backup))
    damaged = next(p for p in (backup / "objects").rglob("*.s2se"))
    damaged.write_bytes(damaged.read_bytes()[:-1] + b"!")
    call_command("flush", interactive=False, verbosity=0)
    _point_store_at(settings, tmp_path / "new-files")
    with pytest.raises(CommandError, match="is missing or damaged"):
        _run("restore", str(backup))


def test_a_backup_goes_only_into_a_new_or_empty_directory(sent, tmp_path):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("keep me")
    with pytest.raises(CommandError, match="is not empty"):
        _run("backup", str(tmp_path / "used"))
    with pytest.raises(CommandError, match="holds no s2s backup"):
        _run("restore", str(tmp_path / "used"))


@pytest.fixture
def s3(settings):
    """An S3 bucket (moto, in process) as the transfers storage; return a way to change bucket."""
    boto3 = pytest.importorskip("boto3")
    moto = pytest.importorskip("moto")
    with moto.mock_aws():
        client = boto3.client("s3", region_name="eu-west-2")

        def use(bucket: str):
            client.create_bucket(Bucket=bucket, CreateBucketConfiguration={
                "LocationConstraint": "eu-west-2"})
            settings.STORAGES = {**settings.STORAGES, "transfers": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {"bucket_name": bucket, "location": "transfers",
                            "region_name": "eu-west-2", "access_key": "testing",
                            "secret_key": "testing"}}}
            return client

        use("s2s-files")
        yield use


def test_a_backup_from_s3_restores_into_an_empty_bucket(
    s3, upload, tmp_path, client, sending_school_user, receiving_school_user
):
    content = ctf("8383321", "8384512", pupils=2)
    pk = upload(sending_school_user, "8383321_CTF_8384512_001.XML", content).transfer.pk
    backup = tmp_path / "backup"
    assert "Backed up 1 files" in _run("backup", str(backup))
    assert len(list((backup / "objects").rglob("*.s2se"))) == 1

    call_command("flush", interactive=False, verbosity=0)
    bucket = s3("s2s-files-restored")
    assert "Restored 1 files" in _run("restore", str(backup))
    listed = bucket.list_objects_v2(Bucket="s2s-files-restored")["Contents"]
    assert [o["Key"].startswith("transfers/") for o in listed] == [True]
    assert _download(client, receiving_school_user, pk) == content
