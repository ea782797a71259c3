"""Retention: files deleted after collection or long uncollected, warnings first (issue 4)."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from s2s.audit.models import AuditEvent
from s2s.core.models import OutboundEmail
from s2s.transfers.models import (
    NoticeSent,
    StoredFile,
    Transfer,
    TransferPupil,
    TransferStatus,
)
from s2s.transfers.retention import (
    transfer_purge,
    transfer_retention_warn,
    transfers_to_delete,
    warnings_due,
)
from s2s.transfers.services import transfer_collect, transfer_reject, transfer_upload
from s2s.transfers.tests.conftest import stored_objects
from s2s.transfers.tests.ctfs import ctf, ctf_upns, zip_of

LONDON = ZoneInfo("Europe/London")


def at(day: int, month: int, hour: int = 2, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def _retention(settings):
    settings.S2S_RETAIN_COLLECTED_DAYS = 28
    settings.S2S_RETAIN_UNCOLLECTED_DAYS = 90
    settings.S2S_RETENTION_WARN_DAYS = [14, 3]


@pytest.fixture
def upload(db, sending_school_user, receiving_school):
    """Return a function that uploads a CTF to 8384512 as if at `when`."""
    counter = iter(range(1, 1000))

    def send(when: datetime, *, content: bytes | None = None, name: str | None = None):
        number = next(counter)
        content = content or ctf("8383321", "8384512", pupils=2, seed=number)
        name = name or f"8383321_CTF_8384512_{number:03d}.XML"
        transfer = transfer_upload(user=sending_school_user, name=name,
                                   content=io.BytesIO(content)).transfer
        Transfer.objects.filter(pk=transfer.pk).update(uploaded_at=when)
        transfer.refresh_from_db()
        return transfer

    return send


def _set(transfer, **fields) -> Transfer:
    Transfer.objects.filter(pk=transfer.pk).update(**fields)
    transfer.refresh_from_db()
    return transfer


def _due(now) -> list[str]:
    return [t.name for t in transfers_to_delete(now=now)]


@pytest.fixture
def purge(monkeypatch):
    """Return a function that runs `s2s purge_transfers` as if at `now`; return its output."""

    def run(now, *args):
        out = io.StringIO()
        with monkeypatch.context() as patch:
            patch.setattr(timezone, "now", lambda: now)
            call_command("purge_transfers", *args, stdout=out)
        return out.getvalue()

    return run


# --- the edges ------------------------------------------------------------------------------

def test_a_collected_file_is_kept_to_the_day_before_and_deleted_on_the_day(
        upload, receiving_school_user):
    transfer = upload(at(1, 9))
    transfer_collect(user=receiving_school_user, transfer=transfer)
    _set(transfer, collected_at=at(1, 10, hour=15, minute=30))
    # Collected on 1 October: kept through 28 October, deleted from 29 October (28 days).
    assert _due(at(28, 10, hour=23, minute=59)) == []
    assert _due(at(29, 10, hour=0, minute=0)) == [transfer.name]


def test_a_rejected_file_is_deleted_28_days_after_the_rejection(upload,
                                                                receiving_school_user):
    transfer = upload(at(1, 9))
    transfer_reject(user=receiving_school_user, transfer=transfer, reason="Not ours")
    _set(transfer, rejected_at=at(2, 10, hour=9))
    assert _due(at(29, 10)) == []
    assert _due(at(30, 10)) == [transfer.name]


def test_an_uncollected_file_is_kept_89_days_and_deleted_on_the_90th(upload):
    transfer = upload(at(1, 8, hour=16))
    # Uploaded on 1 August: 90 days later is 30 October.
    assert _due(at(29, 10, hour=23, minute=59)) == []
    assert _due(at(30, 10)) == [transfer.name]


def test_lost_pupil_files_are_never_deleted_by_retention(db, sending_school_user):
    transfer = transfer_upload(user=sending_school_user, name="8383321_CTF_XXXXXXX_001.XML",
                               content=io.BytesIO(ctf("8383321", "XXXXXXX", pupils=1))
                               ).transfer
    _set(transfer, uploaded_at=at(1, 1))
    assert _due(at(1, 12)) == []
    assert list(warnings_due(now=at(1, 12))) == []


# --- what deleting does ---------------------------------------------------------------------

def test_purging_removes_the_object_and_pupils_keeps_the_row_and_audits_the_upns(
        upload, receiving_school_user, file_store, django_capture_on_commit_callbacks):
    content = ctf("8383321", "8384512", pupils=3)
    transfer = upload(at(1, 9), content=content)
    transfer_collect(user=receiving_school_user, transfer=transfer)
    _set(transfer, collected_at=at(1, 10, hour=12))
    stored_id = transfer.stored_file_id
    assert len(stored_objects(file_store)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert transfer_purge(transfer=transfer, now=at(29, 10)) is True
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.DELETED
    assert transfer.stored_file_id is None
    assert transfer.deleted_at == at(29, 10)
    assert transfer.delete_reason == "28 days after it was collected (retention)"
    assert (transfer.name, transfer.pupil_count, transfer.sha256) == (
        "8383321_CTF_8384512_001.XML", 3, transfer.sha256)
    assert not TransferPupil.objects.filter(transfer=transfer).exists()
    assert not StoredFile.objects.filter(pk=stored_id).exists()
    assert stored_objects(file_store) == []
    event = AuditEvent.objects.get(action="transfer_delete")
    assert event.actor is None
    assert event.actor_username == "system"
    assert sorted(event.detail["upns"]) == sorted(ctf_upns(content))
    assert event.detail["retention"] == "collected"


def test_a_file_is_purged_once_however_many_runs_claim_it(upload, receiving_school_user):
    transfer = upload(at(1, 8))
    stale = Transfer.objects.get(pk=transfer.pk)
    assert transfer_purge(transfer=transfer, now=at(30, 10)) is True
    assert transfer_purge(transfer=stale, now=at(30, 10)) is False
    assert AuditEvent.objects.filter(action="transfer_delete").count() == 1


def test_a_file_collected_after_it_was_read_is_not_purged_as_uncollected(
        upload, receiving_school_user):
    transfer = upload(at(1, 8))
    read = transfers_to_delete(now=at(30, 10)).get()
    transfer_collect(user=receiving_school_user, transfer=transfer)
    assert transfer_purge(transfer=read, now=at(30, 10)) is False
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.COLLECTED
    assert transfer.stored_file_id is not None


def test_the_command_deletes_what_is_due_and_dry_run_changes_nothing(
        upload, purge, file_store):
    old = upload(at(1, 8))
    young = upload(at(1, 10))
    before = stored_objects(file_store)
    output = purge(at(30, 10), "--dry-run")
    assert (f"Would delete {old.name} (transfer {old.pk}, waiting to be downloaded, "
            "due 2025-10-30)" in output)
    assert young.name not in output
    assert "Would delete 1 file(s)" in output
    assert Transfer.objects.filter(status=TransferStatus.DELETED).count() == 0
    assert stored_objects(file_store) == before
    assert not NoticeSent.objects.exists()
    assert not OutboundEmail.objects.filter(subject__startswith="s2s will delete").exists()
    assert not AuditEvent.objects.filter(action="transfer_delete").exists()

    output = purge(at(30, 10))
    assert f"Deleted {old.name}" in output
    assert "Deleted 1 file(s)" in output
    old.refresh_from_db()
    young.refresh_from_db()
    assert (old.status, young.status) == (TransferStatus.DELETED, TransferStatus.AWAITING)


def test_limit_caps_a_run(upload, purge):
    for day in (1, 2, 3):
        upload(at(day, 7))
    assert "Deleted 2 file(s)" in purge(at(30, 10), "--limit", "2")
    assert Transfer.objects.filter(status=TransferStatus.DELETED).count() == 2


# --- warnings -------------------------------------------------------------------------------

def _warnings(now) -> list[tuple[str, int, int]]:
    return [(w.transfer.name, w.days, w.mark) for w in warnings_due(now=now)]


def test_warnings_are_due_14_and_3_days_before_an_uncollected_file_goes(upload):
    transfer = upload(at(1, 8, hour=16))  # deleted on 30 October
    assert _warnings(at(15, 10, hour=23)) == []
    assert _warnings(at(16, 10)) == [(transfer.name, 14, 14)]
    assert _warnings(at(26, 10)) == [(transfer.name, 4, 14)]
    assert _warnings(at(27, 10)) == [(transfer.name, 3, 3)]
    assert _warnings(at(29, 10)) == [(transfer.name, 1, 3)]
    assert _warnings(at(30, 10)) == []


def test_each_warning_goes_once_to_the_destination_and_the_sender(
        upload, purge, receiving_school_user):
    transfer = upload(at(1, 8, hour=16))
    OutboundEmail.objects.all().delete()
    assert purge(at(16, 10)).endswith("warned about 1 file(s).\n")
    assert purge(at(17, 10)).endswith("warned about 0 file(s).\n")
    emails = {e.to: e for e in OutboundEmail.objects.all()}
    assert sorted(emails) == [
        "8383321@example.gov.uk", "8384512@example.gov.uk",
        "office3321@school.example.sch.uk", "office4512@school.example.sch.uk",
    ]
    to_school = emails["office4512@school.example.sch.uk"]
    assert to_school.subject == f"s2s will delete {transfer.name} on 30 October 2025"
    assert "in 14 days" in to_school.text
    assert "Download it before then" in to_school.text
    assert "ask the destination to download it" in emails["8383321@example.gov.uk"].text
    pupils = list(transfer.pupils.all())
    assert len(pupils) == 2
    for email in emails.values():
        for pupil in pupils:
            assert pupil.upn not in email.text + email.html
            assert pupil.surname not in email.text + email.html
    assert OutboundEmail.objects.count() == 4
    purge(at(27, 10))
    purge(at(28, 10))
    assert OutboundEmail.objects.count() == 8
    three = OutboundEmail.objects.filter(to="office4512@school.example.sch.uk").last()
    assert "in 3 days" in three.text


def test_a_late_run_sends_only_the_nearest_warning(upload):
    upload(at(1, 8, hour=16))
    OutboundEmail.objects.all().delete()
    warnings = list(warnings_due(now=at(28, 10)))
    assert [(w.days, w.mark) for w in warnings] == [(2, 3)]
    # The destination school's address; the uploader's and the sending school's.
    assert transfer_retention_warn(warning=warnings[0], now=at(28, 10)) == 3
    assert transfer_retention_warn(warning=warnings[0], now=at(28, 10)) is None
    assert list(NoticeSent.objects.values_list("period", flat=True)) == ["3"]


def test_collected_files_and_generic_zips_get_no_warnings(upload, receiving_school_user):
    collected = upload(at(1, 8))
    transfer_collect(user=receiving_school_user, transfer=collected)
    upload(at(1, 8), content=zip_of({"a.txt": b"a"}), name="8383321_8384512_notes.zip")
    assert _warnings(at(20, 10)) == []


def test_old_notice_records_are_pruned(db, purge):
    NoticeSent.objects.create(kind="weekly_reminder", key="school:1", period="2025-W01",
                              sent_at=at(1, 1))
    NoticeSent.objects.create(kind="weekly_reminder", key="school:1", period="2025-W40",
                              sent_at=at(1, 10))
    assert "pruned 1 old notice record(s)" in purge(at(30, 10) + timedelta(days=1))
    assert list(NoticeSent.objects.values_list("period", flat=True)) == ["2025-W40"]


def test_the_retention_reason_reads_in_the_readers_language(upload, receiving_school_user,
                                                            client):
    """Issue 17: stored in English, worded for each reader on the file's page."""
    transfer = upload(at(1, 9))
    transfer_collect(user=receiving_school_user, transfer=transfer)
    _set(transfer, collected_at=at(1, 10, hour=12))
    assert transfer_purge(transfer=transfer, now=at(29, 10)) is True
    receiving_school_user.language = "cy"
    receiving_school_user.save()
    client.force_login(receiving_school_user)

    page = client.get(reverse("transfers:detail", args=[transfer.pk])).content.decode()

    transfer.refresh_from_db()
    assert transfer.delete_reason == "28 days after it was collected (retention)"
    assert "28 diwrnod ar ôl ei chasglu (cyfnod cadw)" in page
    assert "(retention)" not in page
