"""The report counts (`models.py`): refreshed for closed UK days, read with the newest days live.

`report_counts_refresh` counts the UK days that have closed since it last ran (the scheduler
runs `s2s refresh_report_counts` nightly; running it again does nothing new). A report reads
the counted days from the counts and the days after them (today, or more if a night was
missed) from the transfers, so its figures are the same as counting every transfer.
"""

from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, Q, Sum, Value
from django.db.models.fields import DateField
from django.db.models.functions import Coalesce, ExtractHour, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from s2s.core.days import midnight
from s2s.reports.models import DownloadCount, HourCount, LAMonthCount, Rollup
from s2s.reports.queries import destination_la, source_la
from s2s.transfers.models import Transfer

NAME = "transfers"
# A day is counted once it has been over this long: an upload or download that began before
# midnight has long committed by then.
SETTLE = timedelta(hours=1)
DAYS_AT_A_TIME = 200  # earlier upload days counted again in one query, when downloaded late


def _month_end(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def last_closed_day(now: datetime | None = None) -> date:
    """Return the last UK day that has been over for SETTLE (yesterday, until 01:00)."""
    return timezone.localdate((now or timezone.now()) - SETTLE) - timedelta(days=1)


def counted_through() -> date | None:
    """Return the last UK day in the counts, or None if they have never been refreshed."""
    return Rollup.objects.filter(name=NAME).values_list("through", flat=True).first()


def _uploaded(start: date | None, end: date) -> Q:
    """Return the filter for files uploaded on the UK days start..end (None: from the first)."""
    q = Q(uploaded_at__lt=midnight(end + timedelta(days=1)))
    return q & Q(uploaded_at__gte=midnight(start)) if start is not None else q


def _hour_keys() -> dict:
    """Return the counts' keys worked out from a transfer (file_type is its own field)."""
    tz = timezone.get_current_timezone()
    return {
        "day": TruncDate("uploaded_at", tzinfo=tz),
        "hour": ExtractHour("uploaded_at", tzinfo=tz),
        "from_school": ExpressionWrapper(
            Q(source_establishment__isnull=False), output_field=BooleanField()
        ),
    }


def _totals() -> dict:
    return {"files": Count("id"), "pupils": Coalesce(Sum("pupil_count"), 0)}


# Refreshing


def report_counts_refresh(
    *, now: datetime | None = None, rebuild: bool = False,
    progress: Callable[[str], None] | None = None,
) -> tuple[date | None, date] | None:
    """Count the UK days closed since the last refresh; return the (first, last) day counted.

    Returns None when there was nothing new. `rebuild` counts every day again from the
    transfers (after a school has moved to another LA, say). Two runs at once take turns.
    `progress` is told of each step as it finishes (a rebuild reads every transfer three times).
    """
    now = now or timezone.now()
    last = last_closed_day(now)
    Rollup.objects.get_or_create(name=NAME)
    with transaction.atomic():
        state = Rollup.objects.select_for_update().get(name=NAME)
        if rebuild:
            state.through = None
        if state.through is not None and state.through >= last:
            return None
        first = state.through + timedelta(days=1) if state.through is not None else None
        if progress:
            progress((_("Counting the days from %(first)s to %(last)s") if first
                      else _("Counting the days from the first transfer to %(last)s"))
                     % {"first": first, "last": last})
        for line, count in ((_("Counted uploads by hour: %(rows)d rows"), _count_hours),
                            (_("Counted LAs' months: %(rows)d rows"), _count_months),
                            (_("Counted first downloads: %(rows)d rows"), _count_downloads)):
            rows = count(first, last)
            if progress:
                progress(line % {"rows": rows})
        state.through, state.refreshed_at = last, now
        state.save()
    return first, last


def _since(field: str, first: date | None) -> dict:
    """Return the lookup for the counts from `first` on (None: every count)."""
    return {f"{field}__gte": first} if first is not None else {}


def _insert(model, rows, **fields) -> int:
    """Insert a count for each of the grouped rows (with `fields`); return how many.

    `rows` is a values() queryset named as the count's fields. It runs as one
    INSERT ... SELECT in the database, so no row passes through Python: a rebuild's
    million rows take no more memory than a night's few hundred.
    """
    rows = rows.annotate(**{name: Value(value) for name, value in fields.items()})
    db = connections[rows.db]
    compiler = rows.query.get_compiler(connection=db)
    try:
        select, params = compiler.as_sql()
    except EmptyResultSet:
        return 0
    # The SELECT's columns in its own order, each aliased with the count's field it fills.
    columns = ", ".join(
        db.ops.quote_name(model._meta.get_field(alias).column)
        for _expression, _sql, alias in compiler.select
    )
    with db.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {db.ops.quote_name(model._meta.db_table)} ({columns}) {select}",
            params,
        )
        return cursor.rowcount


