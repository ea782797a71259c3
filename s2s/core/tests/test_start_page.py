"""The start page answers "what needs me?": where the person works and what waits (issue 19)."""

import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from s2s.messaging.tests.conftest import send
from s2s.transfers.models import Transfer
from s2s.transfers.services import transfer_reject, transfer_upload
from s2s.transfers.tests.ctfs import ctf, zip_of


def _upload(user, name, content) -> Transfer:
    return transfer_upload(user=user, name=name, content=io.BytesIO(content)).transfer


def _needs(page: str) -> list[tuple[str, str]]:
    """Return the start page's "what needs you" entries as (text, link)."""
    section = page.split('class="govuk-list govuk-list--spaced s2s-needs"', 1)[1].split("</ul>")[0]
    return [(re.sub(r"\s+", " ", text).strip(), url)
            for url, text in re.findall(r'href="([^"]+)">([^<]+)</a>', section)]


def _start(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("core:start")).content.decode()


@pytest.fixture
def files_for_the_school(sending_school_user, receiving_school_user):
    """Two CTFs for the receiving school (one 5 days old), and one generic zip."""
    old = _upload(sending_school_user, "8383321_CTF_8384512_001.XML", ctf("8383321", "8384512"))
    Transfer.objects.filter(pk=old.pk).update(uploaded_at=timezone.now() - timedelta(days=5))
    _upload(sending_school_user, "8383321_CTF_8384512_002.XML",
            ctf("8383321", "8384512", seed=2))
    _upload(sending_school_user, "8383321_8384512_NOTES.ZIP", zip_of({"notes.txt": b"hello"}))


def test_a_school_start_page_names_the_school(client, receiving_school_user):
    page = _start(client, receiving_school_user)
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1)
    assert "Thomas Hardye School (8384512)" in heading


def test_a_school_sees_its_waiting_files_with_the_oldest_age_each_linking_to_its_list(
        client, receiving_school_user, files_for_the_school):
    page = _start(client, receiving_school_user)
    needs = _needs(page)
    assert ("2 files waiting to be downloaded", reverse("transfers:inbox")) in needs
    assert ("1 generic file waiting to be downloaded", reverse("transfers:generic")) in needs
    assert "The oldest has waited 5 days." in page
    assert "The oldest arrived today." in page


def test_a_school_sees_the_files_it_sent_that_were_rejected_linking_to_them(
        client, sending_school_user, receiving_school_user, files_for_the_school):
    awaiting = Transfer.objects.filter(file_type="CTF").order_by("pk")
    transfer_reject(user=receiving_school_user, transfer=awaiting[0],
                    reason="This pupil never joined us.")
    page = _start(client, sending_school_user)
    link = f"{reverse('transfers:outbox')}?status=rejected"
    assert ("1 file you sent was rejected", link) in _needs(page)

    listed = client.get(link).content.decode()
    assert "8383321_CTF_8384512_001.XML" in listed
    assert "8383321_CTF_8384512_002.XML" not in listed
    assert "8383321_CTF_8384512_002.XML" in client.get(reverse("transfers:outbox")).content.decode()


def test_a_school_sees_its_unread_messages_linking_to_them(
        client, la_officer, sending_school, sending_school_user):
    send(la_officer, schools=[sending_school.code], subject="Pupil enquiry")
    send(la_officer, schools=[sending_school.code], subject="Census reminder")
    page = _start(client, sending_school_user)
    link = f"{reverse('messaging:inbox')}?unread=1"
    assert ("2 unread messages", link) in _needs(page)

    listed = client.get(link).content.decode()
    client.get(re.search(r'href="(/messages/\d+)"', listed).group(1))  # reads the newest
    unread = client.get(link).content.decode()
    assert "Pupil enquiry" in unread
    assert "Census reminder" not in unread
    assert ("1 unread message", link) in _needs(_start(client, sending_school_user))


def test_nothing_waiting_is_said_as_zero_and_not_bold(client, receiving_school_user):
    page = _start(client, receiving_school_user)
    assert ("0 files waiting to be downloaded", reverse("transfers:inbox")) in _needs(page)
    assert ("0 unread messages", f"{reverse('messaging:inbox')}?unread=1") in _needs(page)
    assert "govuk-!-font-weight-bold" not in page.split("s2s-needs", 1)[1].split("</ul>")[0]


def test_the_counts_are_only_of_the_persons_own_place(
        client, outsider_school_user, files_for_the_school):
    page = _start(client, outsider_school_user)
    assert ("0 files waiting to be downloaded", reverse("transfers:inbox")) in _needs(page)
    assert "Llanwern High School (6812345)" in page


def test_an_la_start_page_names_the_la_and_counts_its_mailbox(
        client, la_officer, sending_school_user):
    _upload(sending_school_user, "8383321_CTF_838LLLL_001.XML", ctf("8383321", "838LLLL"))
    page = _start(client, la_officer)
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1)
    assert "Dorset (838)" in heading
    assert ("1 file waiting to be downloaded", reverse("transfers:inbox")) in _needs(page)


def test_a_view_only_dba_is_shown_no_file_or_message_counts(client, la_dba_view):
    page = _start(client, la_dba_view)
    assert "s2s-needs" not in page
    assert "Dorset (838)" in page


def test_the_start_page_lists_what_the_role_can_do_by_group(client, la_dba):
    page = _start(client, la_dba)
    main = page.split("What you can do", 1)[1]
    sections = re.findall(r'<h3 class="govuk-heading-s[^"]*">([^<]+)</h3>', main)
    assert sections == ["Files", "Messages", "Reports", "Administration"]
    assert f'href="{reverse("messaging:report")}"' in main
