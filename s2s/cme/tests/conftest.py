"""CME fixtures: LA 838's 2025/26 calendar (half-term 27-31 October), pupils and their marks.

Feeds go through the feeds service, as a school's MIS sends them; signals through
`signals_recompute`, as the nightly job runs it.
"""

from datetime import date

import pytest

from s2s.accounts.roles import SCOPE_OF_ROLE, Role, ScopeKind
from s2s.calendars.selectors import school_days
from s2s.calendars.tests.conftest import (  # noqa: F401 (fixtures)
    la_calendar_setter,
    set_calendar,
)
from s2s.cme.models import Signal
from s2s.cme.services import signals_recompute
from s2s.core.tests.matrix import ALL_ROLES
from s2s.feeds.tests.conftest import (  # noqa: F401 (fixtures and autouse)
    UPN_1,
    UPN_2,
    connector,
    file_store,
    master_key,
    pupil,
    send,
    send_marks,
    send_roll,
    welsh_connector,
)


@pytest.fixture
def calendar_2025(set_calendar, home_la):  # noqa: F811
    """LA 838's 2025/26 calendar: half-term 27-31 October, INSET 14 November."""
    return set_calendar(home_la)


@pytest.fixture
def school(calendar_2025, sending_school, connector):  # noqa: F811
    """School 8383321 with UPN_1 (Amy Smith) on its roll, entered in 2021."""
    send_roll(connector, [pupil(UPN_1)])
    return sending_school


@pytest.fixture
def users(make_user, home_la, sending_school, agency):
    """One user of every role: LA 838's, school 8383321's, an agency's, the service's."""
    scope_for = {ScopeKind.NATION: None, ScopeKind.LA: home_la,
                 ScopeKind.ESTABLISHMENT: sending_school, ScopeKind.AGENCY: agency}
    return {role: make_user(role, scope_for[SCOPE_OF_ROLE[role]], username=f"m_{role}")
            for role in sorted(ALL_ROLES)}


@pytest.fixture
def other_connector(make_user, receiving_school):
    return make_user(Role.CONNECTOR, receiving_school, username="8384512-mis")


def days_between(establishment, first: str, last: str) -> list[date]:
    """Return the school's days from `first` to `last` (its calendar's, read back)."""
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return school_days(establishment=establishment, start=start, end=end).days()


def mark_days(user, days, code: str, upn: str = UPN_1, school: str = "8383321"):
    """Send `code` for both sessions of each day."""
    return send_marks(user, [(upn, day.isoformat(), session, code)
                             for day in days for session in ("AM", "PM")], school=school)


def recompute(establishment, today: str):
    return signals_recompute(establishment=establishment, today=date.fromisoformat(today))


def signals(kind: str | None = None, **filters) -> list[Signal]:
    found = Signal.objects.order_by("first_day", "pk").filter(**filters)
    return list(found.filter(kind=kind) if kind else found)
