"""Calendar fixtures: a real-looking 2025/26 year of six terms, set through the service."""

import pytest

from s2s.accounts.roles import Role
from s2s.calendars.services import calendar_set

# Six terms; half-terms and holidays are the gaps between them (27-31 October is half-term).
TERMS_2025 = [
    {"start": "2025-09-03", "end": "2025-10-24"},
    {"start": "2025-11-03", "end": "2025-12-19"},
    {"start": "2026-01-05", "end": "2026-02-13"},
    {"start": "2026-02-23", "end": "2026-03-27"},
    {"start": "2026-04-13", "end": "2026-05-22"},  # May Day, Monday 4 May, is inside
    {"start": "2026-06-01", "end": "2026-07-22"},
]
CLOSURES_2025 = [
    {"date": "2025-11-14", "sessions": "both", "reason": "INSET"},
    {"date": "2025-12-19", "sessions": "PM", "reason": "Early finish for Christmas"},
]


@pytest.fixture
def la_calendar_setter(make_user, home_la):
    """An LA user of LA 838, who sets the LA's and its schools' calendars."""
    return make_user(Role.LA_USER, home_la, username="838calendars")


@pytest.fixture
def set_calendar(la_calendar_setter):
    """Return a function that sets an owner's calendar through the service."""

    def set_(owner, *, academic_year="2025/26", terms=TERMS_2025, closures=CLOSURES_2025,
             user=None):
        return calendar_set(user=user or la_calendar_setter, owner=owner,
                            academic_year=academic_year, terms=terms, closures=closures)

    return set_
