"""Recomputing a school's CME signals from its feeds, idempotently, and the nightly job.

A school's marks for the school year so far are read in one query, one row per pupil
(`feeds.markstore.marks_by_pupil`), its roll and exclusions in one each, and its calendar in
a few; the school's sequence of sessions (`signals.SchoolYear`) is worked out once, and the
rules of `signals.py` scan each pupil's year as one string. The runs found are matched to the
signals held by (UPN, kind, first day): a run found again is updated (never fired twice), a
new one fires, a held one no longer found is withdrawn (a recoded mark broke it); new and
changed signals are written in one bulk upsert.

The nightly run reads each feed once (the watermark and the feeds it read in its overlap)
and, at each school with new feeds, carries each pupil's rule state (`RunState`: where every
rule stood at the end of the sessions last read, `signals.state_of`) on over the sessions
marked since (`signals.state_advanced`), reading only those sessions' marks: a night costs its
feed's size, not the year's. A pupil with no usable state, a recoded mark, a late mark on a
day already read or a new roll row has their year read again. The exclusion and roll signals
are read for the whole school every time: they move as days pass. A school year's first
night carries the runs of absence going on at the end of the last one into it.
"""

import json
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from s2s.audit.services import audit_record
from s2s.calendars.selectors import academic_year_bounds, academic_year_of, school_days
from s2s.cme import roll, signals
from s2s.cme.models import RunState, Signal, SignalStatus, Watermark
from s2s.directory.models import Establishment
from s2s.feeds.markstore import mark_slot, marks_by_pupil
from s2s.feeds.models import Exclusion, Feed, FeedStatus, Mark, MarkVersion, Pupil

SESSION_NAMES = ("AM", "PM")
# Feeds received this long before the watermark are looked at again: a feed's `received_at`
# is set before its transaction commits, so one may appear after a later one was read. The
# watermark keeps the ids of those it has read there, so each feed is read once.
FEED_OVERLAP = timedelta(minutes=15)
_FIELDS = ("fired_on", "school_days", "status", "detail")
_KEY = ("establishment", "upn", "kind", "first_day")


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


def _pupils_on_roll(establishment, only: set[int] | None = None) -> dict[int, dict]:
    on_roll = Pupil.objects.filter(establishment=establishment)
    if only is not None:
        on_roll = on_roll.filter(pk__in=only)
    return {row["pk"]: row for row in on_roll.values(
        "pk", "upn", "surname", "forename", "dob", "entry_date")}


def _runs_of(establishment, calendar, year: signals.SchoolYear, start: date, today: date,
             pupils: dict[int, dict], only: set[int] | None = None) -> tuple[dict, list]:
    """Return the attendance runs the rules find reading these pupils' year, and their states.

    Runs by (UPN, kind, first day), each with its pupil; states as `RunState` rows, one for
    every pupil read (those with no mark this year too). `only`: these pupils (ids) of
    `pupils`; None, all of them.
    """
    ids = list(pupils) if only is None else [pk for pk in only if pk in pupils]
    carried = _carried_in(ids, start)
    found, states = {}, {}

    def read(pupil_id: int, line: str) -> None:
        pupil = pupils[pupil_id]
        for run in signals.pupil_runs(year=year, line=line, entry=pupil["entry_date"],
                                      carried=carried.get(pupil_id)):
            found.setdefault((pupil["upn"], run.kind, run.first_day), (run, pupil))
        states[pupil_id] = signals.state_of(year=year, line=line, entry=pupil["entry_date"],
                                            carried=carried.get(pupil_id))

    for pupil_id, marks in marks_by_pupil(establishment_id=establishment.pk, start=start,
                                          end=today, pupil_ids=ids):
        if pupil_id in pupils:
            read(pupil_id, year.line_of_slots(marks))
    if year.days:
        empty = signals.state_of(year=year, line=signals.NO_MARK * len(year.days))
        for pupil_id in ids:
            if pupil_id in carried and pupil_id not in states:
                read(pupil_id, signals.NO_MARK * len(year.days))
            states.setdefault(pupil_id, empty)
    return found, _state_rows(establishment, year, start, states)


def _previous_year_start(start: date) -> date:
    return academic_year_bounds(academic_year_of(start - timedelta(days=1)))[0]


