"""Set a school's or an LA's calendar for an academic year: checked, replaced whole, audited."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from s2s.accounts.policy import Action, can
from s2s.audit.services import audit_record
from s2s.calendars.models import REASON_MAX, Calendar, Closure, Sessions, Term
from s2s.calendars.selectors import academic_year_bounds, academic_year_checked
from s2s.core.errors import NotFound, ServiceError
from s2s.ctf.words import Text
from s2s.directory.models import Establishment, LocalAuthority

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_TERMS = 12
MAX_CLOSURES = 366


@dataclass(frozen=True)
class _Checked:
    terms: list[tuple[date, date]]
    closures: list[tuple[date, str, str]]


def _refuse(message: str, field: str, code: str = "invalid_calendar"):
    raise ServiceError(message, code=code, field=field)


def _date(value, field: str) -> date:
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    try:
        if _DATE.match(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    return _refuse(_("%(field)s: write the date as YYYY-MM-DD, for example 2025-09-03.")
                   % {"field": field}, field)


def _terms(terms: list[Mapping], academic_year: str) -> list[tuple[date, date]]:
    if not terms:
        _refuse(_("terms: give at least one term."), "terms")
    if len(terms) > MAX_TERMS:
        _refuse(_("terms: give at most %(max)d terms.") % {"max": MAX_TERMS}, "terms")
    first, last = academic_year_bounds(academic_year)
    checked = []
    for i, term in enumerate(terms):
        start = _date(term.get("start"), f"terms[{i}].start")
        end = _date(term.get("end"), f"terms[{i}].end")
        for field, day in ((f"terms[{i}].start", start), (f"terms[{i}].end", end)):
            if not first <= day <= last:
                _refuse(_("%(field)s: %(day)s is outside the academic year %(year)s "
                          "(%(first)s to %(last)s).")
                        % {"field": field, "day": day, "year": academic_year, "first": first,
                           "last": last}, field)
        if end < start:
            _refuse(_("%(field)s: the term ends (%(end)s) before it starts (%(start)s).")
                    % {"field": f"terms[{i}].end", "end": end, "start": start},
                    f"terms[{i}].end")
        checked.append((start, end, i))
    checked.sort()
    for (_start, earlier_end, j), (start, _end, i) in zip(checked, checked[1:], strict=False):
        if start <= earlier_end:
            _refuse(_("%(field)s: this term overlaps terms[%(other)d].")
                    % {"field": f"terms[{i}].start", "other": j}, f"terms[{i}].start")
    return [(start, end) for start, end, _i in checked]


def _sessions(value, field: str) -> str:
    text = str(value or "").strip().lower()
    if text not in Sessions.values:
        _refuse(_("%(field)s: write am, pm or both.") % {"field": field}, field)
    return text


def _closures(closures: list[Mapping],
              terms: list[tuple[date, date]]) -> list[tuple[date, str, str]]:
    if len(closures) > MAX_CLOSURES:
        _refuse(_("closures: give at most %(max)d closures.") % {"max": MAX_CLOSURES},
                "closures")
    checked, seen = [], {}
    for i, closure in enumerate(closures):
        field = f"closures[{i}]"
        day = _date(closure.get("date"), f"{field}.date")
        if not any(start <= day <= end for start, end in terms):
            _refuse(_("%(field)s: %(day)s is not inside a term.")
                    % {"field": f"{field}.date", "day": day}, f"{field}.date")
        if day in seen:
            _refuse(_("%(field)s: closures[%(other)d] is on the same day; give one closure a "
                      "day (sessions both for the whole day).")
                    % {"field": f"{field}.date", "other": seen[day]}, f"{field}.date")
        seen[day] = i
        sessions = _sessions(closure.get("sessions"), f"{field}.sessions")
        reason = str(closure.get("reason") or "").strip()
        if len(reason) > REASON_MAX:
            _refuse(_("%(field)s: write at most %(max)d characters.")
                    % {"field": f"{field}.reason", "max": REASON_MAX}, f"{field}.reason")
        checked.append((day, sessions, reason))
    return sorted(checked)


def calendar_check(*, academic_year: str, terms: Iterable[Mapping],
                   closures: Iterable[Mapping]) -> tuple[str, _Checked]:
    """Return the academic year and the terms and closures checked, or raise ServiceError.

    Terms lie inside the academic year (1 September to 31 August), each ending on or after
    its start, none overlapping; closures lie inside a term, one a day, taking the morning,
    the afternoon or both. The error names the field at fault: `terms[1].end`.
    """
    year = academic_year_checked(academic_year)
    checked_terms = _terms(list(terms), year)
    return year, _Checked(checked_terms, _closures(list(closures), checked_terms))


def calendar_set(*, user, owner: Establishment | LocalAuthority, academic_year: str,
                 terms: Iterable[Mapping], closures: Iterable[Mapping],
                 request=None) -> Calendar:
    """Replace an owner's calendar for an academic year with these terms and closures.

    `terms`: mappings with `start` and `end`; `closures`: with `date`, `sessions` (am, pm or
    both, any case) and an optional `reason`. Dates are `date`s or "YYYY-MM-DD".
    """
    if not can(user, Action.SET_CALENDAR, owner):
        raise NotFound
    year, checked = calendar_check(academic_year=academic_year, terms=terms,
                                   closures=closures)
    who = {"la": owner} if isinstance(owner, LocalAuthority) else {"establishment": owner}
    with transaction.atomic():
        calendar, created = Calendar.objects.select_for_update().get_or_create(
            academic_year=year, **who, defaults={"updated_by": user})
        if not created:
            calendar.terms.all().delete()
            calendar.closures.all().delete()
            calendar.updated_by = user
            calendar.save(update_fields=["updated_by", "updated_at"])
        Term.objects.bulk_create(
            Term(calendar=calendar, start=start, end=end) for start, end in checked.terms)
        Closure.objects.bulk_create(
            Closure(calendar=calendar, date=day, sessions=sessions, reason=reason)
            for day, sessions, reason in checked.closures)
        audit_record(
            action="calendar.set", actor=user, obj=calendar, request=request,
            summary=Text(gettext_noop("Calendar %(year)s of %(owner)s"), year=year,
                         owner=str(owner)),
            detail={"academic_year": year, "terms": len(checked.terms),
                    "closures": len(checked.closures), "created": created},
        )
    return calendar
