"""Receiving: download one file or several as a streamed zip, collect, reject, withdraw."""

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import PurePath

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from s2s.accounts.policy import Action, can, get_for, scope
from s2s.audit.services import audit_record
from s2s.core.errors import ServiceError
from s2s.core.metrics import count_downloads
from s2s.core.text import text_required
from s2s.transfers import emails
from s2s.transfers.models import Transfer, TransferPupil, TransferStatus
from s2s.transfers.storage import stored_file_delete, stored_file_open
from s2s.transfers.zipstream import zip_stream

MAX_REASON = 1000
MAX_FILES_PER_ZIP = 1000


def _refuse(message: str, code: str, field: str = "file") -> ServiceError:
    return ServiceError(message, code=code, field=field)


def _locked(user, transfer: Transfer, action: str) -> Transfer:
    """Return the transfer again, locked, if the user may do this to it (else Http404)."""
    # Only the transfer's row: PostgreSQL cannot lock the nullable side of the join.
    locked = Transfer.objects.select_for_update(of=("self",)).select_related("stored_file")
    return get_for(user, locked, action, pk=transfer.pk)


def _locked_all(user, transfers: Iterable[Transfer], action: str) -> list[Transfer]:
    """Return the transfers again, locked, in the order given, or raise Http404.

    The user must be allowed this action on every one of them. One query, not one a file:
    a zip may hold hundreds.
    """
    wanted = list(dict.fromkeys(t.pk for t in transfers))
    locked = Transfer.objects.select_for_update(of=("self",)).select_related("stored_file")
    found = {t.pk: t for t in scope(user, locked, action).filter(pk__in=wanted)}
    if len(found) != len(wanted) or not all(can(user, action, t) for t in found.values()):
        raise Http404
    return [found[pk] for pk in wanted]


def _upns_by_transfer(transfers: list[Transfer]) -> dict[int, list[str]]:
    """Return the UPNs each file carried, in the file's order, by transfer id."""
    upns: dict[int, list[str]] = {t.pk: [] for t in transfers}
    rows = (TransferPupil.objects.filter(transfer__in=transfers).exclude(upn="")
            .order_by("transfer", "position").values_list("transfer", "upn"))
    for transfer_id, upn in rows:
        upns[transfer_id].append(upn)
    return upns


def _upns(transfer: Transfer) -> list[str]:
    return _upns_by_transfer([transfer])[transfer.pk]


def _date(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "j F Y")


def redownload_until(transfer: Transfer) -> datetime | None:
    """Return until when a collected file may be downloaded again (S2S_REDOWNLOAD_DAYS)."""
    if transfer.collected_at is None:
        return None
    return transfer.collected_at + timedelta(days=settings.S2S_REDOWNLOAD_DAYS)


def transfer_can_download(transfer: Transfer) -> bool:
    """Return whether the file's state lets its destination download it now."""
    if transfer.stored_file_id is None:
        return False
    if transfer.status == TransferStatus.AWAITING:
        return True
    until = redownload_until(transfer)
    return transfer.status == TransferStatus.COLLECTED and timezone.now() < until


def _check_downloadable(transfer: Transfer) -> None:
    if transfer_can_download(transfer):
        return
    if transfer.status == TransferStatus.COLLECTED:
        days = settings.S2S_REDOWNLOAD_DAYS
        raise _refuse(
            ngettext("%(name)s was collected on %(date)s; it could be downloaded again for "
                     "%(days)s day. Ask the sender to send it again.",
                     "%(name)s was collected on %(date)s; it could be downloaded again for "
                     "%(days)s days. Ask the sender to send it again.", days)
            % {"name": transfer.name, "date": _date(transfer.collected_at), "days": days},
            "redownload_expired",
        )
    if transfer.status == TransferStatus.REJECTED:
        raise _refuse(_("%(name)s was rejected on %(date)s and cannot be downloaded.")
                      % {"name": transfer.name, "date": _date(transfer.rejected_at)}, "rejected")
    raise _refuse(_("%(name)s has been deleted.") % {"name": transfer.name}, "deleted")