def _carried_in(pupil_ids: list[int], start: date) -> dict[int, list]:
    """Return the continuous runs each pupil carried into this school year, by pupil.

    Kept in the pupil's state of this year; else taken from their state at the end of the
    previous one (the last that year's recomputes read). None known: none carried.
    """
    carried = {}
    for pupil_id, year_start, state in RunState.objects.filter(
            pupil_id__in=pupil_ids, year_start__in=[start, _previous_year_start(start)]
    ).values_list("pupil_id", "year_start", "state"):
        runs = (state[4] if len(state) > 4 else None) if year_start == start else (
            signals.carried_into_next_year(state))
        if runs:
            carried[pupil_id] = runs
    return carried


def _state_rows(establishment, year: signals.SchoolYear, start: date,
                states: dict[int, list]) -> list[RunState]:
    if not year.days:
        return []
    return [RunState(pupil_id=pupil_id, establishment=establishment, year_start=start,
                     sessions=len(year.days), counted_to=year.days[-1], state=state)
            for pupil_id, state in states.items()]


_STATE_COLUMNS = ("pupil_id", "establishment_id", "year_start", "sessions", "counted_to",
                  "state")


def _states_written(rows: list[RunState]) -> None:
    """Write the pupils' states (a night writes every pupil's) in one upsert."""
    if connection.vendor != "postgresql":
        RunState.objects.bulk_create(rows, batch_size=2000, update_conflicts=True,
                                     unique_fields=["pupil"], update_fields=list(
                                         _STATE_COLUMNS[1:]))
        return
    _copy_upserted(RunState, _STATE_COLUMNS, [
        (row.pupil_id, row.establishment_id, row.year_start, row.sessions, row.counted_to,
         json.dumps(row.state)) for row in rows], conflict=("pupil_id",),
        update=_STATE_COLUMNS[1:])


def _copy_upserted(model, columns: tuple[str, ...], rows: list[tuple], *,
                   conflict: tuple[str, ...], update: tuple[str, ...]) -> None:
    """Upsert rows on PostgreSQL: COPY, then one `INSERT ... ON CONFLICT` from a temp table.

    The temporary table has the table's columns; a night writes tens of thousands of rows,
    which `bulk_create` would build and bind value by value in Python.
    """
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    stage, names = f"{model._meta.db_table}_stage", ", ".join(columns)
    # No savepoint: the stage is emptied first, and the caller's transaction is the unit.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} ON COMMIT DELETE ROWS "
                       f"AS SELECT {names} FROM {table} WITH NO DATA")
        cursor.execute(f"TRUNCATE {stage}")
        with cursor.cursor.copy(f"COPY {stage} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM {stage} ON CONFLICT "
            f"({', '.join(conflict)}) DO UPDATE SET "
            + ", ".join(f"{column} = EXCLUDED.{column}" for column in update))


_SIGNAL_COLUMNS = ("kind", "establishment_id", "upn", "pupil_id", "surname", "forename", "dob",
                   "first_day", "created_at", "updated_at", "withdrawn_at", "counted_to",
                   "fired_on", "school_days", "status", "detail")
_SIGNAL_UPDATED = (*_FIELDS, "updated_at", "withdrawn_at", "counted_to")


def _signals_upserted(written: list[Signal]) -> None:
    """Write new and changed signals: one upsert on their (school, UPN, kind, first day)."""
    if connection.vendor != "postgresql":
        Signal.objects.bulk_create(written, batch_size=2000, update_conflicts=True,
                                   unique_fields=_KEY, update_fields=list(_SIGNAL_UPDATED))
        return
    _copy_upserted(Signal, _SIGNAL_COLUMNS, [
        (s.kind, s.establishment_id, s.upn, s.pupil_id, s.surname, s.forename, s.dob,
         s.first_day, s.created_at, s.updated_at, s.withdrawn_at, s.counted_to, s.fired_on,
         s.school_days, s.status, json.dumps(s.detail)) for s in written],
        conflict=("establishment_id", "upn", "kind", "first_day"), update=_SIGNAL_UPDATED)


def _school_runs(establishment, calendar, pupils: dict, today: date) -> dict:
    """Return the runs that come of dates passing as much as of marks, for the whole school.

    Exclusions and suspensions (one query), and the roll signals (`cme/roll.py`).
    """
    found = {}
    for run, pupil in _exclusion_runs(establishment, calendar, pupils, today):
        found.setdefault((pupil["upn"], run.kind, run.first_day), (run, pupil))
    found.update(roll.roll_runs(establishment=establishment, today=today))
    return found