def _count_hours(first: date | None, last: date) -> int:
    HourCount.objects.filter(**_since("day", first)).delete()
    return _insert(
        HourCount,
        Transfer.objects.filter(_uploaded(first, last))
        .order_by()
        .values("file_type", **_hour_keys())
        .annotate(**_totals()),
    )


def _count_months(first: date | None, last: date) -> int:
    """Count again each month with a new day (the newest holds the days up to `last`)."""
    month = first.replace(day=1) if first else None
    LAMonthCount.objects.filter(**_since("month", month)).delete()
    files = (
        Transfer.objects.filter(_uploaded(month, last))
        .order_by()
        .annotate(
            month=TruncMonth(
                "uploaded_at", tzinfo=timezone.get_current_timezone(), output_field=DateField()
            )
        )
    )
    return sum(
        _insert(
            LAMonthCount,
            files.annotate(la_id=la)
            .filter(la_id__isnull=False)
            .values("month", "la_id", "file_type")
            .annotate(**_totals()),
            sent=sent,
        )
        for sent, la in ((True, source_la()), (False, destination_la()))
    )


def _count_downloads(first: date | None, last: date) -> int:
    """Count the new days' files, and again each earlier day's with a first download since."""
    end = midnight(last + timedelta(days=1))
    DownloadCount.objects.filter(**_since("uploaded_on", first)).delete()
    rows = _insert_downloads(_uploaded(first, last), end)
    if first is None:
        return rows
    earlier = sorted(
        Transfer.objects.filter(
            first_downloaded_at__gte=midnight(first),
            first_downloaded_at__lt=end,
            uploaded_at__lt=midnight(first),
        )
        .order_by()
        .values_list(TruncDate("uploaded_at", tzinfo=timezone.get_current_timezone()), flat=True)
        .distinct()
    )
    for at in range(0, len(earlier), DAYS_AT_A_TIME):
        days = earlier[at : at + DAYS_AT_A_TIME]
        DownloadCount.objects.filter(uploaded_on__in=days).delete()
        uploaded = Q()
        for day in days:
            uploaded |= _uploaded(day, day)
        rows += _insert_downloads(uploaded, end)
    return rows


def _insert_downloads(uploaded: Q, end: datetime) -> int:
    tz = timezone.get_current_timezone()
    return _insert(
        DownloadCount,
        Transfer.objects.filter(uploaded, first_downloaded_at__lt=end)
        .order_by()
        .values(
            uploaded_on=TruncDate("uploaded_at", tzinfo=tz),
            hour=ExtractHour("first_downloaded_at", tzinfo=tz),
        )
        .annotate(files=Count("id")),
    )


# Reading


def _renamed(rows):
    """Return the counts' sums (n, p) as the transfers' are named (files, pupils)."""
    return ({**row, "files": row.pop("n"), "pupils": row.pop("p")} for row in rows)


