"""The partnership API (issue 16): bearer tokens, the one policy, the one error shape."""

from datetime import timedelta

import pytest
from django.utils import timezone

from s2s.api.tests.conftest import api_client
from s2s.partnerships.models import SharedRecord
from s2s.partnerships.tests.conftest import MONDAY, UPN, mark, push, result

pytestmark = pytest.mark.django_db


def _json(records):
    return [{**r, "date": r["date"].isoformat()} for r in records]


def test_a_partnership_is_created_signed_by_all_and_becomes_active(
        main_user, partner_user, member_not_teaching, receiving_school, outsider_school):
    main = api_client(main_user)
    review = (timezone.localdate() + timedelta(days=120)).isoformat()
    created = main.post("/api/v1/partnerships", {
        "name": "Stafford Collegiate", "members": ["8384512", "6812345"],
        "agreement": {"purpose": "Pupils taught in common", "kinds": ["attendance"],
                      "lawful_basis": "Public task", "retention_days": 365,
                      "review_date": review}}, content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert body["status"] == "awaiting_signatures"
    assert [m["school"] for m in body["members"]] == ["6812345", "8383321", "8384512"]
    url = f"/api/v1/partnerships/{body['id']}/sign"
    for user in (main_user, partner_user):
        assert api_client(user).post(url).json()["status"] == "awaiting_signatures"
    last = api_client(member_not_teaching).post(url).json()
    assert last["status"] == "active"
    assert last["sharing"] is True
    assert api_client(partner_user).get("/api/v1/partnerships").json()["count"] == 1


def test_a_non_member_gets_404_for_the_partnership_and_its_pupils(partnership, linked,
                                                                  non_member_user):
    client = api_client(non_member_user)
    base = f"/api/v1/partnerships/{partnership.pk}"
    for answer in (client.get(base), client.post(f"{base}/sign"),
                   client.get(f"{base}/pupils/{UPN}"), client.get(f"{base}/changes"),
                   client.post(f"{base}/records", _json([mark()]),
                               content_type="application/json")):
        assert answer.status_code == 404
        assert answer.json() == {"message": "Not found.", "code": "not_found", "field": None}
    assert client.get("/api/v1/partnerships").json()["count"] == 0


def test_a_connector_pushes_records_as_a_list_or_one(partnership, linked, partner_connector,
                                                     main_user):
    client = api_client(partner_connector)
    url = f"/api/v1/partnerships/{partnership.pk}/records"
    one = client.post(url, _json([mark()])[0], content_type="application/json")
    assert one.status_code == 201
    assert one.json() == {"received": 1}
    many = client.post(url, _json([mark(session="PM"), mark(lesson="P1", session=None)]),
                       content_type="application/json")
    assert many.json() == {"received": 2}
    seen = api_client(main_user).get(f"/api/v1/partnerships/{partnership.pk}/pupils/{UPN}")
    assert [r["school"] for r in seen.json()["attendance"]] == ["8384512"] * 3


def test_a_record_that_cannot_be_taken_is_refused_with_the_one_error_shape(
        partnership, linked, main_user):
    answer = api_client(main_user).post(
        f"/api/v1/partnerships/{partnership.pk}/records",
        _json([mark(), {"upn": UPN, "kind": "behaviour", "date": MONDAY, "type": "incident"}]),
        content_type="application/json")
    assert answer.status_code == 400
    assert answer.json() == {
        "message": "Record 2: this partnership's agreement does not share behaviour.",
        "code": "kind_not_agreed", "field": "1.kind"}
    assert not SharedRecord.objects.exists()


def test_a_kind_not_in_the_agreement_never_leaves_through_the_api(partnership, linked,
                                                                  main_user, partner_user):
    push(main_user, partnership, mark(), result())
    # A behaviour record held from before (or pushed round the service) is never given out.
    SharedRecord.objects.create(partnership=partnership, link=linked, source=linked.main,
                                kind="behaviour", date=MONDAY)
    for user in (main_user, partner_user):
        client = api_client(user)
        view = client.get(f"/api/v1/partnerships/{partnership.pk}/pupils/{UPN}").json()
        assert view["behaviour"] == []
        assert len(view["attendance"]) == 1
        assert len(view["assessment"]) == 1
        changes = client.get(f"/api/v1/partnerships/{partnership.pk}/changes?since=").json()
        assert {r["kind"] for r in changes["items"]} == {"attendance", "assessment"}


def test_linking_a_pupil_and_recording_an_objection(partnership, main_user, partner_user):
    client = api_client(main_user)
    base = f"/api/v1/partnerships/{partnership.pk}/pupils"
    linked = client.post(base, {"upn": UPN, "main": "8383321", "links": [
        {"school": "8384512", "role": "guest", "courses": ["A level Dance"]}]},
        content_type="application/json")
    assert linked.status_code == 201
    assert linked.json()["links"][0]["courses"] == ["A level Dance"]
    assert api_client(partner_user).post(f"{base}/{UPN}/objection").status_code == 404
    objected = client.post(f"{base}/{UPN}/objection")
    assert objected.status_code == 200
    assert objected.json()["links"] == []
    assert api_client(partner_user).get(f"{base}/{UPN}").status_code == 404


def test_only_the_main_institution_links_a_pupil(partnership, partner_user):
    answer = api_client(partner_user).post(
        f"/api/v1/partnerships/{partnership.pk}/pupils",
        {"upn": UPN, "main": "8383321", "links": []}, content_type="application/json")
    assert answer.status_code == 400
    assert answer.json()["field"] == "main"


@pytest.mark.parametrize("path", ["", "/pupils/{upn}", "/changes"])
def test_every_role_of_the_main_institutions_la_but_its_school_gets_404(
        path, partnership, linked, make_user, home_la, sending_school, agency):
    from s2s.accounts.roles import SCOPE_OF_ROLE, ScopeKind
    from s2s.core.tests.matrix import ALL_ROLES

    scope_for = {ScopeKind.NATION: None, ScopeKind.LA: home_la,
                 ScopeKind.ESTABLISHMENT: sending_school, ScopeKind.AGENCY: agency}
    url = f"/api/v1/partnerships/{partnership.pk}" + path.format(upn=UPN)
    answers = {role: api_client(make_user(role, scope_for[SCOPE_OF_ROLE[role]],
                                          username=f"r_{role}")).get(url).status_code
               for role in sorted(ALL_ROLES)}
    assert {role for role, status in answers.items() if status == 200} == {"school",
                                                                           "connector"}
    # Agencies have API tokens (issue 16), so they too get 404 here; the view-only DBA has none.
    assert {role for role, status in answers.items() if status == 401} == {"la_dba_view"}
    assert set(answers.values()) == {200, 401, 404}
