"""The weekly reminder of files not yet downloaded (seed 003, 4.2 and 5.1)."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command

from s2s.accounts.roles import Role
from s2s.core.models import OutboundEmail
from s2s.transfers.models import NoticeSent, Transfer
from s2s.transfers.reminders import iso_week, reminder_send, reminders_due
from s2s.transfers.services import transfer_collect, transfer_reject, transfer_upload
from s2s.transfers.tests.ctfs import ctf, zip_of

LONDON = ZoneInfo("Europe/London")
MONDAY = datetime(2025, 11, 10, 7, 0, tzinfo=LONDON)


def _upload(user, name, content, *, uploaded_at):
    transfer = transfer_upload(user=user, name=name, content=io.BytesIO(content)).transfer
    Transfer.objects.filter(pk=transfer.pk).update(uploaded_at=uploaded_at)
    return transfer


@pytest.fixture
def files(db, sending_school_user, receiving_school_user, outsider_school_user, home_la,
          other_la):
    """Four files to 8384512, uploaded on 3 October, 1 and 20 September and 9 November.

    The September one is collected, one more is rejected; a generic zip waits as well.
    """
    home_la.receive_ctf_copies = False
    home_la.save()
    other_la.receive_ctf_copies = False
    other_la.save()
    made = {
        "october": _upload(sending_school_user, "8383321_CTF_8384512_001.XML",
                           ctf("8383321", "8384512", seed=1),
                           uploaded_at=datetime(2025, 10, 3, 9, 30, tzinfo=LONDON)),
        "september": _upload(outsider_school_user, "6812345_CTF_8384512_007.XML",
                             ctf("6812345", "8384512", seed=2),
                             uploaded_at=datetime(2025, 9, 1, 16, 0, tzinfo=LONDON)),
        "november": _upload(sending_school_user, "8383321_CTF_8384512_002.XML",
                            ctf("8383321", "8384512", seed=3),
                            uploaded_at=datetime(2025, 11, 9, 23, 30, tzinfo=LONDON)),
        "collected": _upload(sending_school_user, "8383321_CTF_8384512_003.XML",
                             ctf("8383321", "8384512", seed=4),
                             uploaded_at=datetime(2025, 8, 1, 9, 0, tzinfo=LONDON)),
        "rejected": _upload(sending_school_user, "8383321_CTF_8384512_004.XML",
                            ctf("8383321", "8384512", seed=5),
                            uploaded_at=datetime(2025, 8, 2, 9, 0, tzinfo=LONDON)),
        "zip": _upload(sending_school_user, "8383321_8384512_photos.zip",
                       zip_of({"a.txt": b"a"}), uploaded_at=datetime(2025, 7, 1, tzinfo=LONDON)),
    }
    transfer_collect(user=receiving_school_user, transfer=made["collected"])
    transfer_reject(user=receiving_school_user, transfer=made["rejected"], reason="Not ours")
    OutboundEmail.objects.all().delete()
    return made


def _emails():
    return {e.to: e for e in OutboundEmail.objects.order_by("pk")}


def test_iso_weeks_are_local_and_start_on_monday():
    assert iso_week(datetime(2025, 11, 10, 0, 30, tzinfo=LONDON)) == "2025-W46"
    assert iso_week(datetime(2025, 11, 9, 23, 59, tzinfo=LONDON)) == "2025-W45"
    assert iso_week(datetime(2026, 1, 1, 12, 0, tzinfo=LONDON)) == "2026-W01"


def test_a_school_is_reminded_of_its_undownloaded_files_oldest_first(files):
    sent = {r.recipient: reminder_send(reminder=r, now=MONDAY) for r in reminders_due()}
    assert sent == {"8384512 Thomas Hardye School": 2}
    emails = _emails()
    assert sorted(emails) == ["8384512@example.gov.uk", "office4512@school.example.sch.uk"]
    email = emails["office4512@school.example.sch.uk"]
    assert email.subject == "s2s: 3 files not yet downloaded by 8384512 Thomas Hardye School"
    lines = [line for line in email.text.splitlines() if line.startswith("- ")]
    assert lines == [
        "- 6812345_CTF_8384512_007.XML: from 6812345 Llanwern High School, uploaded "
        "1 September 2025, 70 days old",
        "- 8383321_CTF_8384512_001.XML: from 8383321 Stickland's CE VA Primary, uploaded "
        "3 October 2025, 38 days old",
        "- 8383321_CTF_8384512_002.XML: from 8383321 Stickland's CE VA Primary, uploaded "
        "9 November 2025, 1 day old",
    ]
    assert "_003" not in email.text  # collected
    assert "_004" not in email.text  # rejected
    assert "photos.zip" not in email.text + email.html  # generic zips get no emails
    assert email.html.index("_007.XML") < email.html.index("_001.XML") < email.html.index(
        "_002.XML")
    assert "http://127.0.0.1:8000/files/inbox" in email.text


def test_the_reminder_has_no_pupil_data(files):
    call_command("send_weekly_reminders", stdout=io.StringIO())
    pupils = [p for t in Transfer.objects.all() for p in t.pupils.all()]
    # Full names, not forenames alone: a pupil may be called Thomas, like the school.
    values = {v for p in pupils for v in (p.upn, p.surname, f"{p.forename} {p.surname}",
                                          p.postcode) if v}
    assert len(values) > 10
    assert OutboundEmail.objects.count() == 2
    for email in OutboundEmail.objects.all():
        text = email.subject + email.text + email.html
        assert [v for v in values if v in text] == []


def test_a_downloaded_but_unconfirmed_file_is_listed_as_such(files):
    Transfer.objects.filter(pk=files["october"].pk).update(download_count=1)
    for reminder in reminders_due():
        reminder_send(reminder=reminder, now=MONDAY)
    text = _emails()["office4512@school.example.sch.uk"].text
    assert "_001.XML: from 8383321 Stickland's CE VA Primary, uploaded 3 October 2025, 38 " \
           "days old (downloaded, but not yet confirmed as downloaded correctly)" in text


def test_the_reminder_goes_once_a_week(files):
    first = [reminder_send(reminder=r, now=MONDAY) for r in reminders_due()]
    again = [reminder_send(reminder=r, now=MONDAY + timedelta(days=6)) for r in reminders_due()]
    assert first == [2]
    assert again == [None]
    assert OutboundEmail.objects.count() == 2
    next_week = [reminder_send(reminder=r, now=MONDAY + timedelta(days=7))
                 for r in reminders_due()]
    assert next_week == [2]
    assert list(NoticeSent.objects.values_list("key", "period").order_by("period")) == [
        (f"school:{files['october'].destination_establishment_id}", "2025-W46"),
        (f"school:{files['october'].destination_establishment_id}", "2025-W47"),
    ]


def test_the_command_reminds_once_however_often_it_runs(files):
    out = io.StringIO()
    call_command("send_weekly_reminders", "--dry-run", stdout=out)
    assert "Would remind 8384512 Thomas Hardye School: 3 file(s), 2 address(es)" in (
        out.getvalue())
    assert not OutboundEmail.objects.exists()
    assert not NoticeSent.objects.exists()
    out = io.StringIO()
    call_command("send_weekly_reminders", stdout=out)
    assert "Reminded 8384512 Thomas Hardye School: 3 file(s), 2 email(s)" in out.getvalue()
    out = io.StringIO()
    call_command("send_weekly_reminders", stdout=out)
    assert "Reminded 0 school(s) and LA(s) with 0 email(s)" in out.getvalue()
    assert "1 already reminded this week" in out.getvalue()
    assert OutboundEmail.objects.count() == 2


def test_an_la_is_reminded_of_its_mailboxes_each_officer_of_their_own(
        db, sending_school_user, make_user, home_la, la_officer):
    home_la.receive_ctf_copies = False
    home_la.save()
    make_user(Role.LA_CENSUS, home_la, username="838census")
    _upload(sending_school_user, "8383321_CTF_838LLLL_001.XML", ctf("8383321", "838LLLL"),
            uploaded_at=datetime(2025, 11, 1, 10, 0, tzinfo=LONDON))
    _upload(sending_school_user, "8383321_PLAS_838PLAS_001.XML", b"<CensusFile/>",
            uploaded_at=datetime(2025, 11, 2, 10, 0, tzinfo=LONDON))
    OutboundEmail.objects.all().delete()
    for reminder in reminders_due():
        reminder_send(reminder=reminder, now=MONDAY)
    emails = _emails()
    assert sorted(emails) == ["838census@example.gov.uk", "838user@example.gov.uk",
                              "s2s@dorset.example.gov.uk"]
    assert emails["s2s@dorset.example.gov.uk"].subject == (
        "s2s: 2 files not yet downloaded by 838 Dorset")
    officer = emails["838user@example.gov.uk"].text
    assert "8383321_CTF_838LLLL_001.XML" in officer
    assert "838PLAS" not in officer
    census = emails["838census@example.gov.uk"].text
    assert "Files waiting at 838PLAS (School census)" in census
    assert "838LLLL" not in census


def test_an_la_with_copies_on_is_reminded_of_its_schools_files(files, home_la):
    home_la.receive_ctf_copies = True
    home_la.save()
    for reminder in reminders_due():
        reminder_send(reminder=reminder, now=MONDAY)
    email = _emails()["s2s@dorset.example.gov.uk"]
    assert email.subject == "s2s: 3 files not yet downloaded by 838 Dorset"
    assert "Files to and from your schools not yet collected (copies)" in email.text
    assert len(mail.outbox) == 0  # queued in the outbox; sent by its task after the commit
