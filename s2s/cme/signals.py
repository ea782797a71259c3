"""The exact CME signals (issue 14) as pure functions of one pupil's marks over school days.

Each function reads the school's possible sessions in order (`sessions`: (day, session) pairs,
session 0 for the morning and 1 for the afternoon, only the sessions the school's calendar
opens, up to the last day the school sent marks) and one pupil's codes by (day, session), and
returns the runs it finds, each with the day it began, the day the rule was met and whether
it is still going on the last day. No database, no clock: the service feeds them. A school's
sessions are worked out once (`SchoolYear`) and each pupil's year becomes one string of
symbols, one a session, that the rules scan with str methods and regular expressions.

Sources: the School Attendance (Pupil Registration) (England) Regulations 2024 (SI 2024/208),
the DfE's "Working together to improve school attendance" (2024) and "Children missing
education" (2024); the codes' meanings are `feeds/codes.py`'s, by nation and date.
"""

import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import accumulate

from django.db import models
from django.utils.translation import gettext_lazy as _

from s2s.feeds.codes import CodeSet, Meaning, version_for
from s2s.feeds.markstore import mark_slot


class Kind(models.TextChoices):
    ABSENCE_10_DAYS = "absence_10_days", _("10 school days of continuous unauthorised absence")
    ABSENCE_20_DAYS = "absence_20_days", _("20 school days of continuous absence (G, N or O)")
    SICKNESS_15_DAYS = "sickness_15_days", _("15 school days of illness this school year")
    PERSISTENT_ABSENCE = "persistent_absence", _("Persistent absence (10% or more)")
    SEVERE_ABSENCE = "severe_absence", _("Severe absence (50% or more)")
    EXCLUSION_DAY6 = "exclusion_day6", _("Exclusion: full-time education from the 6th day")
    SUSPENSIONS_TERM = "suspensions_15_days_term", _("Suspended over 15 school days in a term")
    SUSPENSIONS_YEAR = "suspensions_45_days_year", _("Suspended over 45 school days in a year")
    # The roll signals (`cme/roll.py`).
    LEFT_NO_DESTINATION = "left_no_destination", _("Left with no destination")
    NO_ARRIVAL = "no_arrival", _("Not arrived at the named school")
    LEAVER_NO_CTF = "leaver_no_ctf", _("Leaver with no CTF sent")
    JOINER_NO_CTF = "joiner_no_ctf", _("Joiner with no CTF received")


# absence_10_days: 20 consecutive possible sessions each G, N, O or U.
UNAUTHORISED_10 = frozenset({"G", "N", "O", "U"})
SESSIONS_10 = 20
# absence_20_days: 40 consecutive possible sessions each G, N or O (U breaks it).
UNAUTHORISED_20 = frozenset({"G", "N", "O"})
SESSIONS_20 = 40
# sickness_15_days: 15 school days (30 sessions) of I in the school year.
ILLNESS = "I"
SICKNESS_SESSIONS = 30
# Persistent and severe absence: percentages of the possible sessions since entry.
PERSISTENT_PERCENT = 10
SEVERE_PERCENT = 50
# Our choice (the guidance gives none): a rate is judged after 10 school days (20 possible
# sessions), so one absent morning in September is not "severe absence".
RATE_MIN_SESSIONS = 20
# exclusion_day6: the 6th school day of a permanent exclusion, or of a suspension of more
# than 5 school days (10 sessions).
DAY_OF_PROVISION = 6
SUSPENSION_SESSIONS = 10
# suspensions_15_days_term, suspensions_45_days_year: more than 15 school days of suspension
# in a term, or 45 in a school year.
TERM_LIMIT_DAYS = 15
YEAR_LIMIT_DAYS = 45

Sessions = Sequence[tuple[date, int]]
Marks = Mapping[tuple[date, int], str]


@dataclass(frozen=True)
class Run:
    """A run that met its rule: first day, the day the rule was met, its length so far."""

    kind: str
    first_day: date
    fired_on: date
    school_days: int
    open: bool  # still going on the last day read
    detail: dict = field(default_factory=dict)

