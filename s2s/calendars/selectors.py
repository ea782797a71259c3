"""Reads of calendars: which days are school days for a school, and the calendars themselves.

A school follows its own calendar for an academic year, else its LA's. A school day is a
weekday inside a term, not closed for the whole day, and not a bank holiday of the school's
nation (the `holidays` package, England or Wales).
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays
from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from s2s.accounts.policy import Action, get_for
from s2s.calendars.models import Calendar, Closure, Sessions, Term
from s2s.core.errors import ServiceError
from s2s.directory.models import Establishment, LocalAuthority, Nation

BOTH_SESSIONS = ("AM", "PM")
# The sessions left open by a closure of these sessions.
_OPEN_AFTER_CLOSURE = {Sessions.AM: ("PM",), Sessions.PM: ("AM",), Sessions.BOTH: ()}
# The `holidays` package's subdivisions of GB for the nations the service covers.
_SUBDIVISION = {Nation.ENGLAND: "ENG", Nation.WALES: "WLS"}
_YEAR = re.compile(r"^(\d{4})/(\d{2})$")


def academic_year_of(day: date) -> str:
    """Return the academic year a day belongs to: "2025/26" for 2025-09-01 to 2026-08-31."""
    first = day.year if day.month >= 9 else day.year - 1
    return f"{first}/{(first + 1) % 100:02d}"


def academic_year_bounds(academic_year: str) -> tuple[date, date]:
    """Return the first and last day (1 September, 31 August) of an academic year "2025/26"."""
    first = int(academic_year[:4])
    return date(first, 9, 1), date(first + 1, 8, 31)


def academic_year_checked(value) -> str:
    """Return an academic year written "2025/26", or raise ServiceError naming the field."""
    match = _YEAR.match(str(value or "").strip())
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        raise ServiceError(
            _("Write the academic year as two consecutive years, for example 2025/26."),
            code="invalid_calendar", field="academic_year")
    return match[0]


@lru_cache(maxsize=64)
def bank_holidays(nation: str, year: int) -> frozenset[date]:
    """Return the bank holidays of a nation (England or Wales) in a calendar year."""
    return frozenset(holidays.country_holidays("GB", subdiv=_SUBDIVISION[nation], years=year))


def _academic_years(start: date, end: date) -> list[str]:
    years, day = [], start
    while day <= end:
        years.append(academic_year_of(day))
        day = academic_year_bounds(years[-1])[1] + timedelta(days=1)
    return years


def _open_sessions(calendar: Calendar, nation: str) -> dict[date, tuple[str, ...]]:
    """Return each school day of a calendar's year with the sessions open that day."""
    closed = {closure.date: closure.sessions for closure in calendar.closures.all()}
    first, last = academic_year_bounds(calendar.academic_year)
    not_open = bank_holidays(nation, first.year) | bank_holidays(nation, last.year)
    days = {}
    for term in calendar.terms.all():
        day = term.start
        while day <= term.end:
            if day.weekday() < 5 and day not in not_open:
                sessions = _OPEN_AFTER_CLOSURE[closed[day]] if day in closed else BOTH_SESSIONS
                if sessions:
                    days[day] = sessions
            day += timedelta(days=1)
    return days


class SchoolDays:
    """One school's calendars over the academic years of [start, end], read in a few queries.

    Days of those academic years are answered from memory; days of other years are not known.
    """

    def __init__(self, *, calendars: dict[str, Calendar],
                 sessions: dict[date, tuple[str, ...]], start: date, end: date):
        self.start, self.end = start, end
        self.calendars = calendars  # academic year -> the calendar followed (own or the LA's)
        self._sessions = sessions

    def known(self, day: date) -> bool:
        """Return whether a calendar (the school's own, else its LA's) covers the day's year."""
        return academic_year_of(day) in self.calendars

    def is_school_day(self, day: date) -> bool:
        """Return whether the school is open that day (False when no calendar covers it)."""
        return day in self._sessions

    def sessions(self, day: date) -> tuple[str, ...]:
        """Return the sessions the school is open that day: ("AM", "PM"), one, or none."""
        return self._sessions.get(day, ())

    def days(self) -> list[date]:
        """Return the school days in [start, end], in order."""
        return sorted(day for day in self._sessions if self.start <= day <= self.end)


def _with_days(calendars):
    return calendars.prefetch_related(
        Prefetch("terms", queryset=Term.objects.order_by("start")),
        Prefetch("closures", queryset=Closure.objects.order_by("date")),
    )


class _Builder:
    """Make SchoolDays from calendars already read, working out each calendar's days once."""

    def __init__(self, calendars, start: date, end: date):
        self.start, self.end = start, end
        self.own, self.las = {}, {}
        for calendar in calendars:
            if calendar.establishment_id:
                self.own[calendar.establishment_id, calendar.academic_year] = calendar
            else:
                self.las[calendar.la_id, calendar.academic_year] = calendar
        self.years = _academic_years(start, end)
        self._days: dict[int, dict[date, tuple[str, ...]]] = {}

    def school_days(self, establishment: Establishment, nation: str) -> SchoolDays:
        chosen, sessions = {}, {}
        for year in self.years:
            calendar = (self.own.get((establishment.pk, year))
                        or self.las.get((establishment.la_id, year)))
            if calendar is not None:
                chosen[year] = calendar
                if calendar.pk not in self._days:
                    self._days[calendar.pk] = _open_sessions(calendar, nation)
                sessions.update(self._days[calendar.pk])
        return SchoolDays(calendars=chosen, sessions=sessions, start=self.start, end=self.end)


