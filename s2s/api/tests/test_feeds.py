"""The feeds API: send a feed (JSON, CSV, CTF), read its report, list feeds; sizes and scope."""

import json

import pytest

from s2s.accounts.roles import Role
from s2s.api.tests.conftest import api_client
from s2s.feeds.tests.conftest import UPN_1, UPN_2, pupil

pytestmark = pytest.mark.django_db


def _post(client, kind: str, body: dict):
    return client.post(f"/api/v1/feeds/{kind}", json.dumps(body),
                       content_type="application/json")


def _roll(client, school="8383321", pupils=None):
    return _post(client, "roll", {"school": school, "full": True,
                                  "pupils": pupils or [pupil(UPN_1), pupil(UPN_2)]})


def test_a_roll_is_answered_201_with_its_report(school_a):
    response = _roll(school_a, pupils=[pupil(UPN_1), pupil(UPN_2, postcode="")])
    assert response.status_code == 201
    report = response.json()
    assert set(report) == {"id", "school", "kind", "format", "received_at", "status", "sent_by",
                           "counts", "errors", "warnings"}
    assert (report["school"], report["kind"], report["status"]) == ("8383321", "roll",
                                                                    "accepted")
    assert report["counts"] == {"received": 2, "changed": 2, "quarantined": 0, "errors": 0,
                                "warnings": 1}
    assert report["warnings"] == [{"message": "The pupil has no postcode.",
                                   "code": "postcode_missing", "upn": UPN_2, "index": 1}]


def test_the_same_feed_twice_says_nothing_changed(school_a):
    _roll(school_a)
    assert _roll(school_a).json()["counts"]["changed"] == 0


def test_a_report_can_be_read_again_and_feeds_are_listed_newest_first(school_a):
    first = _roll(school_a).json()
    second = _post(school_a, "attendance", {"school": "8383321", "marks": [
        {"upn": UPN_1, "date": "2026-11-02", "session": "AM", "code": "Ä"}]}).json()
    assert school_a.get(f"/api/v1/feeds/{first['id']}").json() == first
    listed = school_a.get("/api/v1/feeds").json()
    assert [f["id"] for f in listed["items"]] == [second["id"], first["id"]]
    assert listed["count"] == 2
    assert listed["next"] is None
    assert "errors" not in listed["items"][0]
    only = school_a.get("/api/v1/feeds?kind=attendance&school=8383321").json()
    assert [f["id"] for f in only["items"]] == [second["id"]]
    assert school_a.get("/api/v1/feeds?status=refused").json()["count"] == 0


def test_a_connector_cannot_send_for_another_school(school_a, receiving_school):
    assert _roll(school_a, school="8384512").status_code == 404


def test_a_connector_cannot_read_another_schools_feeds(school_a, school_b, receiving_school):
    other = _roll(school_b, school="8384512").json()
    assert school_a.get(f"/api/v1/feeds/{other['id']}").status_code == 404
    assert school_a.get("/api/v1/feeds?school=8384512").status_code == 404


def test_la_census_and_cme_users_send_for_schools_of_their_la_only(
        make_user, home_la, other_la, sending_school, outsider_school):
    for role in (Role.LA_CENSUS, Role.LA_CME):
        client = api_client(make_user(role, home_la, username=f"838-{role}"))
        assert _roll(client).status_code == 201
        assert _roll(client, school="6812345").status_code == 404
    la_user = api_client(make_user(Role.LA_USER, home_la, username="838-user"))
    assert _roll(la_user).status_code == 404


def test_a_csv_feed_names_its_school_in_the_query(school_a):
    _roll(school_a)
    csv = f"upn,date,session,code\n{UPN_1},2026-11-02,AM,/\n{UPN_2},2026-11-02,AM,Ä\n"
    response = school_a.post("/api/v1/feeds/attendance?school=8383321", csv.encode(),
                             content_type="text/csv")
    assert response.status_code == 201
    report = response.json()
    assert (report["format"], report["counts"]["changed"]) == ("csv", 1)
    assert [(e["code"], e["index"]) for e in report["errors"]] == [("code_unknown", 3)]


def test_a_body_that_is_not_json_is_400_with_its_refused_report(school_a):
    response = school_a.post("/api/v1/feeds/roll?school=8383321", b"{not json",
                             content_type="application/json")
    assert response.status_code == 400
    assert response.json()["status"] == "refused"


def test_a_body_over_the_limit_is_413(school_a, settings):
    settings.S2S_FEED_MAX_BYTES = 1000
    response = _roll(school_a, pupils=[pupil(UPN_1, town="x" * 1000)])
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_an_unknown_kind_is_refused_naming_the_field(school_a):
    response = _post(school_a, "census", {"school": "8383321"})
    assert response.status_code == 400
    assert response.json()["field"] == "kind"


def test_the_openapi_document_describes_the_bodies_and_the_limit(school_a):
    document = school_a.get("/api/v1/openapi.json").json()
    send = document["paths"]["/api/v1/feeds/{kind}"]["post"]
    assert set(send["requestBody"]["content"]) == {"application/json", "text/csv",
                                                   "application/xml"}
    assert "413" in send["requestBody"]["description"]
    assert "413" in send["responses"]


def test_a_full_csv_roll_says_so_in_the_query(school_a):
    from s2s.feeds.adapters import ROLL_FIELDS
    from s2s.feeds.models import Pupil

    _roll(school_a)
    csv = ",".join(ROLL_FIELDS) + "\n" + ",".join(pupil(UPN_1)[f] for f in ROLL_FIELDS) + "\n"
    response = school_a.post("/api/v1/feeds/roll?school=8383321&full=true", csv.encode(),
                             content_type="text/csv")
    assert response.json()["counts"]["changed"] == 1
    assert list(Pupil.objects.filter(on_roll=False).values_list("upn", flat=True)) == [UPN_2]
