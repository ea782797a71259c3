"""Feed retention: raw bodies, then marks, roll and exclusions older than last year.

Raw bodies go after S2S_FEED_RETAIN_DAYS. What is kept is the current and the previous
academic year (1 September to 31 August): a mark, a replaced version, a quarantined mark or
an exclusion dated before the previous year's 1 September goes, as does a pupil no longer on
roll who left (or went missing from a full roll) before it, and a feed received before it
once nothing kept still points at it.
Deletions run in batches of primary keys, so a large purge never holds one huge statement.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from s2s.calendars.selectors import academic_year_bounds, academic_year_of
from s2s.core.days import midnight
from s2s.feeds.models import Exclusion, Feed, Mark, MarkVersion, Pupil, QuarantinedMark
from s2s.feeds.services import feed_raw_delete

BATCH = 5000


def kept_from(*, today: date) -> date:
    """Return the first day kept: 1 September of the academic year before today's."""
    first, _last = academic_year_bounds(academic_year_of(today))
    return first.replace(year=first.year - 1)


def raw_due(*, now: datetime) -> QuerySet:
    """Return the feeds whose raw body is older than S2S_FEED_RETAIN_DAYS."""
    before = now - timedelta(days=settings.S2S_FEED_RETAIN_DAYS)
    return Feed.objects.filter(raw__isnull=False, received_at__lt=before).order_by("pk")


def records_due(*, today: date) -> dict[str, QuerySet]:
    """Return, by name, the rows older than the previous academic year, in deletion order."""
    cutoff = kept_from(today=today)
    start = midnight(cutoff)
    return {
        "marks": Mark.objects.filter(date__lt=cutoff),
        "replaced marks": MarkVersion.objects.filter(date__lt=cutoff),
        "quarantined marks": QuarantinedMark.objects.filter(date__lt=cutoff),
        "exclusions": Exclusion.objects.filter(start_date__lt=cutoff),
        "pupils": Pupil.objects.filter(on_roll=False).filter(
            Q(leaving_date__lt=cutoff) | Q(leaving_date__isnull=True, missing_since__lt=start)),
        "feeds": Feed.objects.filter(received_at__lt=start).exclude(
            pk__in=Mark.objects.values("feed_id")).exclude(
            pk__in=MarkVersion.objects.values("feed_id")).exclude(
            pk__in=MarkVersion.objects.values("replaced_by_id")),
    }


@dataclass
class Purged:
    name: str
    count: int


def _delete_batches(rows: QuerySet, limit: int | None, dry_run: bool) -> int:
    if dry_run:
        count = rows.count()
        return min(count, limit) if limit is not None else count
    done = 0
    while limit is None or done < limit:
        size = BATCH if limit is None else min(BATCH, limit - done)
        pks = list(rows.order_by("pk").values_list("pk", flat=True)[:size])
        if not pks:
            break
        with transaction.atomic():
            rows.model.objects.filter(pk__in=pks).delete()
        done += len(pks)
    return done


def feeds_purge(*, now: datetime | None = None, limit: int | None = None,
                dry_run: bool = False) -> list[Purged]:
    """Delete what retention allows (at most `limit` of each kind); return what went."""
    now = now or timezone.now()
    raw = raw_due(now=now)
    if dry_run:
        raw_count = min(raw.count(), limit) if limit is not None else raw.count()
    else:
        raw_count = sum(feed_raw_delete(feed=feed) for feed in raw[:limit].iterator())
    done = [Purged("raw feed bodies", raw_count)]
    for name, rows in records_due(today=timezone.localdate(now)).items():
        done.append(Purged(name, _delete_batches(rows, limit, dry_run)))
    return done
