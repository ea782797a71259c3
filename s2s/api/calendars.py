"""School and LA calendars: read and replace a year's terms and closures (issue 13).

A school's own users and MIS connector keep its calendar; the roles of its LA keep their
schools' calendars and the LA's own, which its schools follow unless they send their own.
Anyone else gets 404. The same selectors, service and policy as everywhere else.
"""

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from s2s.accounts.policy import Action
from s2s.api.errors import ERRORS
from s2s.calendars import selectors
from s2s.calendars.models import REASON_MAX, Calendar
from s2s.calendars.services import MAX_CLOSURES, MAX_TERMS, calendar_set
from s2s.core.errors import NotFound

router = Router(tags=["calendars"])

_DATE = {"format": "date"}
YEAR_EXAMPLE = "2025/26"


class TermIn(Schema):
    """A term, first and last day included; half-terms and holidays are the gaps between."""

    start: str = Field(description="First day, YYYY-MM-DD.", examples=["2025-09-03"],
                       json_schema_extra=_DATE)
    end: str = Field(description="Last day, YYYY-MM-DD.", examples=["2025-10-24"],
                     json_schema_extra=_DATE)


class ClosureIn(Schema):
    """A day inside a term when the school is closed (an INSET day), or half of one."""

    date: str = Field(description="YYYY-MM-DD, inside a term.", examples=["2025-11-14"],
                      json_schema_extra=_DATE)
    sessions: str = Field(description="am, pm or both (any case).", examples=["both"])
    reason: str = Field("", description=f"Free text, at most {REASON_MAX} characters.",
                        examples=["INSET"])


class CalendarIn(Schema):
    academic_year: str = Field(description="Two consecutive years: 2025/26 runs from "
                               "1 September 2025 to 31 August 2026.", examples=[YEAR_EXAMPLE])
    terms: list[TermIn] = Field(min_length=1, max_length=MAX_TERMS,
                                description="Inside the academic year, not overlapping.")
    closures: list[ClosureIn] = Field(default_factory=list, max_length=MAX_CLOSURES,
                                      description="One a day, each inside a term.")


class TermOut(Schema):
    start: dt.date
    end: dt.date


class ClosureOut(Schema):
    date: dt.date
    sessions: Literal["am", "pm", "both"]
    reason: str


class CalendarOut(Schema):
    """A year's calendar; for a school without its own, the LA's calendar it follows."""

    academic_year: str = Field(examples=[YEAR_EXAMPLE])
    owner: Literal["school", "la"] = Field(description="Whose calendar it is: the school's "
                                           "own, or its LA's.")
    owner_code: str = Field(description="The establishment number or the LA number.")
    terms: list[TermOut]
    closures: list[ClosureOut]
    updated_at: dt.datetime


class YearQuery(Schema):
    academic_year: str = Field("", description="2025/26; blank: the current academic year.",
                               examples=[YEAR_EXAMPLE])


def _year(query: YearQuery) -> str:
    return selectors.academic_year_checked(
        query.academic_year or selectors.academic_year_of(timezone.localdate()))


def _out(calendar: Calendar | None) -> dict:
    if calendar is None:
        raise NotFound
    school = calendar.establishment_id is not None
    return {
        "academic_year": calendar.academic_year, "owner": "school" if school else "la",
        "owner_code": calendar.owner.code if school else calendar.owner.number,
        "terms": list(calendar.terms.all()), "closures": list(calendar.closures.all()),
        "updated_at": calendar.updated_at,
    }


def _set(request: HttpRequest, owner, payload: CalendarIn) -> dict:
    calendar = calendar_set(
        user=request.auth, owner=owner, academic_year=payload.academic_year,
        terms=[term.model_dump() for term in payload.terms],
        closures=[closure.model_dump() for closure in payload.closures], request=request)
    return _out(selectors.calendar_of(owner=owner, academic_year=calendar.academic_year))


@router.get("/schools/{code}/calendar", response={200: CalendarOut, **ERRORS},
            summary="A school's calendar")
def school_calendar_get(request: HttpRequest, code: str, query: Query[YearQuery]):
    """Return the calendar a school follows for a year: its own, else its LA's (404: none)."""
    school = selectors.school_get(user=request.auth, code=code)
    return _out(selectors.calendar_of(owner=school, academic_year=_year(query)))


@router.put("/schools/{code}/calendar", response={200: CalendarOut, **ERRORS},
            summary="Set a school's calendar")
def school_calendar_set(request: HttpRequest, code: str, payload: CalendarIn):
    """Replace the school's own calendar for the year (it no longer follows its LA's)."""
    school = selectors.school_get(user=request.auth, code=code, action=Action.SET_CALENDAR)
    return _set(request, school, payload)


@router.get("/las/{number}/calendar", response={200: CalendarOut, **ERRORS},
            summary="An LA's calendar")
def la_calendar_get(request: HttpRequest, number: str, query: Query[YearQuery]):
    """Return the LA's calendar for a year, which its schools follow (404: none)."""
    la = selectors.la_get(user=request.auth, number=number)
    return _out(selectors.calendar_of(owner=la, academic_year=_year(query)))


@router.put("/las/{number}/calendar", response={200: CalendarOut, **ERRORS},
            summary="Set an LA's calendar")
def la_calendar_set(request: HttpRequest, number: str, payload: CalendarIn):
    """Replace the LA's calendar for the year, followed by its schools without their own."""
    la = selectors.la_get(user=request.auth, number=number, action=Action.SET_CALENDAR)
    return _set(request, la, payload)
