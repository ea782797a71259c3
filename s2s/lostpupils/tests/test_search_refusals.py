"""Issue 20, 4: a search by punctuation listed every record in the country, with score 0.

A criterion with no letter or digit is refused as the empty search is, on the page and in the
API; a UPN must look like a UPN (or its first four characters or more); and no search returns
a record that matched nothing. Random criteria get a refusal with a reason or a real result.
"""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from s2s.api.tests.conftest import api_client
from s2s.audit.models import AuditEvent
from s2s.core.errors import ServiceError
from s2s.ctf.records import Address
from s2s.lostpupils.search import Criteria, search_records
from s2s.lostpupils.services.records import lost_pupil_search
from s2s.lostpupils.tests.conftest import send_lost

# The attacks the security test sent, field by field.
PUNCTUATION = [
    ("surname", "."), ("surname", "%"), ("surname", "*"), ("surname", "_"), ("surname", "-"),
    ("upn", "%"), ("town", "!"), ("forename", "'"), ("postcode", "--"), ("surname", "123"),
]
NOT_UPNS = ["%", "H80", "H8%1", "1801200001001", "HH01200001001",
            "H80120000100%", "ABCD"]


def _in(town: str) -> Address:
    return Address(paon="1", street="High Street", town=town, postcode="DT1 1AA")


@pytest.fixture
def records(sending_school_user):
    """Three pupils of LA 838's school, with UPNs that share their first characters."""
    return [
        send_lost(sending_school_user, "8383321", surname="Thomson", forename="Ayesha",
                  dob="2012-10-05", sex="F", address=_in("Dorchester"), upn="H801200001001"
                  ).lost_pupil,
        send_lost(sending_school_user, "8383321", surname="Okafor", forename="Chidi",
                  dob="2013-01-22", sex="M", address=_in("Weymouth"), upn="R201100018042"
                  ).lost_pupil,
        send_lost(sending_school_user, "8383321", surname="Smith-Jones", forename="Lily",
                  dob="2011-07-14", sex="F", address=_in("Bridport"), upn="H801200002001"
                  ).lost_pupil,
    ]


@pytest.fixture
def searcher_api(lpd_transfer_officer):
    return api_client(lpd_transfer_officer)


@pytest.mark.parametrize(("field", "value"), PUNCTUATION)
def test_a_criterion_of_punctuation_alone_is_refused_on_the_page(
        client, records, lpd_transfer_officer, field, value):
    client.force_login(lpd_transfer_officer)
    response = client.get(reverse("lostpupils:search"), {field: value, "search": ""})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors[field]
    assert response.context["page"] is None
    assert "Thomson" not in response.content.decode()
    assert not AuditEvent.objects.filter(action="lpd_search").exists()


@pytest.mark.parametrize(("field", "value"), PUNCTUATION)
def test_a_criterion_of_punctuation_alone_is_refused_in_the_api(searcher_api, records, field,
                                                                value):
    response = searcher_api.get("/api/v1/lost-pupils", {field: value})
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == field
    assert body["code"] in {"invalid_upn", "not_a_criterion"}
    assert body["message"]


def test_punctuation_beside_a_real_criterion_is_still_refused(searcher_api, records):
    response = searcher_api.get("/api/v1/lost-pupils", {"surname": "%", "sex": "F"})
    assert response.status_code == 400
    assert response.json()["field"] == "surname"


def test_the_refusal_says_what_a_surname_needs(searcher_api, records):
    response = searcher_api.get("/api/v1/lost-pupils", {"surname": "."})
    assert response.json()["message"] == "A surname must have at least one letter"


@pytest.mark.parametrize("upn", NOT_UPNS)
def test_a_upn_that_does_not_look_like_one_is_refused(searcher_api, records, upn):
    response = searcher_api.get("/api/v1/lost-pupils", {"upn": upn})
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("invalid_upn", "upn")


def test_a_upn_prefix_of_four_characters_finds_the_upns_that_begin_with_it(searcher_api,
                                                                           records):
    body = searcher_api.get("/api/v1/lost-pupils", {"upn": "h801"}).json()
    assert sorted(item["upn"] for item in body["items"]) == ["H801200001001", "H801200002001"]
    assert {item["reason"] for item in body["items"]} == {"UPN begins with the search"}
    assert all(item["score"] > 0 for item in body["items"])


def test_a_whole_upn_in_lower_case_is_found_exactly(searcher_api, records):
    body = searcher_api.get("/api/v1/lost-pupils", {"upn": "r201100018042"}).json()
    assert [(item["upn"], item["reason"]) for item in body["items"]] == [
        ("R201100018042", "UPN exact")]


def test_a_upn_prefix_with_a_space_is_read_without_it(searcher_api, records):
    body = searcher_api.get("/api/v1/lost-pupils", {"upn": "R201 1000"}).json()
    assert [item["upn"] for item in body["items"]] == ["R201100018042"]


