"""`/api/v1/cme/cases`: who reads and works which cases, the shapes, refusals, the audit."""

from datetime import date

import pytest

from s2s.accounts.roles import Role
from s2s.api.tests.conftest import api_client
from s2s.audit.models import AuditEvent
from s2s.cme.cases import case_open
from s2s.cme.models import Case, Signal
from s2s.cme.tests.conftest import UPN_1
from s2s.ctf.identifiers import make_upn

URL = "/api/v1/cme/cases"
NO_API = frozenset({"la_dba_view"})  # agencies have API tokens (issue 16)
READERS = frozenset({"admin", "la_cme", "la_user"})
UNKNOWN = make_upn(la="838", establishment="4512", year=19, serial=7)


@pytest.fixture
def officer(make_user, home_la):
    return make_user(Role.LA_CME, home_la, username="838cme")


@pytest.fixture
def own(officer):
    return case_open(user=officer, upn=UNKNOWN, surname="Jones", forename="Cara",
                     dob=date(2015, 3, 1))


@pytest.fixture
def elsewhere(make_user, other_la):
    return case_open(user=make_user(Role.LA_CME, other_la, username="681cme"), upn=UNKNOWN,
                     surname="Jones", forename="Cara", dob=date(2015, 3, 1))


def test_the_list_item_carries_the_child_the_state_and_the_timer(officer, own):
    body = api_client(officer).get(URL).json()
    assert (body["count"], body["next"]) == (1, None)
    item = body["items"][0]
    assert {k: item[k] for k in ("id", "upn", "surname", "forename", "dob", "la", "school",
                                 "signal", "state", "outcome", "outcome_place", "closed_at",
                                 "overdue", "turned_up")} == {
        "id": own.pk, "upn": UNKNOWN, "surname": "Jones", "forename": "Cara",
        "dob": "2015-03-01", "la": "838", "school": None, "signal": None, "state": "referred",
        "outcome": None, "outcome_place": None, "closed_at": None, "overdue": False,
        "turned_up": None}
    assert item["due_by"] is not None


def test_the_filters_narrow_the_list(officer, own, make_user):
    client = api_client(officer)
    assert client.get(URL, {"state": "referred"}).json()["count"] == 1
    assert client.get(URL, {"state": "enquiries"}).json()["count"] == 0
    assert client.get(URL, {"upn": UNKNOWN.lower()}).json()["count"] == 1
    assert client.get(URL, {"la": "681"}).json()["count"] == 0


def test_the_las_officers_and_users_and_the_service_read_cases(own, elsewhere, users):
    wrong = []
    for role, user in users.items():
        client = api_client(user)
        listed, read = client.get(URL), client.get(f"{URL}/{own.pk}")
        expected = 401 if role in NO_API else (200 if role in READERS else 404)
        if (listed.status_code, read.status_code) != (expected, expected):
            wrong.append(f"{role}: got {listed.status_code}, {read.status_code}")
        elif expected == 200:
            seen = sorted(item["id"] for item in listed.json()["items"])
            if seen != ([own.pk, elsewhere.pk] if role == "admin" else [own.pk]):
                wrong.append(f"{role}: saw {seen}")
    assert wrong == []


