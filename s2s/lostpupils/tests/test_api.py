"""The lost pupils API: search and forward, with the pages' policy (issue 5)."""

import pytest

from s2s.accounts.roles import SCOPE_OF_ROLE, ScopeKind
from s2s.api.tests.conftest import api_client
from s2s.core.tests.matrix import ALL_ROLES
from s2s.lostpupils.tests.conftest import send_lost

SEARCHERS = {"admin", "la_lost_pupil", "la_lost_pupil_transfer"}
NO_API = {"la_dba_view"}


@pytest.fixture
def record(outsider_school_user):
    """Another LA's (681) pupil: the LPD is national."""
    return send_lost(outsider_school_user, "6812345", surname="Muhammad", forename="Yusuf",
                     dob="2011-03-09", sex="M", upn="H801200001001").lost_pupil


@pytest.fixture
def clients(make_user, home_la, sending_school, agency):
    scope_for = {ScopeKind.NATION: None, ScopeKind.LA: home_la,
                 ScopeKind.ESTABLISHMENT: sending_school, ScopeKind.AGENCY: agency}
    return {role: api_client(make_user(role, scope_for[SCOPE_OF_ROLE[role]],
                                       username=f"a_{role}"))
            for role in sorted(ALL_ROLES)}


def test_search_ranks_with_score_and_reason(clients, record):
    response = clients["la_lost_pupil"].get(
        "/api/v1/lost-pupils", {"surname": "Mohammed", "dob": "2011-09-03", "swap_dob": "1"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["id"], item["la"], item["school"]) == (record.pk, "681", "6812345")
    assert item["reason"] == "Surname sounds alike, DOB day and month swapped"
    # Surname sounds alike 80% of 30 points, DOB swapped 60% of 25: 3900 / 55 = 70.9.
    assert item["score"] == 71


def test_only_the_lost_pupil_roles_and_the_service_search(clients, record):
    for role, client in clients.items():
        status = client.get("/api/v1/lost-pupils", {"upn": "H801200001001"}).status_code
        expected = 200 if role in SEARCHERS else 401 if role in NO_API else 404
        assert status == expected, role


def test_forward_through_the_api(clients, record, receiving_school):
    response = clients["la_lost_pupil_transfer"].post(
        f"/api/v1/lost-pupils/{record.pk}/forward", {"to": "8384512"},
        content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["destination"] == "8384512"
    record.refresh_from_db()
    assert record.status == "downloaded"


def test_only_a_lost_pupil_transfer_officer_forwards(clients, record, receiving_school):
    for role, client in clients.items():
        if role == "la_lost_pupil_transfer":
            continue
        status = client.post(f"/api/v1/lost-pupils/{record.pk}/forward", {"to": "8384512"},
                             content_type="application/json").status_code
        assert status == (401 if role in NO_API else 404), role


def test_forward_to_another_las_school_is_refused(clients, record, outsider_school):
    response = clients["la_lost_pupil_transfer"].post(
        f"/api/v1/lost-pupils/{record.pk}/forward", {"to": "6812345"},
        content_type="application/json")
    assert response.status_code == 400
    assert response.json()["field"] == "to"