# One symbol per session, so a pupil's year is one string that the rules scan with str
# methods and regular expressions (C speed), not a Python step per session per rule.
PRESENT = "p"  # present, or an approved educational activity
ILL = "i"  # I: illness, an authorised absence
AUTHORISED = "a"  # any other authorised absence
UNAUTHORISED = "n"  # G, N or O
LATE = "u"  # U: arrived after the register closed, unauthorised
OTHER_UNAUTHORISED = "o"  # an unauthorised code outside G, N, O and U (none yet)
SKIP = "x"  # not a possible session: skipped by every rule
NO_MARK = "-"  # no mark, or a code not valid that day: breaks a run, not counted in a rate
_ABSENT = "ianuo"
_POSSIBLE = PRESENT + _ABSENT
_BY_MEANING = {Meaning.PRESENT: PRESENT, Meaning.EDUCATIONAL_ACTIVITY: PRESENT,
               Meaning.AUTHORISED: AUTHORISED, Meaning.UNAUTHORISED: OTHER_UNAUTHORISED,
               Meaning.NOT_POSSIBLE: SKIP, Meaning.NO_MARK: NO_MARK}
# The symbols each continuous rule counts (the others, but SKIP, break its run).
RUN_10 = UNAUTHORISED + LATE
RUN_20 = UNAUTHORISED
_POSSIBLE_FLAGS = str.maketrans({c: "1" for c in _POSSIBLE} | {c: "0" for c in SKIP + NO_MARK})


class _Symbols(dict):
    """Code -> symbol for one dictionary version; None (no mark) and unknown codes: NO_MARK."""

    def __missing__(self, code):
        return NO_MARK


def _symbol(code: str, meaning: Meaning) -> str:
    if meaning == Meaning.NOT_POSSIBLE:
        return SKIP
    if code in UNAUTHORISED_20:
        return UNAUTHORISED
    if code in UNAUTHORISED_10:
        return LATE
    if code == ILLNESS:
        return ILL
    return _BY_MEANING[meaning]


_SYMBOLS: dict[str, _Symbols] = {}


def _symbols_of(version: CodeSet) -> _Symbols:
    """Return the symbols of a dictionary version's codes (worked out once per version)."""
    if version.name not in _SYMBOLS:
        _SYMBOLS[version.name] = _Symbols({code: _symbol(code, meaning) for code, (meaning, _l)
                                           in version.codes.items()})
    return _SYMBOLS[version.name]


@lru_cache(maxsize=8)
def _run_pattern(counted: str) -> re.Pattern:
    """Match a run: a counted session, then counted or skipped ones up to a breaking one."""
    return re.compile(f"[{counted}][{counted}{SKIP}]*")


class SchoolYear:
    """A school's possible sessions in order, worked out once for all its pupils.

    `sessions` are (day, session) pairs as above; `origin`, the first day of the school year,
    names each session by its slot (`feeds.markstore.mark_slot`), by which the service hands
    over a pupil's marks read in bulk.
    """

    def __init__(self, *, sessions: Sessions, nation: str, origin: date | None = None):
        self.sessions = list(sessions)
        self.days = [day for day, _session in self.sessions]
        origin = origin or (self.days[0] if self.days else date.min)
        self.keys = [mark_slot(day=day, session=session, start=origin)
                     for day, session in self.sessions]
        self._tables = [_symbols_of(version_for(nation=nation, day=day)) for day in self.days]
        # Index of each school day's first and last session: a rate is judged at a day's end.
        self.day_firsts = [k for k, day in enumerate(self.days)
                           if k == 0 or self.days[k - 1] != day]
        self.day_ends = [k - 1 for k in self.day_firsts[1:]] + [len(self.days) - 1][:len(self.days)]

    def line(self, codes: Iterable[str | None], begin: int = 0) -> str:
        """Return the symbols of a pupil's codes, one code (or None) per session in order.

        `begin`: the codes are of the sessions from this one (index) on.
        """
        return "".join(map(_Symbols.__getitem__, self._tables[begin:], codes))

    def line_of_marks(self, marks: Marks) -> str:
        """Return the symbols of a pupil's marks by (day, session)."""
        return self.line(map(marks.get, self.sessions))

    def line_of_slots(self, marks: Mapping[str, str]) -> str:
        """Return the symbols of a pupil's marks by slot (see the class)."""
        return self.line(map(marks.get, self.keys))

    def school_days(self, cells: Iterable[int]) -> int:
        """Return how many school days these sessions (indices) fall on."""
        return len({self.days[k] for k in cells})