def test_a_whole_upn_does_not_match_as_a_prefix(searcher_api, records):
    body = searcher_api.get("/api/v1/lost-pupils", {"upn": "H8012000"}).json()
    assert body["count"] == 2
    body = searcher_api.get("/api/v1/lost-pupils", {"upn": "H801200001009"}).json()
    assert body["count"] == 0


def test_the_search_itself_refuses_punctuation_whoever_calls_it(records):
    with pytest.raises(ServiceError) as refused:
        search_records(Criteria(town="!"))
    assert refused.value.field == "town"


def test_a_nul_in_a_criterion_is_searched_and_audited_without_it(records,
                                                                 lpd_transfer_officer):
    """Found by the hypothesis test on PostgreSQL, whose JSON cannot hold a NUL."""
    page = lost_pupil_search(user=lpd_transfer_officer, criteria=Criteria(town="Weymouth\x00"))
    assert [hit.record.surname for hit in page.object_list] == ["Okafor"]
    event = AuditEvent.objects.get(action="lpd_search")
    assert event.detail["criteria"] == {"town": "Weymouth", "match": "soundalike"}


def test_sex_alone_is_no_criterion(searcher_api, records):
    response = searcher_api.get("/api/v1/lost-pupils", {"sex": "F"})
    assert response.status_code == 400
    assert response.json()["code"] == "no_criteria"


# Text as people (and attackers) type it: letters of any script, digits, punctuation, SQL
# wildcards, spaces and control characters; and the records' own values, so some searches find.
_TEXT = st.one_of(st.text(alphabet=st.one_of(
    st.sampled_from("%_*.-'!?\\[]^$()|+ \t\n\x00"), st.sampled_from("AaEeHhOoSsTtMmYy"),
    st.characters(codec="utf-8", exclude_categories=("Cs",)),
    st.sampled_from("0123456789"),
), max_size=15), st.sampled_from(["Thomson", "Tomson", "smith", "H801", "h8012000010 01",
                                  "Dorchester", "DT1", "ayesha", "Lily%", "Okafor."]))
_FIELDS = ("upn", "surname", "forename", "town", "postcode")
_SEARCH = settings(max_examples=150, deadline=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture,
                                          HealthCheck.too_slow])


@_SEARCH
@given(values=st.fixed_dictionaries({}, optional={name: _TEXT for name in _FIELDS}),
       match=st.sampled_from(["soundalike", "begins"]), sex=st.sampled_from(["", "M", "F"]))
def test_random_criteria_are_refused_with_a_reason_or_find_only_matches(
        records, lpd_transfer_officer, values, match, sex):
    criteria = Criteria(match=match, sex=sex, **values)
    try:
        page = lost_pupil_search(user=lpd_transfer_officer, criteria=criteria)
    except ServiceError as error:
        refusal = error
    else:
        refusal = None
    if refusal is not None:
        assert refusal.message
        assert refusal.field in _FIELDS
        return
    given_count = sum(1 for name in _FIELDS if values.get(name, "").strip()) + bool(sex)
    for hit in page.object_list:
        assert 1 <= hit.score <= 100
        # Each criterion given is one reason: a record is found by what it matched.
        assert len(hit.reasons) == given_count


_QUERY = st.fixed_dictionaries({}, optional={
    **{name: _TEXT.map(lambda text: text.replace("\x00", "")) for name in _FIELDS},
    "match": st.sampled_from(["soundalike", "begins"]), "sex": st.sampled_from(["", "M", "F"]),
})


@_SEARCH
@given(query=_QUERY)
def test_random_api_searches_answer_a_refusal_or_matches_never_a_server_error(
        searcher_api, records, query):
    response = searcher_api.get("/api/v1/lost-pupils", query)
    assert response.status_code in (200, 400), response.content
    body = response.json()
    if response.status_code == 400:
        assert body["message"]
        assert body["code"]
        return
    for item in body["items"]:
        assert 1 <= item["score"] <= 100
        assert item["reason"]


_FORM = st.fixed_dictionaries({}, optional={
    **{name: _TEXT.map(lambda text: text.replace("\x00", "")) for name in _FIELDS},
    "surname_begins": st.sampled_from(["on"]), "sex": st.sampled_from(["", "M", "F"]),
})


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(form=_FORM)
def test_random_page_searches_show_a_reason_or_matches_never_a_server_error(
        client, records, lpd_transfer_officer, form):
    client.force_login(lpd_transfer_officer)
    response = client.get(reverse("lostpupils:search"), {**form, "search": ""})
    assert response.status_code == 200
    page, errors = response.context["page"], response.context["form"].errors
    if page is None:
        assert errors
        return
    for hit in page.object_list:
        assert 1 <= hit.score <= 100
        assert hit.reasons