def _exclusion_runs(establishment, calendar, pupils: dict, today: date):
    """Yield (run, pupil) for the exclusions and suspensions of the school year (1 query).

    Last year's too: an exclusion going on over the summer counts its school days on into
    this year (the holiday is none), from a calendar of three years read only then. The
    suspension limits count the days taken this year: a suspension from July goes on into
    September's term and year.
    """
    start, end = academic_year_bounds(academic_year_of(today))
    exclusions = list(Exclusion.objects.filter(
        establishment=establishment, rescinded=False,
        start_date__range=(_previous_year_start(start), end),
        pupil_id__in=list(pupils)).values("pupil_id", "category", "start_date", "sessions"))
    days = calendar.days()
    if any(_beyond(exclusion, days) for exclusion in exclusions):
        after = academic_year_bounds(academic_year_of(end + timedelta(days=1)))[1]
        days = school_days(establishment=establishment, start=_previous_year_start(start),
                           end=after).days()
    year = calendar.calendars.get(academic_year_of(today))
    terms = [(term.start, term.end) for term in year.terms.all()] if year else []
    suspensions = defaultdict(list)
    for exclusion in exclusions:
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
                                            today=today, within=(start, end)):
            yield run, pupils[pupil_id]


def _beyond(exclusion: dict, days: list[date]) -> bool:
    """Whether an exclusion's days (to its 6th, or its length) reach past this year's days."""
    if exclusion["start_date"] < (days[0] if days else date.max):
        return True
    needed = max(signals.DAY_OF_PROVISION, -(-exclusion["sessions"] // 2))
    return len(days) - bisect_left(days, exclusion["start_date"]) < needed


def signals_recompute(*, establishment: Establishment, today: date | None = None,
                      pupils: set[int] | None = None) -> Recomputed:
    """Recompute one school's signals for the school year of `today`, idempotently.

    A run found again keeps its signal (updated: its length, open or closed; a withdrawn one
    restored); a new run fires a new signal; a held signal whose run is gone is withdrawn.
    `pupils`: read again only these pupils' (ids) years; None, the whole school. Either way
    the exclusion and roll signals are the whole school's, and the pupils read have their
    rule state (`RunState`) written for the nightly run.
    """
    today = today or timezone.localdate()
    start, end = academic_year_bounds(academic_year_of(today))
    calendar = school_days(establishment=establishment, start=start, end=end)
    year = _school_year(establishment, calendar, start, today)
    on_roll = _pupils_on_roll(establishment)
    found, states = _runs_of(establishment, calendar, year, start, today, on_roll, pupils)
    found.update(_school_runs(establishment, calendar, on_roll, today))
    read = None if pupils is None else {on_roll[pk]["upn"] for pk in pupils if pk in on_roll}
    done = _signals_written(establishment, found, start, end, year, read)
    _states_written(states)
    roll.roll_after(establishment=establishment, today=today)
    return done


# The signals every recompute reads for the whole school: they move as days pass.
_SCHOOL_KINDS = roll.ROLL_KINDS | {signals.Kind.EXCLUSION_DAY6, signals.Kind.SUSPENSIONS_TERM,
                                   signals.Kind.SUSPENSIONS_YEAR}


def _signals_written(establishment, found: dict, start: date, end: date,
                     year: signals.SchoolYear, read: set[str] | None) -> Recomputed:
    """Write the runs found as signals; withdraw the held ones whose run is gone.

    `read`: the UPNs whose years were read (None: every pupil's): a held attendance signal of
    another pupil is left as it is unless a run of it is found (the nightly run finds only
    the runs the night's sessions touched). The school-wide kinds are always all read.
    """
    now, done = timezone.now(), Recomputed()
    last = year.days[-1] if year.days else None
    with transaction.atomic():
        # Last year's too: a run or an exclusion going on over the summer is found again.
        held = {(upn, kind, first_day): (pk, values) for pk, upn, kind, first_day, *values
                in Signal.objects.select_for_update().filter(
                    establishment=establishment,
                    first_day__range=(_previous_year_start(start), end))
                .values_list("pk", "upn", "kind", "first_day", *_FIELDS)}
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
        gone = [pk for (upn, kind, first), (pk, values) in held.items()
                if (upn, kind, first) not in found and values[2] != SignalStatus.WITHDRAWN
                and first >= start and (read is None or upn in read or kind in _SCHOOL_KINDS)]
        _signals_upserted(written)
        for batch in range(0, len(gone), 2000):
            Signal.objects.filter(pk__in=gone[batch:batch + 2000]).update(
                status=SignalStatus.WITHDRAWN, updated_at=now, withdrawn_at=now)
    done.updated, done.withdrawn = len(written) - done.fired, len(gone)
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
    it). Each pupil's rule state is carried on over the sessions marked since it was written,
    read from those sessions' marks only; a pupil with no usable state, a recoded or late
    mark (on a day the state has read) or a new roll row has their year read again.
    """
    today = today or timezone.localdate()
    start, end = academic_year_bounds(academic_year_of(today))
    calendar = school_days(establishment=establishment, start=start, end=end)
    year = _school_year(establishment, calendar, start, today)
    on_roll = _pupils_on_roll(establishment)
    held = {}
    for pupil_id, year_start, sessions, counted_to, state in RunState.objects.filter(
            establishment=establishment, pupil_id__in=list(on_roll),
            year_start__in=[start, _previous_year_start(start)]).values_list(
            "pupil_id", "year_start", "sessions", "counted_to", "state"):
        if year_start != start:  # the year's first night: last year's runs carried in
            held[pupil_id] = (0, None, signals.state_of_new_year(
                signals.carried_into_next_year(state)))
        elif sessions <= len(year.days) and bisect_right(year.days, counted_to) == sessions:
            held[pupil_id] = (sessions, counted_to, state)
    read = set(on_roll) - set(held)
    read.update(MarkVersion.objects.filter(replaced_by_id__in=feed_ids)
                .values_list("pupil_id", flat=True))
    read.update(Pupil.objects.filter(feed_id__in=feed_ids).values_list("pk", flat=True))
    counted_to = max((to for _sessions, to, _state in held.values() if to is not None),
                     default=None)
    if counted_to is not None:
        read.update(pupil_id for pupil_id, day in Mark.objects.filter(
            feed_id__in=feed_ids, establishment=establishment, date__lte=counted_to)
            .values_list("pupil_id", "date")
            if pupil_id in held and held[pupil_id][1] is not None and day <= held[pupil_id][1])
    found, states = _runs_of(establishment, calendar, year, start, today, on_roll, read)
    carried = {pupil_id: value for pupil_id, value in held.items() if pupil_id not in read}
    found.update(_runs_carried(establishment, year, on_roll, carried))
    found.update(_school_runs(establishment, calendar, on_roll, today))
    done = _signals_written(establishment, found, start, end, year,
                            {on_roll[pk]["upn"] for pk in read})
    states += _state_rows(establishment, year, start, {
        pupil_id: state for pupil_id, (_s, _to, state) in carried.items()})
    _states_written(states)
    roll.roll_after(establishment=establishment, today=today)
    return done


def _runs_carried(establishment, year: signals.SchoolYear, pupils: dict,
                  held: dict[int, tuple]) -> dict:
    """Carry each pupil's state on over the sessions after it; return the runs touched.

    `held`: {pupil: (sessions read, day read to, state)}; each state is replaced by the new
    one in place. The sessions' marks are read in one query from the earliest day not read.
    """
    if not held:
        return {}
    first = min(held.values(), key=lambda value: value[0])
    if first[0] >= len(year.days):
        return {}
    origin = year.days[first[0]]
    keys = [mark_slot(day=day, session=session, start=origin)
            for day, session in year.sessions[first[0]:]]
    marks = dict(marks_by_pupil(establishment_id=establishment.pk, start=origin,
                                end=year.days[-1], pupil_ids=list(held)))
    found = {}
    for pupil_id, (begin, _counted_to, state) in held.items():
        pupil = pupils[pupil_id]
        line = year.line(map(marks.get(pupil_id, {}).get, keys[begin - first[0]:]),
                         begin=begin)
        state, runs = signals.state_advanced(state=state, year=year, begin=begin, line=line,
                                             entry=pupil["entry_date"])
        held[pupil_id] = (len(year.days), year.days[-1], state)
        for run in runs:
            found.setdefault((pupil["upn"], run.kind, run.first_day), (run, pupil))
    return found


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
