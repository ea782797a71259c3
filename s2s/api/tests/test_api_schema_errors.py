"""A request that does not fit its schema is refused in the language it asks for (issue 17).

pydantic's errors (missing, wrong type, too long, out of range, no date, not a choice) are
worded from their type codes; the `code`, the `field` and the field's path stay the same in
both languages, for programs.
"""

import pytest
from django.conf import settings
from django.utils import translation

from s2s.api.schema_errors import problem_words
from s2s.api.tests.conftest import api_client

WELSH = {"accept-language": "cy"}
ENGLISH = {"accept-language": "en-gb"}


@pytest.fixture(autouse=True)
def _english_after():
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def lost_pupils(lost_pupil_officer):
    return api_client(lost_pupil_officer)


def _both(call) -> tuple[dict, dict]:
    welsh, english = call(WELSH), call(ENGLISH)
    assert welsh.status_code == english.status_code == 400
    assert welsh["Content-Language"] == "cy"
    welsh, english = welsh.json(), english.json()
    assert welsh["code"] == english["code"] == "invalid"
    assert welsh["field"] == english["field"]
    return welsh, english


def test_a_number_that_is_text_and_a_choice_not_offered_are_refused_in_welsh(school_a):
    welsh, english = _both(lambda lang: school_a.get("/api/v1/files?page=two&box=letters",
                                                     headers=lang))

    assert english["message"] == ("box: must be one of 'inbox', 'outbox'; "
                                  "page: must be a whole number")
    assert welsh["message"] == ("box: rhaid iddo fod yn un o 'inbox', 'outbox'; "
                                "page: rhaid iddo fod yn rhif cyfan")
    assert welsh["field"] == "box"


def test_a_number_out_of_range_is_refused_in_welsh(school_a):
    welsh, english = _both(lambda lang: school_a.get("/api/v1/files?page=0", headers=lang))

    assert english["message"] == "page: must be 1 or more"
    assert welsh["message"] == "page: rhaid iddo fod yn 1 neu fwy"


def test_a_date_that_is_no_date_and_a_string_too_long_are_refused_in_welsh(lost_pupils):
    welsh, english = _both(lambda lang: lost_pupils.get(
        "/api/v1/lost-pupils?dob=2014-02-30&postcode=SA1%201AA%20EXTRA", headers=lang))

    assert english["message"] == ("dob: must be a real date, YYYY-MM-DD; "
                                  "postcode: must be at most 10 characters long")
    assert welsh["message"] == ("dob: rhaid iddo fod yn ddyddiad go iawn, BBBB-MM-DD; "
                                "postcode: rhaid iddo fod yn 10 nod o hyd ar y mwyaf")
    assert welsh["field"] == english["field"] == "dob"


def test_a_missing_field_and_an_empty_list_in_a_json_body_are_refused_in_welsh(la_officer):
    client = api_client(la_officer)
    welsh, english = _both(lambda lang: client.put(
        "/api/v1/las/838/calendar", {"terms": []}, content_type="application/json",
        headers=lang))

    assert english["message"] == ("payload.academic_year: is required; "
                                  "payload.terms: must have at least 1 item")
    assert welsh["message"] == ("payload.academic_year: mae'n ofynnol; "
                                "payload.terms: rhaid iddo gael o leiaf 1 eitem")


def test_a_missing_file_is_refused_in_welsh(school_a):
    welsh, english = _both(lambda lang: school_a.post("/api/v1/files", {}, headers=lang))

    assert english["message"] == "file: is required"
    assert welsh["message"] == "file: mae'n ofynnol"


def test_a_type_with_no_words_of_ours_keeps_pydantics_english():
    with translation.override("cy"):
        assert problem_words({"type": "complex_type", "msg": "Input should be complex",
                              "ctx": {}}) == "Input should be complex"
        assert problem_words({"type": "extra_forbidden", "msg": "Extra inputs are not permitted"}
                             ) == "nid yw'n faes y mae'r cais hwn yn ei gymryd"


def test_a_body_that_is_not_json_is_refused_in_welsh(la_officer):
    client = api_client(la_officer)
    welsh = client.put("/api/v1/las/838/calendar", "{not json", content_type="application/json",
                       headers=WELSH)

    assert welsh.status_code == 400
    assert welsh.json() == {"message": "Ni ellir darllen corff y cais: anfonwch JSON dilys.",
                            "code": "http_error", "field": None}
