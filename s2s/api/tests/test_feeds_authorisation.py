"""The feeds API × every role's token: who may send for, and read the feeds of, a school.

Senders: the school's connector and school user (its own school), LA census and LA CME users
(their LA's schools). Readers: the senders and every LA role of the school's LA. Everyone
else with API access gets 404; the role without it (the view-only DBA) gets 401.
"""

import json

import pytest

from s2s.accounts.roles import SCOPE_OF_ROLE, ScopeKind
from s2s.api.tests.conftest import api_client
from s2s.core.tests.matrix import ALL_ROLES
from s2s.feeds.tests.conftest import pupil, send_roll

pytestmark = pytest.mark.django_db

NO_API = frozenset({"la_dba_view"})
SENDERS = frozenset({"school", "connector", "la_census", "la_cme"})
READERS = SENDERS | {"la_dba", "la_user", "la_school", "la_lost_pupil",
                     "la_lost_pupil_transfer", "la_admissions"}


@pytest.fixture
def users(make_user, home_la, sending_school, agency, outsider_school):
    scope_for = {ScopeKind.NATION: None, ScopeKind.LA: home_la,
                 ScopeKind.ESTABLISHMENT: sending_school, ScopeKind.AGENCY: agency}
    return {role: make_user(role, scope_for[SCOPE_OF_ROLE[role]], username=f"m_{role}")
            for role in sorted(ALL_ROLES)}


def _roll(school: str) -> str:
    return json.dumps({"school": school, "pupils": [pupil()]})


def _check(users, ask, allowed) -> list[str]:
    wrong = []
    for role, user in users.items():
        status = ask(api_client(user)).status_code
        expected = 401 if role in NO_API else (None if role in allowed else 404)
        if (expected is None and status in (401, 404)) or (expected and status != expected):
            wrong.append(f"{role}: got {status}")
    return wrong


def test_only_the_schools_senders_may_send_for_it(users):
    def ask(client):
        return client.post("/api/v1/feeds/roll", _roll("8383321"),
                           content_type="application/json")

    assert not _check(users, ask, SENDERS)


def test_nobody_of_the_la_may_send_for_another_las_school(users, outsider_school):
    def ask(client):
        return client.post("/api/v1/feeds/roll", _roll("6812345"),
                           content_type="application/json")

    assert not _check(users, ask, frozenset())


def test_the_schools_feed_reports_are_read_by_its_senders_and_its_la(users):
    feed = send_roll(users["connector"], [pupil()])
    assert not _check(users, lambda c: c.get(f"/api/v1/feeds/{feed.pk}"), READERS)
    assert not _check(users, lambda c: c.get("/api/v1/feeds"), READERS)


def test_another_las_feed_reports_are_read_by_nobody_here(users, outsider_school_user):
    feed = send_roll(outsider_school_user, [pupil()], school="6812345")
    assert not _check(users, lambda c: c.get(f"/api/v1/feeds/{feed.pk}"), frozenset())
