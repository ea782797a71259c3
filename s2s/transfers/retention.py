"""Retention: files deleted a while after collection, or after a longer while uncollected.

Issue 4, "Retention and audit". Days are counted in local dates, so a file collected (or
rejected) on 1 March with `S2S_RETAIN_COLLECTED_DAYS` = 28 is deleted by the first run on or
after 29 March, whatever the hour it was collected; a file still awaiting collection is
deleted `S2S_RETAIN_UNCOLLECTED_DAYS` after the day it was uploaded. Before that, at each of
`S2S_RETENTION_WARN_DAYS` days before, its destination and its sender are warned, once per
mark (generic zips excepted: they get no emails, seed 003, 5.7).

Deleting a file removes its encrypted object and its pupil index (TransferPupil rows); the
Transfer row stays, with status `deleted`, as the fact of the transfer without pupil data,
and an audit event (actor "system") keeps the UPNs the file carried. Files in the Lost Pupil
Database are not this module's: they stay until the pupil is found or reaches leaving age.

Each file is claimed by a conditional update (its status and stored object as read), and
each warning by inserting its `NoticeSent` row, so two runs never do the same thing twice.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_noop

from s2s.audit.services import audit_record
from s2s.core.days import midnight
from s2s.ctf.words import Text
from s2s.transfers import emails
from s2s.transfers.deleted import (
    RETENTION_COLLECTED,
    RETENTION_REJECTED,
    RETENTION_UNCOLLECTED,
)
from s2s.transfers.models import (
    LOST_PUPIL_KINDS,
    NoticeKind,
    NoticeSent,
    StoredFile,
    Transfer,
    TransferStatus,
)
from s2s.transfers.storage import stored_file_delete

SYSTEM = "system"
# NoticeSent rows are kept this long past the uncollected retention period: by then each
# warning's file has gone and each week's reminder is long past.
NOTICE_MARGIN = timedelta(days=14)


def _held() -> QuerySet[Transfer]:
    """Return the files whose content the hub still holds, outside the Lost Pupil Database."""
    return Transfer.objects.filter(stored_file__isnull=False).exclude(
        destination_kind__in=LOST_PUPIL_KINDS
    )


def deletion_date(transfer: Transfer) -> date | None:
    """Return the local date from which retention deletes this file; None if it never does."""
    if transfer.stored_file_id is None or transfer.is_lost_pupil:
        return None
    if transfer.status == TransferStatus.COLLECTED:
        since, days = transfer.collected_at, settings.S2S_RETAIN_COLLECTED_DAYS
    elif transfer.status == TransferStatus.REJECTED:
        since, days = transfer.rejected_at, settings.S2S_RETAIN_COLLECTED_DAYS
    elif transfer.status == TransferStatus.AWAITING:
        since, days = transfer.uploaded_at, settings.S2S_RETAIN_UNCOLLECTED_DAYS
    else:
        return None
    return timezone.localdate(since) + timedelta(days=days)


def _before(today: date, days: int) -> datetime:
    """Return the moment before which something happened `days` or more local days ago."""
    return midnight(today - timedelta(days=days - 1))


def transfers_to_delete(*, now: datetime) -> QuerySet[Transfer]:
    """Return the files due for deletion at this moment, oldest upload first."""
    today = timezone.localdate(now)
    done = _before(today, settings.S2S_RETAIN_COLLECTED_DAYS)
    waiting = _before(today, settings.S2S_RETAIN_UNCOLLECTED_DAYS)
    return _held().filter(
        Q(status=TransferStatus.COLLECTED, collected_at__lt=done)
        | Q(status=TransferStatus.REJECTED, rejected_at__lt=done)
        | Q(status=TransferStatus.AWAITING, uploaded_at__lt=waiting)
    ).order_by("uploaded_at", "pk")


def _reason(transfer: Transfer) -> Text:
    """Return why retention deletes the file: stored in English, worded for each reader."""
    if transfer.status == TransferStatus.AWAITING:
        return Text(RETENTION_UNCOLLECTED, days=settings.S2S_RETAIN_UNCOLLECTED_DAYS)
    template = (RETENTION_REJECTED if transfer.status == TransferStatus.REJECTED
                else RETENTION_COLLECTED)
    return Text(template, days=settings.S2S_RETAIN_COLLECTED_DAYS)


def transfer_purge(*, transfer: Transfer, now: datetime) -> bool:
    """Delete a file's content and pupil index, keeping its row as `deleted`, and audit it.

    The claim is a conditional update on the status and stored object as read: a run that
    finds the file already taken (by another run, or collected meanwhile) does nothing and
    returns False.
    """
    words = _reason(transfer)
    reason = str(words)
    with transaction.atomic():
        upns = list(transfer.pupils.exclude(upn="").values_list("upn", flat=True))
        claimed = Transfer.objects.filter(
            pk=transfer.pk, status=transfer.status, stored_file_id=transfer.stored_file_id,
            stored_file__isnull=False,
        ).update(status=TransferStatus.DELETED, stored_file=None, deleted_by=None,
                 deleted_at=now, delete_reason=reason)
        if claimed != 1:
            return False
        transfer.pupils.all().delete()
        stored = StoredFile.objects.filter(pk=transfer.stored_file_id).first()
        if stored is not None:
            stored_file_delete(stored)  # the object goes once this commits
        audit_record(
            action="transfer_delete", actor_username=SYSTEM, obj=transfer,
            summary=Text(gettext_noop("%(name)s: %(reason)s"), name=transfer.name, reason=words),
            detail={"name": transfer.name, "reason": reason, "retention": transfer.status,
                    "upns": upns},
        )
    return True


@dataclass(frozen=True, slots=True)
class RetentionWarning:
    """A warning due: this file goes on `delete_on`, `days` from today; `mark` is the claim."""

    transfer: Transfer
    delete_on: date
    days: int
    mark: int


def warnings_due(*, now: datetime) -> Iterator[RetentionWarning]:
    """Yield the warnings due now, one per file about to go without having been collected.

    A file within the largest mark of its deletion gets the smallest mark it has reached, so
    a run that is late for several marks sends one warning, not several.
    """
    marks = sorted({int(m) for m in settings.S2S_RETENTION_WARN_DAYS if int(m) > 0})
    if not marks:
        return
    today = timezone.localdate(now)
    keep = settings.S2S_RETAIN_UNCOLLECTED_DAYS
    candidates = _held().ctfs().filter(
        status=TransferStatus.AWAITING,
        uploaded_at__lt=_before(today, keep - marks[-1]),
        uploaded_at__gte=_before(today, keep),
    ).select_related("uploaded_by").order_by("uploaded_at", "pk")
    for transfer in candidates.iterator():
        delete_on = deletion_date(transfer)
        days = (delete_on - today).days
        mark = next(m for m in marks if days <= m)
        yield RetentionWarning(transfer=transfer, delete_on=delete_on, days=days, mark=mark)


def warning_sent(*, warning: RetentionWarning) -> bool:
    """Return whether this warning (or a nearer one) already went."""
    return NoticeSent.objects.filter(
        kind=NoticeKind.RETENTION_WARNING, key=f"transfer:{warning.transfer.pk}",
        period__in=[str(m) for m in settings.S2S_RETENTION_WARN_DAYS if int(m) <= warning.mark],
    ).exists()


def transfer_retention_warn(*, warning: RetentionWarning, now: datetime) -> int | None:
    """Warn the file's destination and sender that it will be deleted; None if already done.

    Return how many emails were queued.
    """
    transfer = warning.transfer
    with transaction.atomic():
        if warning_sent(warning=warning):
            return None
        try:
            with transaction.atomic():
                NoticeSent.objects.create(kind=NoticeKind.RETENTION_WARNING,
                                          key=f"transfer:{transfer.pk}",
                                          period=str(warning.mark), sent_at=now)
        except IntegrityError:
            return None
        common = {"transfer": transfer, "delete_on": warning.delete_on, "days": warning.days}
        sent = emails.send_retention_warning(
            to=emails.destination_addresses(transfer), to_sender=False, **common)
        sent += emails.send_retention_warning(
            to=emails.sender_addresses(transfer), to_sender=True, **common)
    return sent


def notices_prune(*, now: datetime) -> int:
    """Delete `NoticeSent` rows nothing needs any more; return how many."""
    cutoff = now - timedelta(days=settings.S2S_RETAIN_UNCOLLECTED_DAYS) - NOTICE_MARGIN
    deleted, _by_model = NoticeSent.objects.filter(sent_at__lt=cutoff).delete()
    return deleted