def uploads_counted(params, by: tuple[str, ...], **lookup) -> dict[tuple, dict]:
    """Return files and pupils uploaded in the run's range, grouped by `by`, narrowed by lookup.

    `by` and `lookup` name the counts' keys: day, hour, file_type, from_school.
    """
    through = counted_through()
    totals: dict[tuple, dict] = {}

    def add(rows):
        for row in rows:
            total = totals.setdefault(tuple(row[key] for key in by), {"files": 0, "pupils": 0})
            total["files"] += row["files"]
            total["pupils"] += row["pupils"]

    live_from = params.date_from
    if through is not None and (params.date_from is None or params.date_from <= through):
        counted = HourCount.objects.filter(day__lte=min(through, params.date_to), **lookup)
        if params.date_from is not None:
            counted = counted.filter(day__gte=params.date_from)
        add(_renamed(counted.values(*by).annotate(n=Sum("files"), p=Sum("pupils"))))
        live_from = through + timedelta(days=1)
    if live_from is None or live_from <= params.date_to:
        keys = _hour_keys()
        add(
            Transfer.objects.filter(_uploaded(live_from, params.date_to))
            .order_by()
            .annotate(**{k: v for k, v in keys.items() if k in by or k in lookup})
            .filter(**lookup)
            .values(*by)
            .annotate(**_totals())
        )
    return totals


def downloads_by_hour(params) -> list[int]:
    """Return, for each UK hour, the files uploaded in the run's range first downloaded then."""
    tz = timezone.get_current_timezone()
    through = counted_through()
    hours = [0] * 24
    files = Transfer.objects.filter(**params.uploaded()).order_by()
    if through is None:
        files = files.filter(first_downloaded_at__isnull=False)
    else:
        counted = DownloadCount.objects.filter(uploaded_on__lte=min(through, params.date_to))
        if params.date_from is not None:
            counted = counted.filter(uploaded_on__gte=params.date_from)
        for hour, count in counted.values_list("hour").annotate(Sum("files")).order_by():
            hours[hour] += count
        # Files counted above were first downloaded by `through`; these after it.
        files = files.filter(first_downloaded_at__gte=midnight(through + timedelta(days=1)))
    for hour, count in files.values_list(ExtractHour("first_downloaded_at", tzinfo=tz)).annotate(
        Count("id")
    ):
        hours[hour] += count
    return hours


def _month_split(first: date | None, last: date, through: date | None):
    """Return the counted months wholly inside the days first..last, and the days left over.

    Returns ((first month or None for the earliest, last month) or None, [(from, to), ...]):
    the newest counted month holds only the days up to `through`.
    """
    if first is not None and first > last:
        return None, []
    if through is None:
        return None, [(first, last)]
    end = min(last, through)
    start = first if first is None or first.day == 1 else _month_end(first) + timedelta(days=1)
    month = end.replace(day=1)
    if end not in (through, _month_end(end)):
        month = (month - timedelta(days=1)).replace(day=1)
    if start is not None and start > month:
        return None, [(first, last)]
    covered_to = min(_month_end(month), through)
    live = [(first, start - timedelta(days=1))] if first is not None and first < start else []
    if covered_to < last:
        live.append((covered_to + timedelta(days=1), last))
    return (start, month), live


def la_counts(params) -> dict[tuple, dict]:
    """Return, by (LA id, file type), the files sent and received and the pupils sent."""
    months, live = _month_split(params.date_from, params.date_to, counted_through())
    counts: dict[tuple, dict] = {}

    def add(rows, sent: bool):
        for row in rows:
            count = counts.setdefault((row["la_id"], row["file_type"]), {})
            if sent:
                count["sent"] = count.get("sent", 0) + row["files"]
                count["pupils_sent"] = count.get("pupils_sent", 0) + row["pupils"]
            else:
                count["received"] = count.get("received", 0) + row["files"]

    if months is not None:
        counted = LAMonthCount.objects.filter(month__lte=months[1]).order_by()
        if months[0] is not None:
            counted = counted.filter(month__gte=months[0])
        for sent in (True, False):
            add(
                _renamed(
                    counted.filter(sent=sent)
                    .values("la_id", "file_type")
                    .annotate(n=Sum("files"), p=Sum("pupils"))
                ),
                sent,
            )
    if live:
        uploaded = Q()
        for first, last in live:
            uploaded |= _uploaded(first, last)
        files = Transfer.objects.filter(uploaded).order_by()
        for sent, la in ((True, source_la()), (False, destination_la())):
            add(
                files.annotate(la_id=la)
                .filter(la_id__isnull=False)
                .values("la_id", "file_type")
                .annotate(**_totals()),
                sent,
            )
    return counts
