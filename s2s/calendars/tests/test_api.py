"""The calendar API: set and read a school's or an LA's calendar with a token."""

import pytest

from s2s.api.tests.conftest import api_client
from s2s.calendars.tests.conftest import CLOSURES_2025, TERMS_2025

SCHOOL_URL = "/api/v1/schools/8383321/calendar"
LA_URL = "/api/v1/las/838/calendar"
YEAR = {"academic_year": "2025/26"}
CALENDAR = {**YEAR, "terms": TERMS_2025, "closures": CLOSURES_2025}


@pytest.fixture
def connector(make_user, sending_school):
    return api_client(make_user("connector", sending_school, username="8383321-mis"))


@pytest.fixture
def la(la_dba):
    return api_client(la_dba)


def _put(client, url, body):
    return client.put(url, body, content_type="application/json")


def test_a_connector_sets_its_schools_calendar_and_reads_it_back(connector):
    response = _put(connector, SCHOOL_URL, CALENDAR)
    assert response.status_code == 200, response.json()
    body = connector.get(SCHOOL_URL, YEAR).json()
    assert body["academic_year"] == "2025/26"
    assert (body["owner"], body["owner_code"]) == ("school", "8383321")
    assert body["terms"][0] == {"start": "2025-09-03", "end": "2025-10-24"}
    assert len(body["terms"]) == 6
    assert body["closures"] == [
        {"date": "2025-11-14", "sessions": "both", "reason": "INSET"},
        {"date": "2025-12-19", "sessions": "pm", "reason": "Early finish for Christmas"},
    ]
    assert response.json() == body


def test_a_school_without_its_own_calendar_is_shown_its_las(connector, la):
    assert _put(la, LA_URL, CALENDAR).status_code == 200
    body = connector.get(SCHOOL_URL, YEAR).json()
    assert (body["owner"], body["owner_code"]) == ("la", "838")
    assert body["closures"][0]["reason"] == "INSET"


def test_a_school_sets_its_own_calendar_over_its_las(connector, la):
    _put(la, LA_URL, CALENDAR)
    own = {**YEAR, "terms": [{"start": "2025-09-01", "end": "2025-12-19"}], "closures": []}
    _put(connector, SCHOOL_URL, own)
    assert connector.get(SCHOOL_URL, YEAR).json()["terms"] == own["terms"]
    assert la.get(LA_URL, YEAR).json()["terms"] == TERMS_2025


def test_a_year_with_no_calendar_is_not_found(connector):
    response = connector.get(SCHOOL_URL, {"academic_year": "2024/25"})
    assert response.status_code == 404


def test_a_refusal_names_the_field_and_index(connector):
    terms = [TERMS_2025[0], {"start": "2025-11-03", "end": "2025-10-01"}]
    response = _put(connector, SCHOOL_URL, {**YEAR, "terms": terms})
    assert response.status_code == 400
    assert response.json()["field"] == "terms[1].end"
    assert response.json()["code"] == "invalid_calendar"
    assert response.json()["message"].startswith("terms[1].end: the term ends")


def test_sessions_are_accepted_in_capitals(connector):
    closures = [{"date": "2025-11-14", "sessions": "AM", "reason": "INSET"}]
    body = _put(connector, SCHOOL_URL, {**YEAR, "terms": TERMS_2025, "closures": closures})
    assert body.json()["closures"] == [{"date": "2025-11-14", "sessions": "am",
                                        "reason": "INSET"}]


def test_a_badly_written_year_is_refused_when_reading(connector):
    response = connector.get(SCHOOL_URL, {"academic_year": "2025-2026"})
    assert response.status_code == 400
    assert response.json()["field"] == "academic_year"


def test_a_school_cannot_set_its_las_calendar(connector):
    assert _put(connector, LA_URL, CALENDAR).status_code == 404
