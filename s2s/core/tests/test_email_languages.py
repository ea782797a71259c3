"""Emails go in the recipient's language, never the sender's; Wales gets both, Welsh first.

Issue 17: users of Welsh LAs and schools (and their contact addresses) read bilingual emails
by default, Welsh then English in one email; a user may choose one language only.
"""

import io

import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation

from s2s.accounts.roles import Role
from s2s.core.outbox import email_queue_templated
from s2s.transfers.services import transfer_upload
from s2s.transfers.tests.conftest import file_store, master_key  # noqa: F401 (autouse)
from s2s.transfers.tests.ctfs import ctf

TO_WALES = "8383321_CTF_6812345_001.XML"
WELSH_SUBJECT = "Mae ffeil yn aros amdanoch ar s2s: "
ENGLISH_SUBJECT = "A file is waiting for you on s2s: "
WELSH_LINE = "Mae 8383321 Stickland's CE VA Primary wedi anfon ffeil at 6812345 Llanwern"
ENGLISH_LINE = "8383321 Stickland's CE VA Primary has sent 6812345 Llanwern High School a file"


@pytest.fixture(autouse=True)
def _english_after():
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def waiting(db, django_capture_on_commit_callbacks):
    """Return a function that queues the file-waiting email and returns what each address got."""

    def queue(to: list[str]) -> dict[str, mail.EmailMessage]:
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            email_queue_templated(name="transfer-waiting", to=to, context={
                "file_name": TO_WALES, "file_type": "Common Transfer File",
                "sender": "8383321 Stickland's CE VA Primary",
                "destination": "6812345 Llanwern High School", "redirected_from": "",
                "link": "http://127.0.0.1:8000/files/1"})
        return {m.to[0]: m for m in mail.outbox}

    return queue


def test_a_welsh_schools_notice_email_is_bilingual_welsh_first(
        sending_school_user, outsider_school, outsider_school_user, home_la,
        django_capture_on_commit_callbacks):
    home_la.receive_ctf_copies = False
    home_la.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        transfer_upload(user=sending_school_user, name=TO_WALES,
                        content=io.BytesIO(ctf("8383321", "6812345")))
    emails = {m.to[0]: m for m in mail.outbox}

    for address in (outsider_school.email, outsider_school_user.email):
        email = emails[address]
        assert email.subject == f"{WELSH_SUBJECT}{TO_WALES} / {ENGLISH_SUBJECT}{TO_WALES}"
        assert 0 <= email.body.index(WELSH_LINE) < email.body.index(ENGLISH_LINE)
        html = email.alternatives[0][0]
        assert html.index('<div lang="cy">') < html.index('<div lang="en-gb">')
    # The English sender reads English only.
    sender = emails[sending_school_user.email]
    assert sender.subject.startswith("Uploaded to s2s")
    assert "Mae " not in sender.body


def test_a_welsh_user_may_choose_one_language_only(waiting, outsider_school, make_user):
    english = make_user(Role.SCHOOL, outsider_school, username="6812345-en",
                        email_language="en-gb")
    welsh = make_user(Role.SCHOOL, outsider_school, username="6812345-cy", email_language="cy")

    emails = waiting([english.email, welsh.email])

    assert emails[english.email].subject == f"{ENGLISH_SUBJECT}{TO_WALES}"
    assert WELSH_LINE not in emails[english.email].body
    assert emails[welsh.email].subject == f"{WELSH_SUBJECT}{TO_WALES}"
    assert ENGLISH_LINE not in emails[welsh.email].body


def test_a_users_language_is_used_not_the_senders(waiting, receiving_school, make_user):
    chose_welsh = make_user(Role.SCHOOL, receiving_school, username="8384512-cy",
                            language="cy")
    english = make_user(Role.SCHOOL, receiving_school, username="8384512-en")

    with translation.override("cy"):  # the sender reads Welsh
        emails = waiting([chose_welsh.email, english.email.upper(), "someone@example.org"])

    assert emails[chose_welsh.email].subject == f"{WELSH_SUBJECT}{TO_WALES}"
    assert emails[english.email.upper()].subject == f"{ENGLISH_SUBJECT}{TO_WALES}"
    assert emails["someone@example.org"].subject == f"{ENGLISH_SUBJECT}{TO_WALES}"


def test_a_welsh_las_contact_address_reads_both_languages(waiting, other_la):
    emails = waiting([other_la.email])

    assert emails[other_la.email].subject == (
        f"{WELSH_SUBJECT}{TO_WALES} / {ENGLISH_SUBJECT}{TO_WALES}")


def test_an_email_not_yet_translated_is_not_written_twice(
        db, django_capture_on_commit_callbacks, other_la, settings, tmp_path):
    # An email of words with no Welsh yet: the same in both languages.
    (tmp_path / "emails").mkdir()
    for part, words in [("subject.txt", "Plain subject"), ("body.txt", "Plain words for {{ la }}"),
                        ("body.html", "<p>Plain words for {{ la }}</p>")]:
        (tmp_path / "emails" / f"untranslated-{part}").write_text(words)
    settings.TEMPLATES = [{**settings.TEMPLATES[0],
                           "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        email_queue_templated(name="untranslated", to=[other_la.email],
                              context={"la": "681 Cardiff"})

    [email] = mail.outbox
    assert email.subject == "Plain subject"
    assert email.body == "Plain words for 681 Cardiff"
    assert email.alternatives[0][0] == "<p>Plain words for 681 Cardiff</p>"


def test_a_welsh_schools_notice_words_the_senders_values_in_each_language(
        sending_school_user, outsider_school, home_la, django_capture_on_commit_callbacks):
    """The file type is worded by the sender's code, lazily: Welsh in the Welsh part."""
    home_la.receive_ctf_copies = False
    home_la.save()
    mail.outbox.clear()
    translation.activate("en-gb")  # the sender's language must not leak into the Welsh part
    with django_capture_on_commit_callbacks(execute=True):
        transfer_upload(user=sending_school_user, name=TO_WALES,
                        content=io.BytesIO(ctf("8383321", "6812345")))
    email = next(m for m in mail.outbox if m.to[0] == outsider_school.email)

    welsh, english = email.body.split("-" * 40)
    assert "Math: Ffeil Trosglwyddo Cyffredin" in welsh
    assert "Common Transfer File" not in welsh
    assert "Type: Common Transfer File" in english
    assert "Ffeil Trosglwyddo Cyffredin" not in english
    html = email.alternatives[0][0]
    welsh_html, english_html = html.split("<hr>")
    assert "Ffeil Trosglwyddo Cyffredin" in welsh_html
    assert "Common Transfer File" in english_html
