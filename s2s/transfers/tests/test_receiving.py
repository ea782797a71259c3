"""Receiving a file as a person meets it (issue 19): download, then confirm it opened
correctly; one set of status words; the LA's school picker; plain words for a refusal."""

import lxml.html
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from s2s.directory.models import Establishment, EstablishmentStatus
from s2s.transfers.models import Transfer, TransferStatus
from s2s.transfers.tests.ctfs import zip_of
from s2s.transfers.tests.la_files import send, set_state


@pytest.fixture
def waiting(sending_school_user, receiving_school):
    return send(sending_school_user, "8383321", "8384512", sequence=7)


def _visible(page: str, text: str) -> bool:
    """Return whether a button or heading with this text is on the page and not hidden."""
    tree = lxml.html.fromstring(page)
    found = tree.xpath("//*[self::button or self::h2][normalize-space(.)=$text]", text=text)
    return any(not el.xpath("ancestor-or-self::*[@hidden]") for el in found)


def test_a_file_not_yet_downloaded_does_not_offer_to_confirm_it(
        client, waiting, receiving_school_user):
    client.force_login(receiving_school_user)
    page = client.get(reverse("transfers:detail", args=[waiting.pk])).content.decode()
    assert "Waiting to be downloaded" in page
    assert not _visible(page, "I downloaded it correctly")
    assert not _visible(page, "Downloaded: confirm it opened correctly")


def test_after_a_download_the_file_asks_to_confirm_it_opened_correctly(
        client, waiting, receiving_school_user):
    client.force_login(receiving_school_user)
    b"".join(client.get(reverse("transfers:download", args=[waiting.pk])).streaming_content)
    page = client.get(reverse("transfers:detail", args=[waiting.pk])).content.decode()
    assert _visible(page, "Downloaded: confirm it opened correctly")
    assert _visible(page, "I downloaded it correctly")
    inbox = client.get(reverse("transfers:inbox")).content.decode()
    assert "Confirm it opened correctly" in inbox
    assert _visible(inbox, "I downloaded the chosen files correctly")


def test_confirming_a_file_never_downloaded_is_refused_and_it_keeps_waiting(
        client, waiting, receiving_school_user):
    client.force_login(receiving_school_user)
    page = client.post(reverse("transfers:collect", args=[waiting.pk]), follow=True)
    assert "has not been downloaded yet" in page.content.decode()
    refused = client.post(reverse("transfers:collect-many"), {"ids": [waiting.pk]}, follow=True)
    assert "has not been downloaded yet" in refused.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == TransferStatus.AWAITING


def test_confirming_after_the_download_collects_the_file(client, waiting,
                                                         receiving_school_user):
    client.force_login(receiving_school_user)
    b"".join(client.get(reverse("transfers:download", args=[waiting.pk])).streaming_content)
    response = client.post(reverse("transfers:collect", args=[waiting.pk]), follow=True)
    assert f"{waiting.name} marked as collected." in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == TransferStatus.COLLECTED


def test_the_inbox_offers_to_confirm_only_once_a_file_was_downloaded(
        client, waiting, receiving_school_user):
    client.force_login(receiving_school_user)
    inbox = client.get(reverse("transfers:inbox")).content.decode()
    assert not _visible(inbox, "I downloaded the chosen files correctly")
    assert "Waiting to be downloaded" in inbox


def test_the_sender_sees_the_same_four_words_as_the_file_moves(
        client, sending_school_user, receiving_school_user, receiving_school):
    files = [send(sending_school_user, "8383321", "8384512", sequence=n) for n in (1, 2, 3, 4)]
    Transfer.objects.filter(pk=files[1].pk).update(download_count=1)
    set_state(files[2], status="collected")
    set_state(files[3], status="rejected")
    client.force_login(sending_school_user)
    tree = lxml.html.fromstring(client.get(reverse("transfers:outbox")).content)
    tags = {row.xpath("string(td[1])").strip(): row.xpath("string(td[4])").strip()
            for row in tree.xpath("//tbody/tr")}
    assert tags == {files[0].name: "Waiting to be downloaded", files[1].name: "Downloaded",
                    files[2].name: "Collected", files[3].name: "Rejected"}


@pytest.fixture
def closed_school(home_la):
    return Establishment.objects.create(la=home_la, number="6000", name="Old School",
                                        status=EstablishmentStatus.CLOSED)


def test_the_forward_page_offers_the_las_open_schools_by_name_and_number(
        client, waiting, la_officer, closed_school, outsider_school):
    client.force_login(la_officer)
    url = reverse("transfers:la-forward", kwargs={"pk": waiting.pk})
    tree = lxml.html.fromstring(client.get(url).content)
    offered = tree.xpath("//datalist[@id=//input[@name='to']/@list]/option/@value")
    assert offered == ["8383321 Stickland's CE VA Primary", "8384512 Thomas Hardye School"]
    response = client.post(url, {"to": "8383321 Stickland's CE VA Primary"})
    assert response.status_code == 302
    assert Transfer.objects.filter(name="838LLLL_CTF8383321_007.XML").exists()


def test_a_refused_upload_says_what_is_wrong_in_plain_words_first(
        client, sending_school_user, receiving_school):
    client.force_login(sending_school_user)
    content = zip_of({"pupils.xml": b"<CTfile/>"})
    name = "8383321_CTF_8384512_001.XML"
    page = client.post(reverse("transfers:upload"), {
        "files": [SimpleUploadedFile(name, content)]}, follow=True).content.decode()
    details = lxml.html.fromstring(page).xpath("//tbody/tr/td[3]/p/text()")
    assert details[0] == "This is not a CTF: it is not XML."
    assert details[1].startswith("The file was refused")


def test_counts_of_files_read_as_one_file_or_several_files(client, sending_school_user,
                                                          receiving_school_user):
    first, second = (send(sending_school_user, "8383321", "8384512", sequence=n) for n in (1, 2))
    client.force_login(receiving_school_user)
    b"".join(client.get(reverse("transfers:download", args=[first.pk])).streaming_content)
    done = client.post(reverse("transfers:collect-many"), {"ids": [first.pk]}, follow=True)
    page = done.content.decode()
    assert "1 file marked as collected." in page
    assert "1 file waiting to be downloaded" in page
    b"".join(client.get(reverse("transfers:download", args=[second.pk])).streaming_content)
    third = send(sending_school_user, "8383321", "8384512", sequence=3)
    inbox = client.get(reverse("transfers:inbox")).content.decode()
    assert "2 files waiting to be downloaded" in inbox
    assert third.name in inbox
