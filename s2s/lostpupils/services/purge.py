"""Purge at leaving age (seed 003, 1.3), and the erasing that removal shares with it.

A record goes once its pupil is past statutory school leaving age (`leaving.py`): its stored
file, its pupil index and its name keys are deleted, the pupil's details blanked, and the
record stays as `purged` (the fact, for the reports), with an audit event keeping the UPN.
Each record is claimed by a conditional update, so two runs never purge one twice.
"""

from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_noop

from s2s.audit.services import audit_record
from s2s.ctf.words import Text
from s2s.directory.models import LocalAuthority
from s2s.lostpupils import emails
from s2s.lostpupils.leaving import latest_dob_due, leaving_age_date, purge_due
from s2s.lostpupils.models import HELD, LostPupilRecord, RecordStatus
from s2s.transfers.deleted import LPD_PURGED, delete_reason
from s2s.transfers.models import StoredFile, Transfer, TransferStatus
from s2s.transfers.storage import stored_file_delete

SYSTEM = "system"
_BLANKED = {
    "upn": "", "former_upn": "", "surname": "", "forename": "", "middle_names": "",
    "preferred_surname": "", "former_surname": "", "dob": None, "town": "", "postcode": "",
    "name_keys": "", "surname_norm": "", "forename_norm": "", "forename_key": "",
    "dob_swapped": None, "town_norm": "", "postcode_norm": "",
}


def erase(record: LostPupilRecord, *, now: datetime, reason: str, user=None) -> None:
    """Delete the record's file, pupil index and name keys, and blank the pupil's details.

    The caller holds the transaction and has set the record's status. The transfer's row
    stays as `deleted` with the reason, as retention leaves it; sex stays for the reports.
    """
    transfer = record.transfer
    stored_id = transfer.stored_file_id
    Transfer.objects.filter(pk=transfer.pk).update(
        status=TransferStatus.DELETED, stored_file=None, deleted_by=user, deleted_at=now,
        delete_reason=reason[:1000])
    transfer.pupils.all().delete()
    stored = StoredFile.objects.filter(pk=stored_id).first() if stored_id else None
    if stored is not None:
        stored_file_delete(stored)  # the object goes once this commits
    record.names.all().delete()
    LostPupilRecord.objects.filter(pk=record.pk).update(**_BLANKED)


def records_due(*, today: date) -> Iterator[LostPupilRecord]:
    """Yield the held records whose pupil is past leaving age today, oldest first."""
    candidates = (LostPupilRecord.objects.filter(status__in=HELD, dob__lte=latest_dob_due(
        today=today)).select_related("transfer").order_by("dob", "pk"))
    for record in candidates.iterator():
        if purge_due(record.dob, today=today):
            yield record


def lost_pupil_purge(*, record: LostPupilRecord, today: date, now: datetime) -> bool:
    """Purge one record past leaving age; return False if another run (or person) took it."""
    if not purge_due(record.dob, today=today):
        return False
    with transaction.atomic():
        claimed = LostPupilRecord.objects.filter(
            pk=record.pk, status=record.status).update(status=RecordStatus.PURGED,
                                                       purged_at=now)
        if claimed != 1:
            return False
        facts = {"record": record.pk, "file": record.transfer.name, "upn": record.upn,
                 "leaving_age_date": leaving_age_date(record.dob).isoformat()}
        erase(record, now=now, reason=delete_reason(LPD_PURGED))
        audit_record(action="lpd_purge", actor_username=SYSTEM, obj=record,
                     summary=Text(gettext_noop("%(file)s: past leaving age"), file=facts["file"]),
                     detail=facts)
    return True


def next_month(today: date) -> date:
    """Return the first day of the month after `today`'s."""
    return date(today.year + (today.month == 12), today.month % 12 + 1, 1)


def _going_in(records: QuerySet, month: date, *fields: str) -> Iterator[tuple]:
    """Yield `fields` of the held records that will be purged during `month`.

    A record is purged on the first day it is past leaving age, so it goes in `month` when
    that day falls in it.
    """
    first = month.replace(day=1)
    last = next_month(first) - timedelta(days=1)
    before = first - timedelta(days=1)
    candidates = records.filter(status__in=HELD, dob__lte=latest_dob_due(today=last))
    for dob, *values in candidates.values_list("dob", *fields).iterator():
        if purge_due(dob, today=last) and not purge_due(dob, today=before):
            yield values


def due_in_month(*, month: date) -> Counter:
    """Return, per uploading LA id, how many held records will be purged during `month`."""
    return Counter(la_id for (la_id,) in _going_in(LostPupilRecord.objects.all(), month,
                                                   "uploading_la_id"))


def records_going_in(records: QuerySet, *, month: date) -> QuerySet:
    """Narrow `records` to the held ones purged during `month`: the preview email's list."""
    return records.filter(pk__in=[pk for (pk,) in _going_in(records, month, "pk")])


def purge_preview_send(*, month: date) -> int:
    """Email each LA how many of its schools' records go in `month`; return how many LAs."""
    due = due_in_month(month=month)
    sent = 0
    with transaction.atomic():
        for la in LocalAuthority.objects.filter(pk__in=list(due)).exclude(email=""):
            emails.send_purge_preview(la=la, month=month, count=due[la.pk])
            sent += 1
    return sent