def _count_downloads(*, user, transfers: list[Transfer], request, how: str) -> None:
    """Count and audit the download of these files, each audited with the UPNs it carried.

    One update and one UPN query for them all: a zip may hold hundreds.
    """
    now = timezone.now()
    Transfer.objects.filter(pk__in=[t.pk for t in transfers]).update(
        download_count=F("download_count") + 1,
        first_downloaded_at=Coalesce(F("first_downloaded_at"), now), last_downloaded_at=now,
    )
    upns = _upns_by_transfer(transfers)
    for transfer in transfers:
        action = "transfer_re_download" if transfer.download_count else "transfer_download"
        audit_record(action=action, actor=user, obj=transfer, request=request,
                     summary=transfer.name,
                     detail={"name": transfer.name, "how": how, "upns": upns[transfer.pk]})
    count_downloads(len(transfers))


def transfer_open_for_download(*, user, transfer: Transfer, request=None
                               ) -> tuple[str, Iterator[bytes]]:
    """Return the file's name and its verified content, counting and auditing the download.

    Only its destination may download it: while it awaits collection, and for
    `S2S_REDOWNLOAD_DAYS` after it was collected. The first download is audited as
    `transfer_download`, any later one as `transfer_re_download`, with the file's UPNs.
    """
    with transaction.atomic():
        transfer = _locked(user, transfer, Action.RECEIVE_FILES)
        _check_downloadable(transfer)
        reader = stored_file_open(transfer.stored_file)
        try:
            _count_downloads(user=user, transfers=[transfer], request=request, how="file")
            transfer.refresh_from_db()
        except BaseException:
            reader.close()
            raise
    return transfer.name, reader


def _unique_names(transfers: list[Transfer]) -> list[str]:
    seen: set[str] = set()
    names = []
    for transfer in transfers:
        name, number = transfer.name, 1
        while name.upper() in seen:
            number += 1
            path = PurePath(transfer.name)
            name = f"{path.stem}({number}){path.suffix}"
        seen.add(name.upper())
        names.append(name)
    return names


def _entries(transfers: list[Transfer]) -> Iterator[tuple[str, datetime, Iterable[bytes]]]:
    for transfer, name in zip(transfers, _unique_names(transfers), strict=True):
        yield name, timezone.localtime(transfer.uploaded_at), _lazy(transfer)


def _lazy(transfer: Transfer) -> Iterator[bytes]:
    # Opened only when the archive reaches this entry, so one stored object is open at a time.
    with stored_file_open(transfer.stored_file) as reader:
        yield from reader


def transfers_zip_stream(*, user, transfers: Iterable[Transfer], request=None
                         ) -> tuple[str, Iterator[bytes]]:
    """Return a zip name and the zip of several CTFs, streamed entry by entry.

    Every file must be the user's to download (else Http404) and downloadable now; generic
    zips always come one at a time (seed 003, 5.7). Each file's download is counted and
    audited before the stream starts.
    """
    with transaction.atomic():
        chosen = _locked_all(user, transfers, Action.RECEIVE_FILES)
        if not chosen:
            raise _refuse(_("Choose the files to download."), "none_chosen", "transfers")
        if len(chosen) > MAX_FILES_PER_ZIP:
            raise _refuse(_("Choose at most %(count)s files at a time.")
                          % {"count": MAX_FILES_PER_ZIP}, "too_many", "transfers")
        for transfer in chosen:
            if transfer.is_generic:
                raise _refuse(_("%(name)s is a generic zip file: download it on its own.")
                              % {"name": transfer.name}, "generic_in_zip", "transfers")
            _check_downloadable(transfer)
        _count_downloads(user=user, transfers=chosen, request=request, how="zip")
    name = f"s2s-{timezone.localtime():%Y%m%d-%H%M%S}.zip"
    return name, zip_stream(entries=_entries(chosen))


def transfer_collect(*, user, transfer: Transfer, request=None) -> Transfer:
    """Mark a file the destination has downloaded correctly as collected (seed 003, 5.2)."""
    with transaction.atomic():
        transfer = _locked(user, transfer, Action.RECEIVE_FILES)
        if transfer.status == TransferStatus.COLLECTED:
            return transfer
        if transfer.status != TransferStatus.AWAITING:
            raise _refuse(_("%(name)s is %(status)s and cannot be marked collected.")
                          % {"name": transfer.name,
                             "status": transfer.get_status_display().lower()}, "not_awaiting")
        transfer.status = TransferStatus.COLLECTED
        transfer.collected_by, transfer.collected_at = user, timezone.now()
        transfer.save(update_fields=["status", "collected_by", "collected_at"])
        audit_record(action="transfer_collect", actor=user, obj=transfer, request=request,
                     summary=transfer.name,
                     detail={"name": transfer.name, "upns": _upns(transfer)})
        emails.send_transfer_collected(transfer=transfer)
    return transfer


