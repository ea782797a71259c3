"""Recomputing a school's CME signals from its feeds, idempotently, and the nightly job.

A school's marks for the school year so far are read in one query, one row per pupil
(`feeds.markstore.marks_by_pupil`), its roll and exclusions in one each, and its calendar in
a few; the school's sequence of sessions (`signals.SchoolYear`) is worked out once, and the
rules of `signals.py` scan each pupil's year as one string. The runs found are matched to the
signals held by (UPN, kind, first day): a run found again is updated (never fired twice), a
new one fires, a held one no longer found is withdrawn (a recoded mark broke it); new and
changed signals are written in one bulk upsert.

The nightly run reads each feed once (the watermark and the feeds it read in its overlap)
and, at each school with new feeds, reads again only the pupils whose signals those feeds can
change: a new mark other than a present one, a recoded mark, a new roll row or exclusion, or
an open run (a run can close, or a suspension end, with no new mark of the pupil's own). A
pupil whose only new marks are present ones after the day their signals counted to
(`Signal.counted_to`) keeps every signal: present marks start no run and only lower a rate,
so a rate signal's counts are extended (`signals.rate_extended`) without reading the year.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from s2s.audit.services import audit_record
from s2s.calendars.selectors import academic_year_bounds, academic_year_of, school_days
from s2s.cme import roll, signals
from s2s.cme.models import Signal, SignalStatus, Watermark
from s2s.directory.models import Establishment
from s2s.feeds.markstore import marks_by_pupil
from s2s.feeds.models import Exclusion, Feed, FeedStatus, Mark, MarkVersion, Pupil

SESSION_NAMES = ("AM", "PM")
# Feeds received this long before the watermark are looked at again: a feed's `received_at`
# is set before its transaction commits, so one may appear after a later one was read. The
# watermark keeps the ids of those it has read there, so each feed is read once.
FEED_OVERLAP = timedelta(minutes=15)
_FIELDS = ("fired_on", "school_days", "status", "detail")
_KEY = ("establishment", "upn", "kind", "first_day")
# A nightly run reads only the touched pupils while they are fewer than this share of the
# roll; past it, reading the whole school in one query costs less than choosing.
_SOME_PUPILS = 0.5


@dataclass
class Recomputed:
    """What one recompute did: signals fired, updated, withdrawn."""

    fired: int = 0
    updated: int = 0
    withdrawn: int = 0

    def add(self, other: "Recomputed") -> None:
        self.fired += other.fired
        self.updated += other.updated
        self.withdrawn += other.withdrawn


def _school_year(establishment, calendar, start: date, today: date) -> signals.SchoolYear:
    """Return the school's possible sessions of the year up to its last marked day."""
    last = Mark.objects.filter(establishment=establishment, date__range=(start, today)
                               ).aggregate(last=Max("date"))["last"]
    sessions = [(day, n) for day in calendar.days() if last is not None and day <= last
                for n, name in enumerate(SESSION_NAMES) if name in calendar.sessions(day)]
    return signals.SchoolYear(sessions=sessions, nation=establishment.la.nation, origin=start)


def _runs_of(establishment, today: date,
             only: set[int] | None = None) -> tuple[dict[tuple, tuple], date | None]:
    """Return the runs the rules find at this school this year, by (UPN, kind, first day).

    Each with its pupil; and the school's last marked day. `only`: of these pupils (ids).
    """
    start, end = academic_year_bounds(academic_year_of(today))
    calendar = school_days(establishment=establishment, start=start, end=end)
    year = _school_year(establishment, calendar, start, today)
    on_roll = Pupil.objects.filter(establishment=establishment)
    if only is not None:
        on_roll = on_roll.filter(pk__in=only)
    pupils = {row["pk"]: row for row in on_roll.values(
        "pk", "upn", "surname", "forename", "dob", "entry_date")}
    found = {}
    for pupil_id, marks in marks_by_pupil(establishment_id=establishment.pk, start=start,
                                          end=today, pupil_ids=list(pupils)):
        pupil = pupils.get(pupil_id)
        if pupil is None:
            continue
        for run in signals.pupil_runs(year=year, line=year.line_of_slots(marks),
                                      entry=pupil["entry_date"]):
            found.setdefault((pupil["upn"], run.kind, run.first_day), (run, pupil))
    for run, pupil in _exclusion_runs(establishment, calendar, pupils, today):
        found.setdefault((pupil["upn"], run.kind, run.first_day), (run, pupil))
    # The roll signals come of dates passing as much as of feeds: always the whole school's
    # (one query for its roll), so a partial (nightly) recompute still fires them on time.
    found.update(roll.roll_runs(establishment=establishment, today=today))
    return found, (year.days[-1] if year.days else None)


