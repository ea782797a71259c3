"""The Operation Encompass API: each role's token gets exactly what the policy gives."""

from datetime import date

import pytest

from s2s.accounts.roles import SCOPE_OF_ROLE, ScopeKind
from s2s.agencies.encompass import encompass_send
from s2s.api.tests.conftest import api_client
from s2s.core.tests.matrix import ALL_ROLES

FOLLOWERS = {"la_dba", "la_user"}
NO_API = {"la_dba_view"}
BODY = {"school": "8383321", "reference": "DP/1", "surname": "Smith", "forename": "Ann",
        "dob": "2016-03-27", "incident_on": "2026-01-02", "summary": "Police attended."}


@pytest.fixture
def clients(make_user, home_la, sending_school, police, agreement):
    agreement(police, "out", "8383321")
    scope_for = {ScopeKind.NATION: None, ScopeKind.LA: home_la,
                 ScopeKind.ESTABLISHMENT: sending_school, ScopeKind.AGENCY: police}
    users = {role: make_user(role, scope_for[SCOPE_OF_ROLE[role]], username=f"m_{role}")
             for role in sorted(ALL_ROLES)}
    sent = encompass_send(user=users["agency"], school="8383321", reference="DP/0",
                          surname="Smith", forename="Ann", dob=date(2016, 3, 27),
                          incident_on=date(2026, 1, 1), summary="Police attended.")
    return sent, {role: api_client(user) for role, user in users.items()}


def test_each_role_gets_exactly_the_answer_the_policy_gives(clients):
    sent, by_role = clients
    for role, client in by_role.items():
        listed = client.get("/api/v1/encompass")
        one = client.get(f"/api/v1/encompass/{sent.pk}")
        made = client.post("/api/v1/encompass", BODY, content_type="application/json")
        if role in NO_API:
            assert {listed.status_code, one.status_code, made.status_code} == {401}, role
            continue
        readers = {"agency", "school"} | FOLLOWERS
        assert listed.status_code == (200 if role in readers else 404), role
        assert one.status_code == (200 if role in readers else 404), role
        assert made.status_code == (201 if role == "agency" else 404), role
        if role in readers:
            assert "DP/0" in [item["reference"] for item in listed.json()["items"]]
            details = one.json()["details"]
            assert (details is None) == (role in FOLLOWERS), role


def test_the_schools_read_through_the_api_is_the_receipt(clients):
    sent, by_role = clients
    assert by_role["school"].get(f"/api/v1/encompass/{sent.pk}").json()["details"][
        "surname"] == "Smith"
    assert by_role["agency"].get("/api/v1/encompass").json()["items"][0]["read_at"]


def test_a_refusal_names_the_field(clients):
    _sent, by_role = clients
    refused = by_role["agency"].post("/api/v1/encompass", {**BODY, "dob": "not a date"},
                                     content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["field"] == "dob"
