"""Pages of the calendars: the year's terms and closures of a school or an LA."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from s2s.accounts.decorators import requires
from s2s.accounts.policy import Action
from s2s.calendars import selectors
from s2s.core.errors import ServiceError
from s2s.directory.models import LocalAuthority


def _year(request) -> str:
    """Return the academic year asked for (`?year=2025/26`), else the current one."""
    try:
        return selectors.academic_year_checked(request.GET.get("year", ""))
    except ServiceError:
        return selectors.academic_year_of(timezone.localdate())


def _neighbours(year: str) -> tuple[str, str]:
    first = int(year[:4])
    return (f"{first - 1}/{first % 100:02d}", f"{first + 1}/{(first + 2) % 100:02d}")


def _calendar_page(request, owner, year: str):
    calendar = selectors.calendar_of(owner=owner, academic_year=year)
    terms, bank_holidays = ([], [])
    if calendar is not None:
        terms, bank_holidays = selectors.calendar_summary(calendar=calendar)
    previous, following = _neighbours(year)
    return render(request, "calendars/calendar.html", {
        "owner": owner, "is_la": isinstance(owner, LocalAuthority), "year": year,
        "calendar": calendar, "terms": terms, "bank_holidays": bank_holidays,
        "follows_la": calendar is not None and calendar.la_id is not None
        and not isinstance(owner, LocalAuthority),
        "previous_year": previous, "next_year": following,
    })


@requires(Action.VIEW_CALENDAR)
def my_calendar(request):
    """Send a school user to its school's calendar, an LA person to its LA's."""
    user = request.user
    if user.establishment_id:
        return redirect("calendars:school", code=user.establishment.code)
    if user.la_id:
        return redirect("calendars:la", number=user.la.number)
    raise Http404


@requires(Action.VIEW_CALENDAR)
def school_calendar(request, code):
    """Show the calendar a school follows for a year: its own, else its LA's."""
    school = selectors.school_get(user=request.user, code=code)
    return _calendar_page(request, school, _year(request))


@requires(Action.VIEW_CALENDAR)
def la_calendar(request, number):
    """Show an LA's calendar for a year, which its schools without their own follow."""
    la = selectors.la_get(user=request.user, number=number)
    return _calendar_page(request, la, _year(request))
