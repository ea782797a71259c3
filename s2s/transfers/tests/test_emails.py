"""The file exchange's emails: who is told what, and never a pupil's data (seed 003, 4.2, 5.1)."""

import io

import pytest
from django.core import mail

from s2s.accounts.roles import Role
from s2s.core.models import OutboundEmail
from s2s.core.outbox import send_next_email
from s2s.core.tests.smtp import smtp_server  # noqa: F401 (a fixture)
from s2s.directory.models import Establishment, EstablishmentStatus
from s2s.transfers.services import transfer_collect, transfer_reject, transfer_upload
from s2s.transfers.tests.ctfs import ctf, zip_of

NAME = "8383321_CTF_8384512_001.XML"


@pytest.fixture
def sent(db, django_capture_on_commit_callbacks):
    """Return a function that runs a service and returns the emails it sent, by address."""

    def run(service, **kwargs):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            result = service(**kwargs)
        return result, {tuple(m.to): m for m in mail.outbox}

    return run


def _upload(user, name, content):
    return transfer_upload(user=user, name=name, content=io.BytesIO(content))


def _everything(message) -> str:
    html = message.alternatives[0][0] if message.alternatives else ""
    return "\n".join([message.subject, message.body, html])


def _pupil_data(transfer) -> list[str]:
    values = []
    for pupil in transfer.pupils.all():
        # Full names, not forenames alone: a pupil may be called Thomas, like the school.
        values += [pupil.upn, pupil.surname, f"{pupil.forename} {pupil.surname}",
                   pupil.postcode]
        values += [pupil.dob.isoformat()] if pupil.dob else []
    return [v for v in values if v]


def test_an_upload_tells_the_destination_school_and_the_sender_without_pupil_data(
        sent, sending_school_user, receiving_school, receiving_school_user, home_la):
    home_la.receive_ctf_copies = False
    home_la.save()
    result, emails = sent(_upload, user=sending_school_user, name=NAME,
                          content=ctf("8383321", "8384512", pupils=3))
    transfer = result.transfer
    assert sorted(emails) == [
        ("8383321@example.gov.uk",), ("8384512@example.gov.uk",),
        ("office3321@school.example.sch.uk",), ("office4512@school.example.sch.uk",),
    ]
    waiting = emails[("office4512@school.example.sch.uk",)]
    assert waiting.subject == f"A file is waiting for you on s2s: {NAME}"
    assert "8383321 Stickland's CE VA Primary has sent 8384512 Thomas Hardye School a file" in (
        waiting.body)
    assert f"http://127.0.0.1:8000/files/{transfer.pk}" in waiting.body
    assert f'href="http://127.0.0.1:8000/files/{transfer.pk}"' in waiting.alternatives[0][0]
    confirmed = emails[("8383321@example.gov.uk",)]
    assert confirmed.subject == f"Uploaded to s2s: {NAME}"
    assert "Delivered to: 8384512 Thomas Hardye School" in confirmed.body
    pupil_data = _pupil_data(transfer)
    assert len(pupil_data) >= 9
    for message in emails.values():
        text = _everything(message)
        assert [value for value in pupil_data if value in text] == []


def test_a_file_to_an_la_mailbox_tells_the_las_officers_of_that_mailbox_and_the_la(
        sent, sending_school_user, home_la, la_officer, make_user):
    make_user(Role.LA_CENSUS, home_la, username="838census")
    make_user(Role.LA_LOST_PUPIL, home_la, username="838lost")  # no CTFs for this role
    make_user(Role.LA_USER, home_la, username="838gone", is_active=False)
    _result, emails = sent(_upload, user=sending_school_user,
                           name="8383321_CTF_838LLLL_001.XML",
                           content=ctf("8383321", "838LLLL"))
    waiting = {to for to, m in emails.items() if m.subject.startswith("A file is waiting")}
    assert waiting == {("s2s@dorset.example.gov.uk",), ("838user@example.gov.uk",)}
    message = emails[("838user@example.gov.uk",)]
    assert "has sent 838LLLL (Dorset: Local authority) a file" in message.body


def test_a_file_for_a_closed_school_tells_the_sender_where_it_went(
        sent, sending_school_user, receiving_school, home_la):
    closed = Establishment.objects.create(
        la=home_la, number="4000", name="Old Hardye School", status=EstablishmentStatus.CLOSED,
        successor=receiving_school, email="old@school.example.sch.uk",
    )
    _result, emails = sent(_upload, user=sending_school_user,
                           name="8383321_CTF_8384000_001.XML",
                           content=ctf("8383321", "8384000"))
    assert ("old@school.example.sch.uk",) not in emails
    confirmed = emails[("office3321@school.example.sch.uk",)]
    assert confirmed.subject == (
        "Uploaded to s2s and delivered to a successor school: 8383321_CTF_8384000_001.XML"
    )
    assert (f"It was addressed to {closed}, which is closed, so s2s delivered it to its "
            "successor, 8384512 Thomas Hardye School.") in confirmed.body
    waiting = emails[("office4512@school.example.sch.uk",)]
    assert "you are its successor" in waiting.body


def test_a_file_to_the_lost_pupil_database_tells_only_the_sender(
        sent, sending_school_user, lost_pupil_officer):
    _result, emails = sent(_upload, user=sending_school_user,
                           name="8383321_CTF_XXXXXXX_001.XML",
                           content=ctf("8383321", "XXXXXXX", pupils=1))
    assert sorted(emails) == [("8383321@example.gov.uk",),
                              ("office3321@school.example.sch.uk",)]
    assert "Delivered to: the Lost Pupil Database" in emails[("8383321@example.gov.uk",)].body