def _exclusion_runs(establishment, calendar, pupils: dict, today: date):
    """Yield (run, pupil) for the exclusions and suspensions of the school year (1 query)."""
    start, end = academic_year_bounds(academic_year_of(today))
    days = calendar.days()
    year = calendar.calendars.get(academic_year_of(today))
    terms = [(term.start, term.end) for term in year.terms.all()] if year else []
    suspensions = defaultdict(list)
    for exclusion in Exclusion.objects.filter(
            establishment=establishment, rescinded=False, start_date__range=(start, end),
            pupil_id__in=pupils).values("pupil_id", "category", "start_date", "sessions"):
        run = signals.exclusion_day6(
            category=exclusion["category"], start_date=exclusion["start_date"],
            sessions=exclusion["sessions"], school_days=days, today=today)
        if run is not None:
            yield run, pupils[exclusion["pupil_id"]]
        if exclusion["category"] == "suspension":
            suspensions[exclusion["pupil_id"]].append(
                (exclusion["start_date"], exclusion["sessions"]))
    for pupil_id, taken in suspensions.items():
        for run in signals.suspension_limits(suspensions=taken, terms=terms, school_days=days,
                                            today=today):
            yield run, pupils[pupil_id]


def signals_recompute(*, establishment: Establishment, today: date | None = None,
                      pupils: set[int] | None = None) -> Recomputed:
    """Recompute one school's signals for the school year of `today`, idempotently.

    A run found again keeps its signal (updated: its length, open or closed; a withdrawn one
    restored); a new run fires a new signal; a held signal whose run is gone is withdrawn.
    `pupils`: recompute only these pupils (ids) and their signals; None, the whole school.
    """
    today = today or timezone.localdate()
    start, end = academic_year_bounds(academic_year_of(today))
    found, last = _runs_of(establishment, today, pupils)
    now, done = timezone.now(), Recomputed()
    held_signals = Signal.objects.select_for_update().filter(
        establishment=establishment, first_day__range=(start, end))
    if pupils is not None:
        held_signals = held_signals.filter(
            Q(upn__in=Pupil.objects.filter(establishment=establishment, pk__in=pupils)
              .values("upn")) | Q(kind__in=roll.ROLL_KINDS))
    with transaction.atomic():
        held = {(upn, kind, first_day): (pk, values) for pk, upn, kind, first_day, *values
                in held_signals.values_list("pk", "upn", "kind", "first_day", *_FIELDS)}
        written = []
        for key, (run, pupil) in found.items():
            status = SignalStatus.OPEN if run.open else SignalStatus.CLOSED
            values = [run.fired_on, run.school_days, status, run.detail]
            if key in held and held[key][1] == values:
                continue
            done.fired += key not in held
            written.append(Signal(
                kind=run.kind, establishment=establishment, upn=pupil["upn"],
                pupil_id=pupil["pk"], surname=pupil["surname"], forename=pupil["forename"],
                dob=pupil["dob"], first_day=run.first_day, created_at=now, updated_at=now,
                withdrawn_at=None, counted_to=last, **dict(zip(_FIELDS, values, strict=True))))
        gone = [pk for key, (pk, values) in held.items()
                if key not in found and values[2] != SignalStatus.WITHDRAWN]
        Signal.objects.bulk_create(written, batch_size=2000, update_conflicts=True,
                                   unique_fields=_KEY,
                                   update_fields=[*_FIELDS, "updated_at", "withdrawn_at",
                                                  "counted_to"])
        for batch in range(0, len(gone), 2000):
            Signal.objects.filter(pk__in=gone[batch:batch + 2000]).update(
                status=SignalStatus.WITHDRAWN, updated_at=now, withdrawn_at=now)
    done.updated, done.withdrawn = len(written) - done.fired, len(gone)
    roll.roll_after(establishment=establishment, today=today)
    return done