def test_another_las_case_is_not_found(officer, elsewhere):
    client = api_client(officer)
    assert client.get(f"{URL}/{elsewhere.pk}").status_code == 404
    response = client.post(f"{URL}/{elsewhere.pk}/events", {"action": "start_enquiries"},
                           content_type="application/json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_only_the_cme_officer_opens_and_acts(users, own):
    wrong = []
    for role, user in users.items():
        client = api_client(user)
        opened = client.post(URL, {"upn": UPN_1, "surname": "A", "forename": "B",
                                   "dob": "2016-01-01"}, content_type="application/json")
        acted = client.post(f"{URL}/{own.pk}/events", {"action": "note", "note": "Hello"},
                            content_type="application/json")
        expected = 401 if role in NO_API else (201 if role == "la_cme" else 404)
        if (opened.status_code, acted.status_code) != (expected, expected):
            wrong.append(f"{role}: got {opened.status_code}, {acted.status_code}")
    assert wrong == []


def test_open_by_upn_answers_the_case_with_its_first_event(officer, home_la):
    response = api_client(officer).post(URL, {"upn": UNKNOWN, "surname": "Jones",
                                              "forename": "Cara", "dob": "2015-03-01"},
                                        content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert (body["state"], body["upn"], body["la"]) == ("referred", UNKNOWN, "838")
    assert [e["action"] for e in body["events"]] == ["opened"]
    assert [row["item"] for row in body["checklist"]] == [
        "lpd_searched", "siblings_schools", "health", "housing", "police"]
    assert body["checklist"][0]["done_by"] is None


def test_open_from_a_signal(officer, sending_school):
    signal = Signal.objects.create(
        kind="absence_20_days", establishment=sending_school, upn=UPN_1, surname="Smith",
        forename="Amy", dob=date(2016, 10, 15), first_day=date(2025, 10, 20),
        fired_on=date(2025, 11, 14))
    body = api_client(officer).post(URL, {"signal": signal.pk},
                                    content_type="application/json").json()
    assert (body["signal"], body["school"], body["surname"], body["signals"]) == (
        signal.pk, "8383321", "Smith", [signal.pk])


def test_an_action_answers_the_case_and_a_refusal_says_why(officer, own):
    client = api_client(officer)
    refused = client.post(f"{URL}/{own.pk}/events", {"action": "close", "outcome": "abroad"},
                          content_type="application/json")
    assert refused.status_code == 400
    assert refused.json() == {"message": "Start enquiries first: the case is referred.",
                              "code": "transition_refused", "field": "action"}
    done = client.post(f"{URL}/{own.pk}/events",
                       {"action": "start_enquiries", "note": "Visited the address."},
                       content_type="application/json")
    assert done.status_code == 201
    body = done.json()
    assert body["state"] == "enquiries"
    assert body["events"][-1] | {"at": None} == {
        "action": "start_enquiries", "note": "Visited the address.", "by": "838cme",
        "at": None, "from_state": "referred", "to_state": "enquiries", "detail": {}}
    checked = client.post(f"{URL}/{own.pk}/events", {"action": "lpd_searched"},
                          content_type="application/json").json()
    assert checked["checklist"][0]["done_by"] == "838cme"


def test_an_unknown_action_is_refused_by_the_schema(officer, own):
    response = api_client(officer).post(f"{URL}/{own.pk}/events", {"action": "fly"},
                                        content_type="application/json")
    assert response.status_code == 400
    assert response.json()["field"] == "action"


def test_every_read_of_a_case_is_audited(officer, la_officer, own):
    api_client(la_officer).get(f"{URL}/{own.pk}")
    api_client(officer).get(URL)
    reads = AuditEvent.objects.filter(action="cme_case_view")
    assert list(reads.values_list("actor_username", "object_id")) == [("838user", str(own.pk))]
    listed = AuditEvent.objects.get(action="cme_cases_view")
    assert (listed.actor_username, listed.detail["cases"]) == ("838cme", [own.pk])


def test_a_case_closed_as_on_roll(officer, own, receiving_school):
    client = api_client(officer)
    for action in ("start_enquiries", "located"):
        client.post(f"{URL}/{own.pk}/events", {"action": action},
                    content_type="application/json")
    body = client.post(f"{URL}/{own.pk}/events",
                       {"action": "close", "outcome": "on_roll", "school": "8384512"},
                       content_type="application/json").json()
    assert (body["state"], body["outcome"], body["outcome_place"], body["due_by"]) == (
        "closed", "on_roll", "8384512", None)
    assert Case.objects.get(pk=own.pk).closed_at is not None
