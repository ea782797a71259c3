"""The API answers its refusals in Welsh when the request asks for Welsh (issue 17)."""

import io

import pytest
from django.conf import settings
from django.utils import translation

from s2s.api.tests.conftest import ApiClient, a_ctf
from s2s.ctf.tests.conftest import make_ctf

WELSH = {"accept-language": "cy"}
# Addressed from school B's number, so school A's connector is refused by the service.
NOT_OURS = "8384512_CTF_8383321_001.XML"


@pytest.fixture(autouse=True)
def _english_after():
    yield
    translation.activate(settings.LANGUAGE_CODE)


def test_a_service_refusal_comes_in_welsh_when_asked(school_a, receiving_school):
    content = a_ctf("8384512", "8383321")
    welsh = school_a.post("/api/v1/files", {"file": _named(NOT_OURS, content)}, headers=WELSH)
    english = school_a.upload(NOT_OURS, content)

    assert welsh.status_code == english.status_code == 400
    assert welsh.json()["message"] == (
        "Rhaid i enw'r ffeil ddechrau gyda rhif eich sefydliad, 8383321")
    assert english.json()["message"] == (
        "The file name must start with your establishment number, 8383321")
    assert welsh.json()["code"] == english.json()["code"]
    assert welsh["Content-Language"] == "cy"


def test_the_apis_own_refusals_come_in_welsh_when_asked(school_a, db):
    missing = school_a.get("/api/v1/files/999999", headers=WELSH)
    no_token = ApiClient().get("/api/v1/files", headers=WELSH)

    assert missing.status_code == 404
    assert missing.json() == {"message": "Heb ei ganfod.", "code": "not_found", "field": None}
    assert no_token.status_code == 401
    assert no_token.json()["message"].startswith("Anfonwch docyn API")


def test_a_token_users_page_language_does_not_decide_the_apis(school_a, school_a_connector):
    school_a_connector.language = "cy"
    school_a_connector.save()

    response = school_a.get("/api/v1/files/999999")

    assert response.json()["message"] == "Not found."


def _named(name: str, content: bytes):
    upload = io.BytesIO(content)
    upload.name = name
    return upload


TO_B = "8383321_CTF_8384512_001.XML"


def test_a_ctf_validation_refusal_comes_in_welsh_when_asked(school_a, receiving_school):
    content = make_ctf(dest_estab="9999")
    welsh = school_a.post("/api/v1/files", {"file": _named(TO_B, content)}, headers=WELSH)
    english = school_a.upload(TO_B, content)

    assert welsh.status_code == english.status_code == 400
    assert welsh.json()["code"] == english.json()["code"] == "name_mismatch"
    assert welsh.json()["message"].endswith(
        "llinell 10, <DestSchool>: 8384512 yw cyrchfan enw'r ffeil ond 8389999 yw DestSchool "
        "y pennawd")
    assert english.json()["message"].endswith(
        "line 10, <DestSchool>: the file name's destination is 8384512 but the header's "
        "DestSchool is 8389999")


def test_a_ctfs_warnings_come_in_welsh_when_asked_and_keep_their_codes(school_a,
                                                                        receiving_school):
    welsh = school_a.post("/api/v1/files", {"file": _named(TO_B, make_ctf(surname="JONES"))},
                          headers=WELSH)

    assert welsh.status_code == 201
    assert [(w["code"], w["message"]) for w in welsh.json()["warnings"]] == [
        ("name_capitals", "mae Surname 'JONES' mewn priflythrennau; ysgrifennwch ef fel y "
                          "mae'r teulu'n ei ysgrifennu")]
    # The same stored warning reads in English for a request that does not ask for Welsh.
    english = school_a.get(f"/api/v1/files/{welsh.json()['id']}")
    assert english.json()["warnings"][0]["message"] == (
        "Surname 'JONES' is in capitals; write it as the family does")