def _continuous(kind: str, counted: str, threshold: int, year: SchoolYear,
                line: str, carried: list | None = None) -> list[Run]:
    """Return the runs of `threshold` consecutive possible sessions each counted.

    Sessions that are not possible are skipped (they neither break nor extend a run); any
    other mark, or no mark, breaks it. A run reaching the last session is open. `carried`:
    the run still going at the end of the previous school year (its state, `state_of`), which
    goes on over this year's first sessions: the summer holiday is no school days.
    """
    lead = -1
    runs: list[Run] = []
    if carried:
        lead = len(line) - len(line.lstrip(counted + SKIP))
        days = [day.toordinal() for day in year.days[:lead + 1]]
        _continued(kind, counted, threshold, carried, days, line[:lead + 1], runs)
    elif sum(map(line.count, counted)) < threshold:
        return []
    for match in _run_pattern(counted).finditer(line):
        if match.start() < lead:
            continue  # the carried run's
        cells = [k for k in range(*match.span()) if line[k] != SKIP]
        if len(cells) >= threshold:
            runs.append(Run(kind, year.days[cells[0]], year.days[cells[threshold - 1]],
                            year.school_days(cells), match.end() == len(line),
                            {"sessions": len(cells)}))
    return runs


def _sickness(year: SchoolYear, line: str) -> list[Run]:
    """Return the continuous illnesses (I; skipped sessions skipped) once the year's I are 30.

    The rule is met in the illness during which the year's I sessions reach 30; each later
    illness is another return. `school_days` are the year's days of illness so far.
    """
    if line.count(ILL) < SICKNESS_SESSIONS:
        return []
    runs, total = [], 0
    for match in _run_pattern(ILL).finditer(line):
        cells = [k for k in range(*match.span()) if line[k] != SKIP]
        before = total
        total += len(cells)
        if total >= SICKNESS_SESSIONS:
            fired = cells[max(SICKNESS_SESSIONS - before, 1) - 1]
            runs.append(Run(Kind.SICKNESS_15_DAYS, year.days[cells[0]], year.days[fired],
                            total // 2, match.end() == len(line),
                            {"sessions": len(cells), "year_sessions": total}))
    return runs


@lru_cache(maxsize=4)
def _weights(percent: int) -> dict[str, int]:
    """Per symbol, its share of 100 * absent - percent * possible: >= 0 once the rate is met."""
    weights = dict.fromkeys(SKIP + NO_MARK, 0) | dict.fromkeys(PRESENT, -percent)
    return weights | dict.fromkeys(_ABSENT, 100 - percent)


def _rate(kind: str, percent: int, year: SchoolYear, line: str,
          entry: date | None) -> list[Run]:
    """Return the year's rate run: met on the first day it holds at the day's end.

    Sessions before `entry` are not counted (read as skipped). The rate is judged at the end
    of each school day once `RATE_MIN_SESSIONS` possible sessions are counted.
    """
    start = bisect_left(year.days, entry) if entry is not None else 0
    if start:
        line = SKIP * start + line[start:]
    absent = sum(map(line.count, _ABSENT))
    possible = absent + line.count(PRESENT)
    if possible < RATE_MIN_SESSIONS or 100 * absent < percent * RATE_MIN_SESSIONS:
        return []
    flags = line.translate(_POSSIBLE_FLAGS)
    minimum = -1
    for _counted in range(RATE_MIN_SESSIONS):
        minimum = flags.index("1", minimum + 1)
    ends = year.day_ends[bisect_left(year.day_ends, minimum):]
    scores = list(accumulate(map(_weights(percent).__getitem__, line)))
    judged = list(map(scores.__getitem__, ends))
    if max(judged) < 0:
        return []
    fired = ends[next(i for i, score in enumerate(judged) if score >= 0)]
    # A school day counts if either of its sessions is possible.
    days = "".join(map(max, map(flags.__getitem__, year.day_firsts),
                       map(flags.__getitem__, year.day_ends))).count("1")
    detail = {"absent_sessions": absent, "possible_sessions": possible,
              "percent": round(100 * absent / possible, 1)}
    return [Run(kind, year.days[flags.index("1")], year.days[fired], days,
                _met(absent, possible, percent), detail)]


