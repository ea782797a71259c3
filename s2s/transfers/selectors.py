"""Reads of transfers, already narrowed by the policy to what the user may see."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Min, QuerySet, Value, When
from django.utils import timezone

from s2s.accounts.policy import Action, get_for, scope, transfer_box
from s2s.transfers.models import Transfer, TransferStatus

_RELATED = ("source_establishment", "source_la", "destination_establishment", "destination_la",
            "redirected_from", "uploaded_by", "source_agency", "destination_agency")


def _awaiting_first(queryset: QuerySet[Transfer]) -> QuerySet[Transfer]:
    return queryset.annotate(
        awaiting_rank=Case(When(status=TransferStatus.AWAITING, then=Value(0)),
                           default=Value(1), output_field=IntegerField())
    ).order_by("awaiting_rank", "uploaded_at", "id")


def transfer_inbox(*, user, generic: bool = False,
                   statuses: tuple[str, ...] = (TransferStatus.AWAITING,)) -> QuerySet[Transfer]:
    """Return the files sent to the user's place, awaiting first, then oldest first.

    CTFs and other statutory files, or with `generic` the generic zips.
    """
    files = scope(user, Transfer.objects.select_related(*_RELATED), Action.RECEIVE_FILES)
    files = files.generic() if generic else files.ctfs()
    return _awaiting_first(files.filter(status__in=statuses))


def transfer_outbox(*, user, status: str | None = None) -> QuerySet[Transfer]:
    """Return the files the user's place sent, newest first; only those in `status` if given."""
    box = transfer_box(user)
    if box is None:
        return Transfer.objects.none()
    files = scope(user, Transfer.objects.select_related(*_RELATED), Action.VIEW_TRANSFERS)
    if status in TransferStatus.values:
        files = files.filter(status=status)
    return files.filter(source_code=box).order_by("-uploaded_at", "-id")


def transfer_get(*, user, pk: int, action: str = Action.VIEW_TRANSFERS) -> Transfer:
    """Return one transfer the user may act on this way, or raise Http404."""
    return get_for(user, Transfer.objects.select_related(*_RELATED, "stored_file"), action, pk=pk)


def transfers_chosen(*, user, ids: list[str]) -> list[Transfer]:
    """Return the chosen files the user may receive, in the inbox's order.

    Ids outside the user's scope are left out, so nobody learns which exist.
    """
    wanted = [int(i) for i in ids if str(i).isdigit()]
    files = scope(user, Transfer.objects.filter(pk__in=wanted), Action.RECEIVE_FILES)
    return list(_awaiting_first(files))


def transfers_by_type(transfers) -> list[tuple[str, list[Transfer]]]:
    """Group files by type code, keeping their order; CTFs first, then the rest by code."""
    groups: dict[str, list[Transfer]] = {}
    for transfer in transfers:
        groups.setdefault(transfer.file_type, []).append(transfer)
    return sorted(groups.items(), key=lambda item: (item[0] != "CTF", item[0]))


def transfer_recently_collected(*, user, generic: bool = False) -> QuerySet[Transfer]:
    """Return the files the user's place collected that it may still download again."""
    since = timezone.now() - timedelta(days=settings.S2S_REDOWNLOAD_DAYS)
    files = scope(user, Transfer.objects.select_related(*_RELATED), Action.RECEIVE_FILES)
    files = files.generic() if generic else files.ctfs()
    return files.filter(status=TransferStatus.COLLECTED, collected_at__gt=since,
                        stored_file__isnull=False).order_by("-collected_at")


def transfer_waiting(*, user, generic: bool = False) -> dict:
    """Return how many files await the user's download and when the oldest was uploaded.

    CTFs and other statutory files, or with `generic` the generic zips: {"files", "oldest"}.
    """
    files = scope(user, Transfer.objects.filter(status=TransferStatus.AWAITING),
                  Action.RECEIVE_FILES)
    files = files.generic() if generic else files.ctfs()
    return files.order_by().aggregate(files=Count("id"), oldest=Min("uploaded_at"))


def transfer_rejected_count(*, user) -> int:
    """Return how many files the user's place sent are rejected and still held."""
    return transfer_outbox(user=user, status=TransferStatus.REJECTED).order_by().count()
