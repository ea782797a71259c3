import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from s2s.transfers.models import Transfer, TransferStatus
from s2s.transfers.tests.ctfs import ctf


def _file(name, content):
    return SimpleUploadedFile(name, content, content_type="application/xml")


def test_the_whole_flow_from_school_a_to_school_b_and_school_c_sees_nothing(
    client, sending_school_user, receiving_school_user, outsider_school_user
):
    content = ctf("8383321", "8384512", pupils=2)
    client.force_login(sending_school_user)
    response = client.post(reverse("transfers:upload"), {"files": [
        _file("8383321_CTF_8384512_001.XML", content),
        _file("8383321_CTF_8389999_002.XML", ctf("8383321", "8389999")),
    ]}, follow=True)
    page = response.content.decode()
    assert "1 file accepted" in page
    assert "1 file refused" in page
    assert "There is no establishment 8389999 on s2s" in page
    transfer = Transfer.objects.get()
    outbox = client.get(reverse("transfers:outbox")).content.decode()
    assert transfer.name in outbox
    assert "Waiting to be downloaded" in outbox

    client.force_login(outsider_school_user)
    for url in (reverse("transfers:detail", args=[transfer.pk]),
                reverse("transfers:download", args=[transfer.pk])):
        assert client.get(url).status_code == 404
    assert transfer.name not in client.get(reverse("transfers:inbox")).content.decode()

    client.force_login(receiving_school_user)
    assert transfer.name in client.get(reverse("transfers:inbox")).content.decode()
    download = client.get(reverse("transfers:download", args=[transfer.pk]))
    assert download["Content-Disposition"] == f'attachment; filename="{transfer.name}"'
    assert b"".join(download.streaming_content) == content
    response = client.post(reverse("transfers:collect", args=[transfer.pk]), follow=True)
    assert "marked as collected" in response.content.decode()
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.COLLECTED
    assert transfer.collected_by == receiving_school_user


def test_choosing_no_file_shows_the_error_summary(client, sending_school_user):
    client.force_login(sending_school_user)
    page = client.post(reverse("transfers:upload"), {}).content.decode()
    assert "There is a problem" in page
    assert "Choose one or more files to upload" in page


def test_the_upload_page_loads_the_progress_script_and_works_without_it(
    client, sending_school_user
):
    client.force_login(sending_school_user)
    page = client.get(reverse("transfers:upload")).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert "<progress" in page
    assert "transfers/upload.mjs" in page


def test_the_inbox_downloads_the_chosen_files_as_one_zip(
    client, upload, sending_school_user, receiving_school_user
):
    first = upload(sending_school_user, "8383321_CTF_8384512_001.XML",
                   ctf("8383321", "8384512", seed=1)).transfer
    second = upload(sending_school_user, "8383321_CTF_8384512_002.XML",
                    ctf("8383321", "8384512", seed=2)).transfer
    client.force_login(receiving_school_user)
    response = client.post(reverse("transfers:download-zip"), {"ids": [first.pk, second.pk]})
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert sorted(archive.namelist()) == sorted([first.name, second.name])
    response = client.post(reverse("transfers:collect-many"), {"ids": [first.pk, second.pk]},
                           follow=True)
    assert "2 files marked as collected" in response.content.decode()


def test_warnings_are_shown_to_the_receiver(client, upload, sending_school_user,
                                            receiving_school_user):
    content = ctf("8383321", "8384512", pupils=1).replace(b"<PostCode>", b"<PostCode>x")
    transfer = upload(sending_school_user, "8383321_CTF_8384512_001.XML", content).transfer
    client.force_login(receiving_school_user)
    page = client.get(reverse("transfers:detail", args=[transfer.pk])).content.decode()
    assert "is not a UK postcode" in page
    assert "I downloaded it correctly" in page


def test_reject_needs_a_reason_and_the_sender_sees_it(client, upload, sending_school_user,
                                                      receiving_school_user):
    transfer = upload(sending_school_user, "8383321_CTF_8384512_001.XML",
                      ctf("8383321", "8384512")).transfer
    client.force_login(receiving_school_user)
    url = reverse("transfers:reject", args=[transfer.pk])
    assert "Give the reason" in client.post(url, {"reason": ""}).content.decode()
    client.post(url, {"reason": "Pupil never joined us"})
    client.force_login(sending_school_user)
    page = client.get(reverse("transfers:detail", args=[transfer.pk])).content.decode()
    assert "Pupil never joined us" in page


@pytest.mark.parametrize("url_name", ["transfers:inbox", "transfers:generic", "transfers:outbox"])
def test_the_lists_render_empty(client, sending_school_user, url_name):
    client.force_login(sending_school_user)
    assert client.get(reverse(url_name)).status_code == 200
