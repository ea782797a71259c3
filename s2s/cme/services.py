"""Recomputing a school's CME signals from its feeds, idempotently, and the nightly job.

A school's marks for the school year so far are read in one query, its roll and exclusions
in one each, and its calendar in a few; the pure rules of `signals.py` run per pupil in
memory; the signals found are matched to those held by (UPN, kind, first day): a run found
again is updated (never fired twice), a new one fires, a held one no longer found is
withdrawn (a recoded mark broke it).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from s2s.audit.services import audit_record
from s2s.calendars.selectors import academic_year_bounds, academic_year_of, school_days
from s2s.cme import roll, signals
from s2s.cme.models import Signal, SignalStatus, Watermark
from s2s.directory.models import Establishment
from s2s.feeds.models import Exclusion, Feed, FeedStatus, Mark, Pupil

SESSION_NAMES = ("AM", "PM")
# Feeds received this long before the watermark are read again: a feed's `received_at` is
# set before its transaction commits, so one may appear after a later one was read.
# Recomputing a school twice changes nothing.
FEED_OVERLAP = timedelta(minutes=15)
_FIELDS = ("fired_on", "school_days", "status", "detail")


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


def _marks_by_pupil(establishment, start: date, end: date) -> tuple[dict, date | None]:
    """Return {pupil id: {(day, session): code}} and the school's last marked day (1 query)."""
    marks, last = defaultdict(dict), None
    rows = (Mark.objects.filter(establishment=establishment, date__range=(start, end))
            .values_list("pupil_id", "date", "session", "code").iterator(chunk_size=20000))
    for pupil_id, day, session, code in rows:
        marks[pupil_id][(day, session)] = code
        if last is None or day > last:
            last = day
    return marks, last


def _runs_of(establishment, today: date) -> dict[tuple, tuple[signals.Run, dict]]:
    """Return every run the rules find at this school this year, by (UPN, kind, first day)."""
    start, end = academic_year_bounds(academic_year_of(today))
    calendar = school_days(establishment=establishment, start=start, end=end)
    nation = establishment.la.nation
    marks, last = _marks_by_pupil(establishment, start, today)
    sessions = [(day, n) for day in calendar.days() if last is not None and day <= last
                for n, name in enumerate(SESSION_NAMES) if name in calendar.sessions(day)]
    pupils = {row["pk"]: row for row in Pupil.objects.filter(establishment=establishment).values(
        "pk", "upn", "surname", "forename", "dob", "entry_date")}
    found = {}
    for pupil_id, pupil_marks in marks.items():
        pupil = pupils.get(pupil_id)
        if pupil is None:
            continue
        for run in signals.attendance_runs(sessions=sessions, marks=pupil_marks, nation=nation,
                                           entry=pupil["entry_date"]):
            found.setdefault((pupil["upn"], run.kind, run.first_day), (run, pupil))
    for run, pupil in _exclusion_runs(establishment, calendar, pupils, today):
        found.setdefault((pupil["upn"], run.kind, run.first_day), (run, pupil))
    found.update(roll.roll_runs(establishment=establishment, today=today))
    return found


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


def signals_recompute(*, establishment: Establishment, today: date | None = None) -> Recomputed:
    """Recompute one school's signals for the school year of `today`, idempotently.

    A run found again keeps its signal (updated: its length, open or closed; a withdrawn one
    restored); a new run fires a new signal; a held signal whose run is gone is withdrawn.
    """
    today = today or timezone.localdate()
    start, end = academic_year_bounds(academic_year_of(today))
    found = _runs_of(establishment, today)
    now, done = timezone.now(), Recomputed()
    with transaction.atomic():
        held = {(s.upn, s.kind, s.first_day): s for s in Signal.objects.select_for_update()
                .filter(establishment=establishment, first_day__range=(start, end))}
        new, changed = [], []
        for key, (run, pupil) in found.items():
            status = SignalStatus.OPEN if run.open else SignalStatus.CLOSED
            values = {"fired_on": run.fired_on, "school_days": run.school_days,
                      "status": status, "detail": run.detail}
            signal = held.get(key)
            if signal is None:
                new.append(Signal(
                    kind=run.kind, establishment=establishment, upn=pupil["upn"],
                    pupil_id=pupil["pk"], surname=pupil["surname"], forename=pupil["forename"],
                    dob=pupil["dob"], first_day=run.first_day, created_at=now, updated_at=now,
                    **values))
            elif any(getattr(signal, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(signal, name, value)
                signal.updated_at, signal.withdrawn_at = now, None
                changed.append(signal)
        for key, signal in held.items():
            if key not in found and signal.status != SignalStatus.WITHDRAWN:
                signal.status, signal.updated_at, signal.withdrawn_at = (
                    SignalStatus.WITHDRAWN, now, now)
                changed.append(signal)
                done.withdrawn += 1
        Signal.objects.bulk_create(new, batch_size=2000)
        Signal.objects.bulk_update(changed, [*_FIELDS, "updated_at", "withdrawn_at"],
                                   batch_size=2000)
    done.fired, done.updated = len(new), len(changed) - done.withdrawn
    roll.roll_after(establishment=establishment, today=today)
    return done


def _changed_schools(since: datetime | None) -> tuple[list[int], datetime | None]:
    """Return the schools with accepted feeds received after `since`, and the latest time."""
    feeds = Feed.objects.filter(status=FeedStatus.ACCEPTED)
    if since is not None:
        feeds = feeds.filter(received_at__gt=since - FEED_OVERLAP)
    latest = feeds.aggregate(latest=Max("received_at"))["latest"]
    return sorted(set(feeds.values_list("establishment_id", flat=True))), latest


def signals_recompute_due(*, full: bool = False, school: str | None = None,
                          today: date | None = None) -> tuple[int, Recomputed]:
    """Recompute the schools whose feeds changed since the last run; return (schools, counts).

    `full`: every school with a roll; `school`: that one school only (the watermark stays).
    The watermark moves to the latest feed read once all its schools are done.
    """
    watermark, _created = Watermark.objects.get_or_create(name="signals")
    if school:
        ids, latest = list(Establishment.objects.filter(code=school).values_list(
            "pk", flat=True)), None
    elif full:
        ids = sorted(set(Pupil.objects.values_list("establishment_id", flat=True)))
        latest = Feed.objects.aggregate(latest=Max("received_at"))["latest"]
    else:
        ids, latest = _changed_schools(watermark.feeds_until)
    total = Recomputed()
    for establishment in Establishment.objects.filter(pk__in=ids).select_related("la"):
        total.add(signals_recompute(establishment=establishment, today=today))
    if latest is not None and (watermark.feeds_until is None or latest > watermark.feeds_until):
        watermark.feeds_until = latest
    watermark.ran_at = timezone.now()
    watermark.save(update_fields=["feeds_until", "ran_at"])
    return len(ids), total


def signals_viewed(*, user, shown: list[Signal], filters: dict, summary: str,
                   request=None) -> None:
    """Audit that these signals (children's names, DOBs) were shown to the user.

    The page and the API both record their reads through this, with the signals and filters.
    """
    audit_record(action="cme_signals_view", actor=user, request=request, summary=summary,
                 detail={"filters": filters, "signals": [signal.pk for signal in shown]})
