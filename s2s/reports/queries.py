"""Query pieces the reports share: the LA of each end of a transfer, weeks, ages, statuses."""

from datetime import date, timedelta

from django.db.models import Case, Count, IntegerField, Min, Q, Sum, Value, When
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from s2s.core.charts import Chart
from s2s.core.days import midnight
from s2s.transfers.models import DestinationKind, Transfer, TransferStatus

# A file to an establishment or an LA mailbox; not the Lost Pupil Database.
DELIVERED_KINDS = (DestinationKind.SCHOOL, DestinationKind.LA_MAILBOX)
DOWNLOADED = Q(first_downloaded_at__isnull=False) | Q(status=TransferStatus.COLLECTED)

# Ages of a file awaiting download, in days: (label, from, to) with `to` excluded.
AGE_BANDS = (
    (_("0 to 2 days"), 0, 3), (_("3 to 7 days"), 3, 8), (_("8 to 14 days"), 8, 15),
    (_("15 to 28 days"), 15, 29), (_("29 to 60 days"), 29, 61), (_("61 to 90 days"), 61, 91),
    (_("Over 90 days"), 91, None),
)


def week_beginning(day: date) -> date:
    """Return the Monday of the week `day` falls in (weeks begin on Monday)."""
    return day - timedelta(days=day.weekday())


def source_la(field: str = "id"):
    """Return a field (id, number) of the sending LA: the sending school's, or the mailbox's."""
    return Coalesce(f"source_establishment__la__{field}", f"source_la__{field}")


def destination_la(field: str = "id"):
    """Return a field of the receiving LA: the receiving school's, or the LA mailbox's."""
    return Coalesce(f"destination_establishment__la__{field}", f"destination_la__{field}")


def status_counts() -> dict:
    """Return the aggregates of a group: files, pupils, and files in each state."""
    return {
        "files": Count("id"), "pupils": Coalesce(Sum("pupil_count"), 0),
        "awaiting": Count("id", filter=Q(status=TransferStatus.AWAITING)),
        "collected": Count("id", filter=Q(status=TransferStatus.COLLECTED)),
        "rejected": Count("id", filter=Q(status=TransferStatus.REJECTED)),
    }


def age_band(now=None) -> Case:
    """Return the index in AGE_BANDS of a file's age on `now` (by its upload time)."""
    now = now or timezone.now()
    whens = [When(uploaded_at__gt=now - timedelta(days=end), then=Value(i))
             for i, (_label, _start, end) in enumerate(AGE_BANDS) if end is not None]
    return Case(*whens, default=Value(len(AGE_BANDS) - 1), output_field=IntegerField())


def awaiting_by_age(files) -> list[dict]:
    """Return each age band with the files (and pupils) of `files` awaiting, oldest last."""
    counts = {
        row["band"]: row for row in files.filter(status=TransferStatus.AWAITING)
        .annotate(band=age_band()).values("band")
        .annotate(files=Count("id"), pupils=Coalesce(Sum("pupil_count"), 0)).order_by()
    }
    return [{"age": str(label), "files": counts.get(i, {}).get("files", 0),
             "pupils": counts.get(i, {}).get("pupils", 0)}
            for i, (label, _start, _end) in enumerate(AGE_BANDS)]


def age_chart(bands: list[dict], title) -> Chart:
    """Return a chart of files awaiting download by age band."""
    return Chart(title=str(title), x_label=str(_("Age")), y_label=str(_("Files")),
                 bars=[(band["age"], band["files"]) for band in bands])


def weekly(files) -> list[tuple]:
    """Return (Monday, files) for each week from the first file's to the last's, gaps as 0."""
    tz = timezone.get_current_timezone()
    counts = {
        timezone.localtime(row["week"]).date() if hasattr(row["week"], "hour") else row["week"]:
        row["files"]
        for row in files.annotate(week=TruncWeek("uploaded_at", tzinfo=tz)).values("week")
        .annotate(files=Count("id")).order_by()
    }
    return fill_weeks(counts)


def fill_weeks(counts: dict) -> list[tuple]:
    """Return (Monday, files) for each week from the first in `counts` to the last, gaps as 0."""
    if not counts:
        return []
    weeks, week = [], min(counts)
    while week <= max(counts):
        weeks.append((week, counts.get(week, 0)))
        week += timedelta(days=7)
    return weeks


def by_day_windows(params, files, rows_in, *, target: int = 2000):
    """Yield the rows of a report ordered by UK day, reading the range a few days at a time.

    `rows_in(start, end)` returns the rows of files uploaded from `start` up to `end` (two
    local midnights). The first rows come without grouping the whole range: a window starts
    at one day, doubles while it gives fewer than `target` rows, and halves when it gives
    more than four times that. `files` is the run's files: the windows start at the first
    of them, not at "from" (which may be blank, or years before any file).
    """
    earliest = files.aggregate(first=Min("uploaded_at"))["first"]
    if earliest is None:
        return
    first = timezone.localtime(earliest).date()
    days, after_last = 1, params.date_to + timedelta(days=1)
    while first < after_last:
        last = min(first + timedelta(days=days), after_last)
        count = 0
        for row in rows_in(midnight(first), midnight(last)):
            count += 1
            yield row
        first = last
        if count < target:
            days = min(days * 2, 512)
        elif count > 4 * target:
            days = max(days // 2, 1)


def week_chart(weeks: list[tuple], title) -> Chart:
    """Return a chart of files per week."""
    return Chart(title=str(title), x_label=str(_("Week beginning")), y_label=str(_("Files")),
                 bars=[(formats.date_format(week, "j F Y"), files) for week, files in weeks])


def transfers(params, **lookup):
    """Return the transfers uploaded in the run's range, narrowed by lookup, unordered."""
    return Transfer.objects.filter(**params.uploaded(), **lookup).order_by()