def test_collecting_tells_the_sender(sent, sending_school_user, receiving_school_user,
                                     receiving_school):
    upload, _emails = sent(_upload, user=sending_school_user, name=NAME,
                           content=ctf("8383321", "8384512"))
    _transfer, emails = sent(transfer_collect, user=receiving_school_user,
                             transfer=upload.transfer)
    assert sorted(emails) == [("8383321@example.gov.uk",),
                              ("office3321@school.example.sch.uk",)]
    message = emails[("8383321@example.gov.uk",)]
    assert message.subject == f"Downloaded on s2s: {NAME}"
    assert f"8384512 Thomas Hardye School downloaded your file {NAME}" in message.body
    # Collecting again changes nothing and says nothing.
    _transfer, again = sent(transfer_collect, user=receiving_school_user,
                            transfer=upload.transfer)
    assert again == {}


def test_rejecting_tells_the_sender_the_reason(sent, sending_school_user,
                                               receiving_school_user, receiving_school):
    upload, _emails = sent(_upload, user=sending_school_user, name=NAME,
                           content=ctf("8383321", "8384512"))
    _transfer, emails = sent(transfer_reject, user=receiving_school_user,
                             transfer=upload.transfer, reason="Not our pupil & never was")
    message = emails[("8383321@example.gov.uk",)]
    assert message.subject == f"Rejected on s2s: {NAME}"
    assert "Not our pupil & never was" in message.body
    assert "Not our pupil &amp; never was" in message.alternatives[0][0]
    assert sorted(emails) == [("8383321@example.gov.uk",),
                              ("office3321@school.example.sch.uk",)]


def test_an_la_mailbox_sender_whose_uploader_has_gone_is_told_at_the_la_address(
        sent, la_officer, receiving_school_user, receiving_school):
    upload, _emails = sent(_upload, user=la_officer, name="838LLLL_CTF8384512_001.XML",
                           content=ctf("838LLLL", "8384512"))
    la_officer.is_active = False
    la_officer.save()
    _transfer, emails = sent(transfer_collect, user=receiving_school_user,
                             transfer=upload.transfer)
    assert list(emails) == [("s2s@dorset.example.gov.uk",)]


def test_the_la_is_told_of_files_to_and_from_its_schools_when_its_copies_switch_is_on(
        sent, sending_school_user, outsider_school, home_la, other_la):
    other_la.receive_ctf_copies = False
    other_la.save()
    _result, emails = sent(_upload, user=sending_school_user,
                           name="8383321_CTF_6812345_001.XML",
                           content=ctf("8383321", "6812345"))
    copy = emails[("s2s@dorset.example.gov.uk",)]
    assert copy.subject == (
        "A file to or from one of your schools is on s2s: 8383321_CTF_6812345_001.XML"
    )
    assert "8383321 Stickland's CE VA Primary has sent 6812345 Llanwern High School" in (
        copy.body)
    assert ("s2s@cardiff.example.gov.uk",) not in emails


def test_no_copy_is_sent_when_the_switch_is_off(sent, sending_school_user, receiving_school,
                                                 home_la):
    home_la.receive_ctf_copies = False
    home_la.save()
    _result, emails = sent(_upload, user=sending_school_user, name=NAME,
                           content=ctf("8383321", "8384512"))
    assert ("s2s@dorset.example.gov.uk",) not in emails
    home_la.receive_ctf_copies = True
    home_la.save()
    _result, emails = sent(_upload, user=sending_school_user,
                           name="8383321_CTF_8384512_002.XML",
                           content=ctf("8383321", "8384512", seed=2))
    assert ("s2s@dorset.example.gov.uk",) in emails


def test_a_generic_zip_sends_no_email_at_all(sent, sending_school_user, receiving_school_user,
                                             receiving_school):
    content = zip_of({"notes.txt": b"hello"})
    upload, emails = sent(_upload, user=sending_school_user,
                          name="8383321_8384512_notes.zip", content=content)
    assert emails == {}
    _transfer, emails = sent(transfer_reject, user=receiving_school_user,
                             transfer=upload.transfer, reason="Not for us")
    assert emails == {}
    assert not OutboundEmail.objects.exists()


def test_the_ctf_waiting_email_goes_out_through_a_real_smtp_server(
        db, smtp_server, sending_school_user, receiving_school, home_la):  # noqa: F811
    home_la.receive_ctf_copies = False
    home_la.save()
    result = _upload(sending_school_user, NAME, ctf("8383321", "8384512", pupils=2))
    while send_next_email():
        pass
    assert sorted(r for rs in smtp_server.recipients for r in rs) == [
        "8383321@example.gov.uk", "office3321@school.example.sch.uk",
        "office4512@school.example.sch.uk",
    ]
    waiting = next(m for m in smtp_server.messages
                   if m["To"] == "office4512@school.example.sch.uk")
    assert waiting["Subject"] == f"A file is waiting for you on s2s: {NAME}"
    text = waiting.get_body(("plain",)).get_content()
    html = waiting.get_body(("html",)).get_content()
    assert "From: 8383321 Stickland's CE VA Primary" in text
    assert f"http://127.0.0.1:8000/files/{result.transfer.pk}" in text
    assert "Stickland&#x27;s CE VA Primary" in html
    raw = waiting.as_string()
    assert [v for v in _pupil_data(result.transfer) if v in raw] == []