def transfers_collect(*, user, transfers: Iterable[Transfer], request=None) -> list[Transfer]:
    """Mark several downloaded files collected, all or none."""
    with transaction.atomic():
        done = [transfer_collect(user=user, transfer=t, request=request) for t in transfers]
    if not done:
        raise _refuse(_("Choose the files you downloaded correctly."), "none_chosen",
                      "transfers")
    return done


def transfers_confirm_download(*, user, transfers: Iterable[Transfer], request=None
                               ) -> list[Transfer]:
    """Confirm, as the destination's person, that these files downloaded and opened correctly.

    Seed 003, 5.2, as the pages offer it (issue 19): "I downloaded it correctly" comes only
    after a download, so a file nobody has downloaded yet is refused, and none is collected.
    """
    with transaction.atomic():
        chosen = _locked_all(user, transfers, Action.RECEIVE_FILES)
        for transfer in chosen:
            if transfer.status == TransferStatus.AWAITING and not transfer.download_count:
                raise _refuse(_("%(name)s has not been downloaded yet. Download it, check that "
                                "it opens, then confirm it.") % {"name": transfer.name},
                              "not_downloaded")
        return transfers_collect(user=user, transfers=chosen, request=request)


def _reason(reason: str, what: str) -> str:
    return text_required(reason, field="reason", code="reason", limit=MAX_REASON,
                         label=_("reason"),
                         blank=_("Give the reason you %(what)s the file.") % {"what": what})


def transfer_reject(*, user, transfer: Transfer, reason: str, request=None) -> Transfer:
    """Refuse a file awaiting download (wrong school, say), with the reason the sender sees."""
    reason = _reason(reason, _("are rejecting"))
    with transaction.atomic():
        transfer = _locked(user, transfer, Action.RECEIVE_FILES)
        if transfer.status != TransferStatus.AWAITING:
            raise _refuse(_("Only a file waiting to be downloaded can be rejected; %(name)s is "
                            "%(status)s.")
                          % {"name": transfer.name,
                             "status": transfer.get_status_display().lower()}, "not_awaiting")
        transfer.status = TransferStatus.REJECTED
        transfer.rejected_by, transfer.rejected_at = user, timezone.now()
        transfer.reject_reason = reason
        transfer.save(update_fields=["status", "rejected_by", "rejected_at", "reject_reason"])
        audit_record(action="transfer_reject", actor=user, obj=transfer, request=request,
                     summary=transfer.name,
                     detail={"name": transfer.name, "reason": reason, "upns": _upns(transfer)})
        emails.send_transfer_rejected(transfer=transfer)
    return transfer


def transfer_delete(*, user, transfer: Transfer, reason: str, request=None) -> Transfer:
    """Delete a file and its pupil index, keeping the record of the transfer.

    Its sender may withdraw an upload not yet collected; a file sent to the Lost Pupil
    Database stays there (policy `WITHDRAW_FILES`). The audit record keeps its UPNs.
    """
    reason = _reason(reason, _("are deleting"))
    with transaction.atomic():
        transfer = _locked(user, transfer, Action.WITHDRAW_FILES)
        if transfer.status not in (TransferStatus.AWAITING, TransferStatus.REJECTED):
            raise _refuse(_("%(name)s is %(status)s and cannot be deleted.")
                          % {"name": transfer.name,
                             "status": transfer.get_status_display().lower()}, "not_deletable")
        upns = _upns(transfer)
        stored, transfer.stored_file = transfer.stored_file, None
        transfer.status = TransferStatus.DELETED
        transfer.deleted_by, transfer.deleted_at = user, timezone.now()
        transfer.delete_reason = reason
        transfer.save(update_fields=["status", "deleted_by", "deleted_at", "delete_reason",
                                     "stored_file"])
        transfer.pupils.all().delete()
        if stored is not None:
            stored_file_delete(stored)
        audit_record(action="transfer_delete", actor=user, obj=transfer, request=request,
                     summary=transfer.name,
                     detail={"name": transfer.name, "reason": reason, "upns": upns})
    return transfer