def _met(absent: int, possible: int, percent: int) -> bool:
    return possible >= RATE_MIN_SESSIONS and absent * 100 >= percent * possible


RATES = {Kind.PERSISTENT_ABSENCE: PERSISTENT_PERCENT, Kind.SEVERE_ABSENCE: SEVERE_PERCENT}


def symbol_of(*, nation: str, day: date, code: str) -> str:
    """Return the symbol the rules read for a code on a day (PRESENT, SKIP, ...)."""
    return _symbols_of(version_for(nation=nation, day=day))[code]


def _one_pupil(sessions: Sessions, marks: Marks, nation: str) -> tuple[SchoolYear, str]:
    year = SchoolYear(sessions=sessions, nation=nation)
    return year, year.line_of_marks(marks)


def absence_10_days(*, sessions: Sessions, marks: Marks, nation: str) -> list[Run]:
    """Return the runs of 10 school days of continuous unauthorised absence.

    20 consecutive possible sessions, each G, N, O or U: the LA must be told (SI 2024/208,
    reg. 13; "Working together to improve school attendance", 2024).
    """
    return _continuous(Kind.ABSENCE_10_DAYS, RUN_10, SESSIONS_10,
                       *_one_pupil(sessions, marks, nation))


def absence_20_days(*, sessions: Sessions, marks: Marks, nation: str) -> list[Run]:
    """Return the runs of 20 school days of continuous absence, every session G, N or O.

    The deletion ground that needs joint school and LA enquiries first (SI 2024/208,
    reg. 9(1)(g); "Children missing education", 2024). U breaks it.
    """
    return _continuous(Kind.ABSENCE_20_DAYS, RUN_20, SESSIONS_20,
                       *_one_pupil(sessions, marks, nation))


def sickness_15_days(*, sessions: Sessions, marks: Marks, nation: str) -> list[Run]:
    """Return the illnesses for which the sickness return is owed: 15 school days of I.

    Consecutive or cumulative over the school year (`sessions` are one year's): the rule is
    met in the continuous illness (a stretch of I, not-possible sessions skipped) during which
    the year's I sessions reach 30; each later continuous illness is another return. A run's
    `school_days` are the year's days of illness so far.
    """
    return _sickness(*_one_pupil(sessions, marks, nation))


def persistent_absence(*, sessions: Sessions, marks: Marks, nation: str,
                       entry: date | None = None) -> list[Run]:
    """Return the year's persistent absence: absent 10% or more of the possible sessions.

    Absence is authorised plus unauthorised; possible sessions are those with a present,
    approved-activity or absence mark, from the pupil's entry date. A dual-registered pupil's
    sessions are counted once: at the other school they are D, not possible. The rule is met
    on the first day it holds at the day's end (after `RATE_MIN_SESSIONS`); the run is open
    while it still holds on the last day, closed when the rate has fallen below.
    """
    return _rate(Kind.PERSISTENT_ABSENCE, PERSISTENT_PERCENT,
                 *_one_pupil(sessions, marks, nation), entry)


def severe_absence(*, sessions: Sessions, marks: Marks, nation: str,
                   entry: date | None = None) -> list[Run]:
    """Return the year's severe absence: absent 50% or more of the possible sessions."""
    return _rate(Kind.SEVERE_ABSENCE, SEVERE_PERCENT, *_one_pupil(sessions, marks, nation),
                 entry)


