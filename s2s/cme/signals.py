"""The exact CME signals (issue 14) as pure functions of one pupil's marks over school days.

Each function reads the school's possible sessions in order (`sessions`: (day, session) pairs,
session 0 for the morning and 1 for the afternoon, only the sessions the school's calendar
opens, up to the last day the school sent marks) and one pupil's codes by (day, session), and
returns the runs it finds, each with the day it began, the day the rule was met and whether
it is still going on the last day. No database, no clock: the service feeds them.

Sources: the School Attendance (Pupil Registration) (England) Regulations 2024 (SI 2024/208),
the DfE's "Working together to improve school attendance" (2024) and "Children missing
education" (2024); the codes' meanings are `feeds/codes.py`'s, by nation and date.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from django.db import models
from django.utils.translation import gettext_lazy as _

from s2s.feeds.codes import Meaning, meaning_of


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

_ABSENT = frozenset({Meaning.AUTHORISED, Meaning.UNAUTHORISED})
_POSSIBLE = frozenset({Meaning.PRESENT, Meaning.EDUCATIONAL_ACTIVITY, *_ABSENT})

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


@lru_cache(maxsize=65536)
def _meaning(nation: str, day: date, code: str) -> Meaning:
    """Return what a code means that day (no mark for one not valid then), remembered.

    A school year is ~190 days and ~30 codes: every pupil of every school asks the same few
    thousand questions, millions of times over a night's recompute.
    """
    return meaning_of(nation=nation, day=day, code=code) or Meaning.NO_MARK


def _read(sessions: Sessions, marks: Marks, nation: str) -> list:
    """Return (day, code, meaning) for each session; a code not valid then means no mark."""
    found = []
    for day, session in sessions:
        code = marks.get((day, session))
        found.append((day, code, _meaning(nation, day, code) if code else Meaning.NO_MARK))
    return found


class _Stretch:
    """A stretch of counted sessions: its first day, school days and sessions so far."""

    def __init__(self, day: date):
        self.first_day, self.last_day, self.days, self.sessions = day, None, 0, 0
        self.fired_on: date | None = None

    def add(self, day: date) -> None:
        self.sessions += 1
        if day != self.last_day:
            self.days, self.last_day = self.days + 1, day


def _continuous(kind: str, codes: frozenset, threshold: int, read: list) -> list[Run]:
    """Return the runs of `threshold` consecutive possible sessions each coded in `codes`.

    Sessions that are not possible are skipped (they neither break nor extend a run); any
    other mark, or no mark, breaks it.
    """
    runs, stretch = [], None

    def close(still_open: bool) -> None:
        if stretch is not None and stretch.fired_on is not None:
            runs.append(Run(kind, stretch.first_day, stretch.fired_on, stretch.days, still_open,
                            {"sessions": stretch.sessions}))

    for day, code, meaning in read:
        if meaning == Meaning.NOT_POSSIBLE:
            continue
        if code in codes:
            stretch = stretch or _Stretch(day)
            stretch.add(day)
            if stretch.sessions == threshold:
                stretch.fired_on = day
        else:
            close(False)
            stretch = None
    close(True)
    return runs


def absence_10_days(*, sessions: Sessions, marks: Marks, nation: str) -> list[Run]:
    """Return the runs of 10 school days of continuous unauthorised absence.

    20 consecutive possible sessions, each G, N, O or U: the LA must be told (SI 2024/208,
    reg. 13; "Working together to improve school attendance", 2024).
    """
    return _continuous(Kind.ABSENCE_10_DAYS, UNAUTHORISED_10, SESSIONS_10,
                       _read(sessions, marks, nation))


def absence_20_days(*, sessions: Sessions, marks: Marks, nation: str) -> list[Run]:
    """Return the runs of 20 school days of continuous absence, every session G, N or O.

    The deletion ground that needs joint school and LA enquiries first (SI 2024/208,
    reg. 9(1)(g); "Children missing education", 2024). U breaks it.
    """
    return _continuous(Kind.ABSENCE_20_DAYS, UNAUTHORISED_20, SESSIONS_20,
                       _read(sessions, marks, nation))


def sickness_15_days(*, sessions: Sessions, marks: Marks, nation: str) -> list[Run]:
    """Return the illnesses for which the sickness return is owed: 15 school days of I.

    Consecutive or cumulative over the school year (`sessions` are one year's): the rule is
    met in the continuous illness (a stretch of I, not-possible sessions skipped) during which
    the year's I sessions reach 30; each later continuous illness is another return. A run's
    `school_days` are the year's days of illness so far.
    """
    return _sickness(_read(sessions, marks, nation))


def _sickness(read: list) -> list[Run]:
    runs, stretch, total = [], None, 0

    def close(still_open: bool) -> None:
        if stretch is not None and stretch.fired_on is not None:
            runs.append(Run(Kind.SICKNESS_15_DAYS, stretch.first_day, stretch.fired_on,
                            total // 2, still_open,
                            {"sessions": stretch.sessions, "year_sessions": total}))

    for day, code, meaning in read:
        if meaning == Meaning.NOT_POSSIBLE:
            continue
        if code == ILLNESS:
            stretch = stretch or _Stretch(day)
            stretch.add(day)
            total += 1
            if total >= SICKNESS_SESSIONS and stretch.fired_on is None:
                stretch.fired_on = day
        else:
            close(False)
            stretch = None
    close(True)
    return runs


def _rate(kind: str, percent: int, read: list, entry: date | None) -> list[Run]:
    absent = possible = days = 0
    first = fired = last = None
    for day, _code, meaning in read:
        if entry is not None and day < entry:
            continue
        if last is not None and day != last and fired is None and _met(absent, possible,
                                                                        percent):
            fired = last
        if meaning not in _POSSIBLE:
            continue
        first = first or day
        possible += 1
        absent += meaning in _ABSENT
        if day != last:
            days, last = days + 1, day
    if fired is None and _met(absent, possible, percent):
        fired = last
    if fired is None:
        return []
    detail = {"absent_sessions": absent, "possible_sessions": possible,
              "percent": round(100 * absent / possible, 1)}
    return [Run(kind, first, fired, days, _met(absent, possible, percent), detail)]


def _met(absent: int, possible: int, percent: int) -> bool:
    return possible >= RATE_MIN_SESSIONS and absent * 100 >= percent * possible


def persistent_absence(*, sessions: Sessions, marks: Marks, nation: str,
                       entry: date | None = None) -> list[Run]:
    """Return the year's persistent absence: absent 10% or more of the possible sessions.

    Absence is authorised plus unauthorised; possible sessions are those with a present,
    approved-activity or absence mark, from the pupil's entry date. A dual-registered pupil's
    sessions are counted once: at the other school they are D, not possible. The rule is met
    on the first day it holds at the day's end (after `RATE_MIN_SESSIONS`); the run is open
    while it still holds on the last day, closed when the rate has fallen below.
    """
    return _rate(Kind.PERSISTENT_ABSENCE, PERSISTENT_PERCENT, _read(sessions, marks, nation),
                 entry)


def severe_absence(*, sessions: Sessions, marks: Marks, nation: str,
                   entry: date | None = None) -> list[Run]:
    """Return the year's severe absence: absent 50% or more of the possible sessions."""
    return _rate(Kind.SEVERE_ABSENCE, SEVERE_PERCENT, _read(sessions, marks, nation), entry)


def attendance_runs(*, sessions: Sessions, marks: Marks, nation: str,
                    entry: date | None = None) -> list[Run]:
    """Return the runs of every attendance rule above, reading the pupil's marks once."""
    read = _read(sessions, marks, nation)
    return [
        *_continuous(Kind.ABSENCE_10_DAYS, UNAUTHORISED_10, SESSIONS_10, read),
        *_continuous(Kind.ABSENCE_20_DAYS, UNAUTHORISED_20, SESSIONS_20, read),
        *_sickness(read),
        *_rate(Kind.PERSISTENT_ABSENCE, PERSISTENT_PERCENT, read, entry),
        *_rate(Kind.SEVERE_ABSENCE, SEVERE_PERCENT, read, entry),
    ]


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
                      today: date) -> list[Run]:
    """Return the suspensions over the limits: 15 school days in a term, 45 in a school year.

    `suspensions` are (start, sessions) of one pupil's suspensions this year, not rescinded;
    a suspension takes its first sessions/2 school days (rounded up) from its start. The rule
    is met on the first school day over the limit (the 16th of a term, the 46th of the year):
    "Suspension and permanent exclusion" (DfE 2024), regulations 2012/1033.
    """
    days = sorted(school_days)
    taken = _suspended_days(suspensions, days)
    periods = [(Kind.SUSPENSIONS_TERM, TERM_LIMIT_DAYS,
                 [day for day in taken if first <= day <= last]) for first, last in terms]
    periods.append((Kind.SUSPENSIONS_YEAR, YEAR_LIMIT_DAYS, taken))
    return [Run(kind, within[0], within[limit], len(within), within[-1] >= today,
                {"limit": limit})
            for kind, limit, within in periods if len(within) > limit]
