"""`GET /api/v1/cme/signals`: who sees which signals, the filters, the item, the audit."""

from datetime import date

import pytest

from s2s.accounts.roles import Role
from s2s.api.tests.conftest import api_client
from s2s.audit.models import AuditEvent
from s2s.cme.models import Signal
from s2s.cme.tests.conftest import UPN_1, UPN_2, days_between, mark_days, recompute

URL = "/api/v1/cme/signals"
NO_API = frozenset({"la_dba_view"})
# The lost-pupil officers read only their LA's joiners with no CTF (none here).
LOST_PUPIL_ROLES = frozenset({"la_lost_pupil", "la_lost_pupil_transfer"})
READERS = frozenset({"admin", "la_cme", "la_user", "school", "connector", *LOST_PUPIL_ROLES})


@pytest.fixture
def fired(school, connector):
    """UPN_1's 10-day, persistent and severe absence at 8383321, fired on 7 November."""
    mark_days(connector, days_between(school, "2025-10-20", "2025-11-07"), "N")
    recompute(school, "2025-11-07")
    return Signal.objects.get(kind="absence_10_days")


@pytest.fixture
def elsewhere(fired, outsider_school):
    """A signal at LA 681's school 6812345."""
    return Signal.objects.create(
        kind="absence_10_days", establishment=outsider_school, upn=UPN_2, surname="Jones",
        forename="Bob", first_day=date(2025, 10, 20), fired_on=date(2025, 11, 7),
        school_days=10)


def upns(response) -> list[str]:
    return sorted({item["upn"] for item in response.json()["items"]})


def test_the_item_carries_the_pupil_the_run_and_its_school(fired, make_user, home_la):
    officer = make_user(Role.LA_CME, home_la, username="838cme")
    body = api_client(officer).get(URL, {"kind": "absence_10_days"}).json()
    assert body["count"] == 1
    assert body["next"] is None
    assert body["items"] == [{
        "id": fired.pk, "kind": "absence_10_days", "upn": UPN_1, "surname": "Smith",
        "forename": "Amy", "dob": "2016-10-15", "school": "8383321", "la": "838",
        "first_day": "2025-10-20", "fired_on": "2025-11-07", "school_days": 10,
        "status": "open", "detail": {"sessions": 20}}]


def test_the_las_cme_officers_and_la_users_the_school_and_the_service_read_them(
        fired, elsewhere, users):
    wrong = []
    for role, user in users.items():
        response = api_client(user).get(URL)
        expected = 401 if role in NO_API else (200 if role in READERS else 404)
        if response.status_code != expected:
            wrong.append(f"{role}: got {response.status_code}")
        elif expected == 200:
            seen = upns(response)
            expected = {"admin": [UPN_1, UPN_2], **dict.fromkeys(LOST_PUPIL_ROLES, [])}
            if seen != expected.get(role, [UPN_1]):
                wrong.append(f"{role}: saw {seen}")
    assert wrong == []


def test_another_las_officer_and_school_see_none_of_them(fired, make_user, other_la,
                                                         outsider_school):
    for user in (make_user(Role.LA_CME, other_la, username="681cme"),
                 make_user(Role.SCHOOL, outsider_school, username="6812345")):
        client = api_client(user)
        assert client.get(URL).json()["count"] == 0
        assert client.get(URL, {"school": "8383321"}).status_code == 404


def test_the_filters_narrow_the_list(fired, elsewhere, service_admin):
    client = api_client(service_admin)
    assert upns(client.get(URL, {"la": "681"})) == [UPN_2]
    assert upns(client.get(URL, {"school": "8383321"})) == [UPN_1]
    assert upns(client.get(URL, {"upn": UPN_2.lower()})) == [UPN_2]
    assert client.get(URL, {"kind": "severe_absence"}).json()["count"] == 1
    assert client.get(URL, {"status": "closed"}).json()["count"] == 0
    assert client.get(URL, {"kind": "nonsense"}).status_code in (400, 422)


def test_every_read_is_audited_with_the_signals_shown(fired, service_admin):
    api_client(service_admin).get(URL, {"kind": "absence_10_days"})
    event = AuditEvent.objects.get(action="cme_signals_view")
    assert event.actor == service_admin
    assert event.detail["filters"] == {"kind": "absence_10_days", "page": 1}
    assert event.detail["signals"] == [fired.pk]
    assert event.summary == "1 of 1 signals"