def pupil_runs(*, year: SchoolYear, line: str, entry: date | None = None,
               carried: list | None = None) -> list[Run]:
    """Return the runs of every attendance rule on one pupil's line of the school's year.

    `carried`: the continuous runs still going at the end of the previous school year (see
    `state_of`), which go on into this one; illness and the rates start again each year.
    """
    carried = carried or [None, None]
    persistent = _rate(Kind.PERSISTENT_ABSENCE, PERSISTENT_PERCENT, year, line, entry)
    # Severe absence (50%) is met only where persistent absence (10%) is.
    severe = persistent and _rate(Kind.SEVERE_ABSENCE, SEVERE_PERCENT, year, line, entry)
    return [
        *_continuous(Kind.ABSENCE_10_DAYS, RUN_10, SESSIONS_10, year, line, carried[0]),
        *_continuous(Kind.ABSENCE_20_DAYS, RUN_20, SESSIONS_20, year, line, carried[1]),
        *_sickness(year, line),
        *persistent,
        *severe,
    ]


def attendance_runs(*, sessions: Sessions, marks: Marks, nation: str,
                    entry: date | None = None) -> list[Run]:
    """Return the runs of every attendance rule above, reading the pupil's marks once."""
    year, line = _one_pupil(sessions, marks, nation)
    return pupil_runs(year=year, line=line, entry=entry)


