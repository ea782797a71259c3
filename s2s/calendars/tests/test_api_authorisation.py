"""Every calendar endpoint × every role's token × schools and LAs in and out of its scope.

The calendars' half of the API's authorisation matrix (`api/tests/access.py` says why API
endpoints are not rows of the session-based one). Allowed roles get 200; every other role
with API access gets 404, and roles without API access (the view-only DBA) gets 401.
"""

from types import SimpleNamespace

import pytest

from s2s.accounts.roles import LA_ROLES, SCOPE_OF_ROLE, ScopeKind
from s2s.api.tests.conftest import api_client
from s2s.calendars.tests.conftest import TERMS_2025
from s2s.core.tests.matrix import ALL_ROLES

NO_API = frozenset({"la_dba_view"})
SCHOOL = frozenset({"school", "connector"})
LA = frozenset(str(role) for role in LA_ROLES) - NO_API
NOBODY = frozenset()
CALENDAR = {"academic_year": "2025/26", "terms": TERMS_2025,
            "closures": [{"date": "2025-11-14", "sessions": "both", "reason": "INSET"}]}

# (what it is, its URL, who may read and set it) for a user of LA 838 and school 8383321.
OWNERS = [
    ("the user's own school", "/api/v1/schools/8383321/calendar", SCHOOL | LA),
    ("another school of the user's LA", "/api/v1/schools/8384512/calendar", LA),
    ("another LA's school", "/api/v1/schools/6812345/calendar", NOBODY),
    ("a school that does not exist", "/api/v1/schools/8389999/calendar", NOBODY),
    ("the user's own LA", "/api/v1/las/838/calendar", LA),
    ("another LA", "/api/v1/las/681/calendar", NOBODY),
]


@pytest.fixture
def world(make_user, home_la, other_la, sending_school, receiving_school, outsider_school,
          agency, set_calendar):
    """A token for one user of every role in LA 838 (schools: 8383321); every owner has a
    calendar for 2025/26, so an allowed reader gets it."""
    scope_for = {ScopeKind.NATION: None, ScopeKind.LA: home_la,
                 ScopeKind.ESTABLISHMENT: sending_school, ScopeKind.AGENCY: agency}
    users = {role: make_user(role, scope_for[SCOPE_OF_ROLE[role]], username=f"m_{role}")
             for role in sorted(ALL_ROLES)}
    set_calendar(home_la)
    set_calendar(sending_school)
    set_calendar(receiving_school)
    set_calendar(other_la, user=make_user("la_user", other_la, username="681cal"))
    set_calendar(outsider_school, user=make_user("school", outsider_school, username="681sc"))
    return SimpleNamespace(clients={role: api_client(user) for role, user in users.items()})


def _expected(role: str, allowed: frozenset) -> int:
    if role in NO_API:
        return 401
    return 200 if role in allowed else 404


@pytest.mark.parametrize("method", ["get", "put"])
@pytest.mark.parametrize(("label", "url", "allowed"), OWNERS, ids=[o[0] for o in OWNERS])
def test_each_role_gets_exactly_the_answer_the_policy_gives(world, method, label, url,
                                                            allowed):
    wrong = []
    for role, client in world.clients.items():
        if method == "put":
            response = client.put(url, CALENDAR, content_type="application/json")
        else:
            response = client.get(url, {"academic_year": "2025/26"})
        if response.status_code != _expected(role, allowed):
            wrong.append(f"{role}: expected {_expected(role, allowed)}, "
                         f"got {response.status_code}")
    assert not wrong, f"{method} {label}: " + "; ".join(wrong)