def school_days(*, establishment: Establishment, start: date, end: date) -> SchoolDays:
    """Return the school days of a school over [start, end] (its own calendar, else its LA's).

    Not narrowed by a user: callers (feeds, CME) have already found the school through the
    policy. Three queries: the calendars, their terms, their closures (a fourth for the
    nation when the school's LA is not loaded).
    """
    found = list(_with_days(Calendar.objects.filter(
        Q(establishment=establishment) | Q(la_id=establishment.la_id),
        academic_year__in=_academic_years(start, end),
    )))
    return _Builder(found, start, end).school_days(establishment, _nation_of(establishment))


def school_days_of_schools(*, establishments, start: date,
                           end: date) -> dict[int, SchoolDays]:
    """Return each school's days over [start, end], by establishment id, in four queries.

    For a whole LA's schools at once (the CME dashboard, a night's feeds): an LA calendar
    followed by many schools is read and worked out once.
    """
    schools = list(establishments)
    la_ids = {school.la_id for school in schools}
    found = _with_days(Calendar.objects.filter(
        Q(establishment__in=[school.pk for school in schools]) | Q(la_id__in=la_ids),
        academic_year__in=_academic_years(start, end),
    ))
    builder = _Builder(found, start, end)
    nations = dict(LocalAuthority.objects.filter(pk__in=la_ids).values_list("pk", "nation"))
    return {school.pk: builder.school_days(school, nations[school.la_id]) for school in schools}


def _nation_of(establishment: Establishment) -> str:
    if Establishment.la.is_cached(establishment):
        return establishment.la.nation
    return LocalAuthority.objects.values_list("nation", flat=True).get(pk=establishment.la_id)


def school_get(*, user, code: str, action: str = Action.VIEW_CALENDAR) -> Establishment:
    """Return the school with this establishment number if the user may see its calendar."""
    return get_for(user, Establishment.objects.select_related("la"), action, code=code)


def la_get(*, user, number: str, action: str = Action.VIEW_CALENDAR) -> LocalAuthority:
    """Return the LA with this number if the user may see its calendar, or raise Http404."""
    return get_for(user, LocalAuthority.objects.all(), action, number=number)


def calendar_of(*, owner: Establishment | LocalAuthority, academic_year: str,
                follow_la: bool = True) -> Calendar | None:
    """Return the calendar an owner keeps for a year, with its terms and closures, or None.

    For a school with none of its own, its LA's calendar, when `follow_la` (the one it
    follows); the owner is then the calendar's `la`.
    """
    calendars = _with_days(Calendar.objects.filter(academic_year=academic_year))
    if isinstance(owner, LocalAuthority):
        return calendars.filter(la=owner).first()
    own = calendars.filter(establishment=owner).first()
    if own is not None or not follow_la:
        return own
    return calendars.filter(la_id=owner.la_id).select_related("la").first()


@dataclass(frozen=True)
class TermSummary:
    start: date
    end: date
    school_days: int


def calendar_summary(*, calendar: Calendar) -> tuple[list[TermSummary], list[date]]:
    """Return each term with its number of school days, and the bank holidays inside terms."""
    owner = calendar.owner
    nation = owner.nation if isinstance(owner, LocalAuthority) else _nation_of(owner)
    days = _open_sessions(calendar, nation)
    first, last = academic_year_bounds(calendar.academic_year)
    holidays_ = bank_holidays(nation, first.year) | bank_holidays(nation, last.year)
    terms = calendar.terms.all()
    summaries = [TermSummary(term.start, term.end,
                             sum(1 for day in days if term.start <= day <= term.end))
                 for term in terms]
    inside = sorted(day for day in holidays_ if day.weekday() < 5
                    and any(term.start <= day <= term.end for term in terms))
    return summaries, inside


def la_school_days(*, la: LocalAuthority, start: date, end: date) -> SchoolDays:
    """Return the school days of an LA's own calendar over [start, end] (three queries).

    For the LA's own work counted in school days (CME case timers, issue 14); a year the LA
    published no calendar for is not known (`known` is False).
    """
    found = list(_with_days(Calendar.objects.filter(
        la=la, establishment__isnull=True, academic_year__in=_academic_years(start, end))))
    builder = _Builder(found, start, end)
    chosen, sessions = {}, {}
    for year in builder.years:
        calendar = builder.las.get((la.pk, year))
        if calendar is not None:
            chosen[year] = calendar
            sessions.update(_open_sessions(calendar, la.nation))
    return SchoolDays(calendars=chosen, sessions=sessions, start=start, end=end)