def exclusion_day6(*, category: str, start_date: date, sessions: int,
                   school_days: Iterable[date], today: date) -> Run | None:
    """Return the day from which full-time education must be provided, for one exclusion.

    A permanent exclusion: the home LA, from the 6th school day of the exclusion; a
    suspension of more than 5 school days: the school, from day 6 ("Suspension and permanent
    exclusion", DfE 2024; SI 2007/1870). Day 1 is the first school day on or after the start.
    None for a shorter suspension, a lunchtime one, or when the calendar does not reach day 6.
    """
    if category == "permanent":
        length = None
    elif category == "suspension" and sessions > SUSPENSION_SESSIONS:
        length = -(-sessions // 2)
    else:
        return None
    days = [day for day in sorted(school_days) if day >= start_date]
    if len(days) < DAY_OF_PROVISION:
        return None
    if length is None:
        so_far, still_open = sum(1 for day in days if day <= today), True
    else:
        so_far, still_open = length, days[min(length, len(days)) - 1] >= today
    return Run(Kind.EXCLUSION_DAY6, days[0], days[DAY_OF_PROVISION - 1], so_far, still_open,
               {"category": category, "sessions": sessions,
                "provider": "la" if category == "permanent" else "school"})


def _suspended_days(suspensions: Iterable[tuple[date, int]], days: list[date]) -> list[date]:
    """Return the school days the suspensions take: each its first sessions/2 (rounded up)."""
    taken = set()
    for start, sessions in suspensions:
        following = [day for day in days if day >= start]
        taken.update(following[:-(-sessions // 2)])
    return sorted(taken)


def suspension_limits(*, suspensions: Iterable[tuple[date, int]],
                      terms: Sequence[tuple[date, date]], school_days: Iterable[date],
                      today: date, within: tuple[date, date] | None = None) -> list[Run]:
    """Return the suspensions over the limits: 15 school days in a term, 45 in a school year.

    `suspensions` are (start, sessions) of one pupil's suspensions this year, not rescinded;
    a suspension takes its first sessions/2 school days (rounded up) from its start. The rule
    is met on the first school day over the limit (the 16th of a term, the 46th of the year):
    "Suspension and permanent exclusion" (DfE 2024), regulations 2012/1033. `within`: the
    school year's first and last days: only the days taken in it count (a suspension from
    the year before may go on into it).
    """
    days = sorted(school_days)
    taken = _suspended_days(suspensions, days)
    if within is not None:
        taken = [day for day in taken if within[0] <= day <= within[1]]
    periods = [(Kind.SUSPENSIONS_TERM, TERM_LIMIT_DAYS,
                 [day for day in taken if first <= day <= last]) for first, last in terms]
    periods.append((Kind.SUSPENSIONS_YEAR, YEAR_LIMIT_DAYS, taken))
    return [Run(kind, within[0], within[limit], len(within), within[-1] >= today,
                {"limit": limit})
            for kind, limit, within in periods if len(within) > limit]


# Where each attendance rule stands at the end of a pupil's line, so the nightly run reads
# only the new sessions (`state_of`, `state_advanced`): a plain list that JSON keeps, days as
# ordinals: [RUN of absence_10_days, RUN of absence_20_days, ILLNESS_STATE, RATE, carried],
# carried the two RUNs still going at the end of the previous school year (or None). RUN:
# the run still going of one continuous rule, [sessions counted, first day, day it fired or
# None, school days, last day counted] or None; ILLNESS_STATE: [the year's I
# sessions, the current illness's sessions, its first day, the day it fired or None]; RATE:
# [absent, possible, school days with a possible session, first such day, the last one, day
# persistent absence fired or None, day severe absence fired or None].
_CONTINUOUS = ((Kind.ABSENCE_10_DAYS, RUN_10, SESSIONS_10),
               (Kind.ABSENCE_20_DAYS, RUN_20, SESSIONS_20))
_RATE_KINDS = ((Kind.PERSISTENT_ABSENCE, PERSISTENT_PERCENT, 5),
               (Kind.SEVERE_ABSENCE, SEVERE_PERCENT, 6))
_NO_RATE = [0, 0, 0, None, None, None, None]


def _ordinal_day(ordinal: int | None) -> date | None:
    return None if ordinal is None else date.fromordinal(ordinal)


def _trailing_cells(line: str, counted: str) -> list[int]:
    """Return the counted sessions (indices) of the run still going on the line's last day."""
    begin = len(line.rstrip(counted + SKIP))
    return [k for k in range(begin, len(line)) if line[k] != SKIP]


def state_of(*, year: SchoolYear, line: str, entry: date | None = None,
             carried: list | None = None) -> list:
    """Return where each rule stands at the end of a pupil's line (see `_CONTINUOUS`).

    What `state_advanced` carries on from: the same as reading the line session by session.
    `carried`: as for `pupil_runs`; kept in the state (its last item) for the year's reads.
    """
    days = year.days
    state = []
    for rule, (kind, counted, threshold) in enumerate(_CONTINUOUS):
        if carried and carried[rule] and not line.strip(counted + SKIP):
            ordinals = [day.toordinal() for day in days]
            state.append(_continued(kind, counted, threshold, carried[rule], ordinals, line, []))
            continue
        cells = _trailing_cells(line, counted)
        state.append([len(cells), days[cells[0]].toordinal(),
                      days[cells[threshold - 1]].toordinal() if len(cells) >= threshold
                      else None, year.school_days(cells), days[cells[-1]].toordinal()]
                     if cells else None)
    total, cells = line.count(ILL), _trailing_cells(line, ILL)
    fired = None
    if cells and total >= SICKNESS_SESSIONS:
        fired = days[cells[max(SICKNESS_SESSIONS - (total - len(cells)), 1) - 1]].toordinal()
    state.append([total, len(cells), days[cells[0]].toordinal() if cells else None, fired])
    start = bisect_left(year.days, entry) if entry is not None else 0
    counted = SKIP * start + line[start:] if start else line
    flags = counted.translate(_POSSIBLE_FLAGS)
    possible = flags.count("1")
    if not possible:
        state += [list(_NO_RATE), carried]
        return state
    on_days = [days[k] for k, last in zip(year.day_firsts, year.day_ends, strict=True)
               if "1" in (flags[k], flags[last])]
    rate = [sum(map(counted.count, _ABSENT)), possible, len(on_days), on_days[0].toordinal(),
            on_days[-1].toordinal(), None, None]
    for kind, percent, slot in _RATE_KINDS:
        found = _rate(kind, percent, year, line, entry)
        rate[slot] = found[0].fired_on.toordinal() if found else None
    state += [rate, carried]
    return state


def state_advanced(*, state: list, year: SchoolYear, begin: int, line: str,
                   entry: date | None = None) -> tuple[list, list[Run]]:
    """Carry a pupil's state on over the sessions `begin` onwards; return it and the runs.

    `line` is the pupil's symbols for those sessions only (whole school days), `state` where
    the rules stood before them. The runs are those these sessions touched: each rule's run
    still going at the end (if it met its rule), a run they ended, one they began and ended,
    and the rates: each as `pupil_runs` would find it reading the whole year. Runs they did
    not touch (ended before `begin`) are not returned: their signals stay as they are.
    """
    days = [day.toordinal() for day in year.days[begin:]]
    ends = {k - begin for k in year.day_ends if k >= begin}
    runs: list[Run] = []
    state = [None if part is None else list(part) for part in state]
    state += [None] * (5 - len(state))  # a state written before `carried` was kept
    for rule, (kind, counted, threshold) in enumerate(_CONTINUOUS):
        state[rule] = _continued(kind, counted, threshold, state[rule], days, line, runs)
    state[2] = _ill_continued(state[2], days, line, runs)
    entry_ordinal = entry.toordinal() if entry is not None else None
    state[3] = _rate_continued(state[3], days, line, ends, entry_ordinal, runs)
    return state, runs


def _continued(kind, counted, threshold, run, days, line, runs) -> list | None:
    count, first, fired, school_days, last = run or (0, None, None, 0, None)
    for day, symbol in zip(days, line, strict=True):
        if symbol in counted:
            if not count:
                first, fired, school_days, last = day, None, 0, None
            count += 1
            if day != last:
                school_days, last = school_days + 1, day
            if count == threshold:
                fired = day
        elif symbol != SKIP:
            if count >= threshold:
                runs.append(Run(kind, _ordinal_day(first), _ordinal_day(fired), school_days,
                                False, {"sessions": count}))
            count = 0
    if not count:
        return None
    if count >= threshold:
        runs.append(Run(kind, _ordinal_day(first), _ordinal_day(fired), school_days, True,
                        {"sessions": count}))
    return [count, first, fired, school_days, last]


def _ill_run(total, count, first, fired, still_open) -> Run:
    return Run(Kind.SICKNESS_15_DAYS, _ordinal_day(first), _ordinal_day(fired), total // 2,
               still_open, {"sessions": count, "year_sessions": total})


def _ill_continued(ill, days, line, runs) -> list:
    total, count, first, fired = ill
    for day, symbol in zip(days, line, strict=True):
        if symbol == ILL:
            if not count:
                first, fired = day, None
            count += 1
            total += 1
            if fired is None and total >= SICKNESS_SESSIONS:
                fired = day
        elif symbol != SKIP and count:
            if fired is not None:
                runs.append(_ill_run(total, count, first, fired, False))
            count, first, fired = 0, None, None
    if count and fired is not None:
        runs.append(_ill_run(total, count, first, fired, True))
    return [total, count, first, fired]


def _rate_continued(rate, days, line, ends, entry, runs) -> list:
    absent, possible, on_days, first, last, *fired = rate
    for k, (day, symbol) in enumerate(zip(days, line, strict=True)):
        if symbol in _POSSIBLE and (entry is None or day >= entry):
            possible += 1
            absent += symbol != PRESENT
            if first is None:
                first = day
            if day != last:
                on_days, last = on_days + 1, day
        if k in ends and possible >= RATE_MIN_SESSIONS:
            for n, (_kind, percent, _slot) in enumerate(_RATE_KINDS):
                if fired[n] is None and 100 * absent >= percent * possible:
                    fired[n] = day
    for n, (kind, percent, _slot) in enumerate(_RATE_KINDS):
        if fired[n] is not None:
            runs.append(Run(kind, _ordinal_day(first), _ordinal_day(fired[n]), on_days,
                            _met(absent, possible, percent),
                            {"absent_sessions": absent, "possible_sessions": possible,
                             "percent": round(100 * absent / possible, 1)}))
    return [absent, possible, on_days, first, last, *fired]


# Every symbol a line can hold (for tests that draw lines).
ABSENCE_10_DAYS_SYMBOLS = _POSSIBLE + SKIP + NO_MARK


def carried_into_next_year(state: list) -> list | None:
    """Return the continuous runs a year's last state carries into the next school year."""
    runs = [state[0], state[1]]
    return runs if any(runs) else None


def state_of_new_year(carried: list | None) -> list:
    """Return the state at the start of a school year: runs carried in, nothing else yet."""
    carried = carried or [None, None]
    return [carried[0], carried[1], [0, 0, None, None], list(_NO_RATE),
            carried if any(carried) else None]