def _changed_schools(watermark: Watermark) -> tuple[dict[int, list[int]], datetime | None]:
    """Return {school: its accepted feeds not yet read}, and the latest time among them.

    Not yet read: received after the watermark, or in the overlap before it and not among
    the feeds the last run read there (one committed late).
    """
    feeds = Feed.objects.filter(status=FeedStatus.ACCEPTED)
    if watermark.feeds_until is not None:
        feeds = feeds.filter(received_at__gt=watermark.feeds_until - FEED_OVERLAP).exclude(
            pk__in=watermark.feeds_read)
    schools, latest = defaultdict(list), None
    for school_id, feed_id, received_at in feeds.values_list("establishment_id", "pk",
                                                            "received_at"):
        schools[school_id].append(feed_id)
        latest = max(latest or received_at, received_at)
    return schools, latest


def _watermark_moved(watermark: Watermark, latest: datetime | None, read: list[int]) -> None:
    """Move the watermark to the latest feed read; remember the feeds read in its overlap."""
    if latest is not None and (watermark.feeds_until is None or latest > watermark.feeds_until):
        watermark.feeds_until = latest
    if watermark.feeds_until is not None:
        watermark.feeds_read = list(Feed.objects.filter(
            pk__in={*read, *watermark.feeds_read},
            received_at__gt=watermark.feeds_until - FEED_OVERLAP).values_list("pk", flat=True))
    watermark.ran_at = timezone.now()
    watermark.save(update_fields=["feeds_until", "feeds_read", "ran_at"])


def signals_night(*, establishment: Establishment, feed_ids: list[int],
                  today: date | None = None) -> Recomputed:
    """Recompute at one school what these (new) feeds can have changed; see the module.

    Leaves the signals a full `signals_recompute` would (the tests and `bench/cme.py` check
    it): pupils with only new present marks after their signals' day keep them, rate counts
    extended; the others the feeds touched, and those with an open run, are read again.
    """
    today = today or timezone.localdate()
    start, end = academic_year_bounds(academic_year_of(today))
    calendar = school_days(establishment=establishment, start=start, end=end)
    read = _pupils_to_read(establishment, feed_ids)
    present = defaultdict(set)  # pupil -> their new present sessions (day, session)
    for pupil_id, day, session, code in Mark.objects.filter(feed_id__in=feed_ids).values_list(
            "pupil_id", "date", "session", "code"):
        if pupil_id in read or SESSION_NAMES[session] not in calendar.sessions(day):
            continue  # a session the calendar does not open is read by no rule
        if day > today or signals.symbol_of(nation=establishment.la.nation, day=day,
                                            code=code) != signals.PRESENT:
            read.add(pupil_id)
        else:
            present[pupil_id].add((day, session))
    extended = _rates_extended(establishment, present, read, start, today)
    roll = Pupil.objects.filter(establishment=establishment).count()
    done = Recomputed()
    if read:
        done = signals_recompute(establishment=establishment, today=today,
                                 pupils=None if len(read) >= _SOME_PUPILS * roll else read)
    Signal.objects.bulk_create(extended, batch_size=2000, update_conflicts=True,
                               unique_fields=_KEY, update_fields=[
                                   "detail", "school_days", "status", "updated_at",
                                   "counted_to"])
    done.updated += len(extended)
    return done


def _pupils_to_read(establishment: Establishment, feed_ids: list[int]) -> set[int]:
    """Return the pupils with an open run, a recoded mark, a new roll row or exclusion."""
    # An open rate signal moves only with the pupil's own marks (extended, or read again).
    read = set(Signal.objects.filter(establishment=establishment, status=SignalStatus.OPEN,
                                     pupil__isnull=False).exclude(kind__in=signals.RATES)
               .values_list("pupil_id", flat=True))
    read.update(MarkVersion.objects.filter(replaced_by_id__in=feed_ids)
                .values_list("pupil_id", flat=True))
    read.update(Pupil.objects.filter(feed_id__in=feed_ids).values_list("pk", flat=True))
    read.update(Exclusion.objects.filter(feed_id__in=feed_ids)
                .values_list("pupil_id", flat=True))
    return read


def _rates_extended(establishment, present: dict, read: set, start: date,
                    today: date) -> list[Signal]:
    """Return the rate signals of pupils with only new present marks, their counts extended.

    A pupil with a present mark on or before the day their signal counted to (a gap filled
    in, or a feed read again) is added to `read` instead.
    """
    held = defaultdict(list)
    for signal in Signal.objects.filter(
            establishment=establishment, pupil_id__in=list(present.keys() - read),
            kind__in=signals.RATES,
            first_day__range=(start, today)).exclude(status=SignalStatus.WITHDRAWN):
        held[signal.pupil_id].append(signal)
    last = Mark.objects.filter(establishment=establishment, date__range=(start, today)
                               ).aggregate(last=Max("date"))["last"]
    now, extended = timezone.now(), []
    for pupil_id, rates in held.items():
        sessions = present[pupil_id]
        if any(s.counted_to is None or min(sessions)[0] <= s.counted_to for s in rates):
            read.add(pupil_id)
            continue
        for signal in rates:
            signal.detail, signal.school_days, still = signals.rate_extended(
                kind=signal.kind, detail=signal.detail, school_days=signal.school_days,
                present=len(sessions), days=len({day for day, _session in sessions}))
            signal.status = SignalStatus.OPEN if still else SignalStatus.CLOSED
            signal.updated_at, signal.counted_to = now, last
            extended.append(signal)
    return extended


def signals_recompute_due(*, full: bool = False, school: str | None = None,
                          today: date | None = None) -> tuple[int, Recomputed]:
    """Recompute the schools whose feeds changed since the last run; return (schools, counts).

    `full`: every school with a roll; `school`: that one school only (the watermark stays).
    Otherwise, in each school with new feeds, the pupils they touched (see the module).
    The watermark moves to the latest feed read once all its schools are done.
    """
    watermark, _created = Watermark.objects.get_or_create(name="signals")
    feeds: dict[int, list[int]] = {}
    read, latest = [], None
    if school:
        ids = list(Establishment.objects.filter(code=school).values_list("pk", flat=True))
    elif full:
        ids = sorted(set(Pupil.objects.values_list("establishment_id", flat=True)))
        latest = Feed.objects.aggregate(latest=Max("received_at"))["latest"]
        if latest is not None:
            read = list(Feed.objects.filter(received_at__gt=latest - FEED_OVERLAP)
                        .values_list("pk", flat=True))
    else:
        feeds, latest = _changed_schools(watermark)
        ids, read = sorted(feeds), [pk for school_feeds in feeds.values() for pk in school_feeds]
    total = Recomputed()
    for establishment in Establishment.objects.filter(pk__in=ids).select_related("la"):
        if establishment.pk in feeds and watermark.feeds_until is not None:
            total.add(signals_night(establishment=establishment,
                                    feed_ids=feeds[establishment.pk], today=today))
        else:
            total.add(signals_recompute(establishment=establishment, today=today))
    if not school:
        _watermark_moved(watermark, latest, read)
    return len(ids), total


def signals_viewed(*, user, shown: list[Signal], filters: dict, summary: str,
                   request=None) -> None:
    """Audit that these signals (children's names, DOBs) were shown to the user.

    The page and the API both record their reads through this, with the signals and filters.
    """
    audit_record(action="cme_signals_view", actor=user, request=request, summary=summary,
                 detail={"filters": filters, "signals": [signal.pk for signal in shown]})
