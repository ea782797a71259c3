import hashlib
import io
import os
from datetime import timedelta

import pytest
from django.utils import timezone

from s2s.accounts.models import ApiToken
from s2s.accounts.roles import Role
from s2s.api import files as files_module
from s2s.api.tests.conftest import ApiClient, a_ctf, api_client, send
from s2s.audit.models import AuditEvent
from s2s.core.errors import ServiceError
from s2s.transfers.models import Transfer
from s2s.transfers.services import transfer_upload
from s2s.transfers.tests.ctfs import zip_of

NAME = "8383321_CTF_8384512_001.XML"


@pytest.fixture
def content(receiving_school):
    """A CTF from school A to school B (which must exist to be addressed)."""
    return a_ctf("8383321", "8384512", seed=7)


def _ids(response):
    return [item["id"] for item in response.json()["items"]]


def test_a_ctf_goes_from_school_a_to_school_b_through_the_api(school_a, school_b, content):
    sent = school_a.upload(NAME, content)
    assert sent.status_code == 201, sent.content
    body = sent.json()
    assert body["name"] == NAME
    assert body["source"] == "8383321"
    assert body["destination"] == "8384512"
    assert body["status"] == "awaiting"
    assert body["pupils"] == 2
    assert isinstance(body["warnings"], list)
    assert body["uploaded_at"]
    file_id = body["id"]

    inbox = school_b.get("/api/v1/files?box=inbox&status=awaiting")
    assert inbox.status_code == 200
    assert _ids(inbox) == [file_id]
    assert inbox.json()["count"] == 1

    detail = school_b.get(f"/api/v1/files/{file_id}")
    assert detail.json()["sha256"] == hashlib.sha256(content).hexdigest()

    download = school_b.get(f"/api/v1/files/{file_id}/content")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert download["Content-Type"] == "application/xml"
    assert download["Content-Disposition"] == f'attachment; filename="{NAME}"'
    assert download["ETag"] == f'"{hashlib.sha256(content).hexdigest()}"'
    assert download["Content-Length"] == str(len(content))

    collected = school_b.post(f"/api/v1/files/{file_id}/collected")
    assert collected.status_code == 200
    assert collected.json()["status"] == "collected"
    assert collected.json()["collected_at"]

    outbox = school_a.get("/api/v1/files?box=outbox&status=collected")
    assert _ids(outbox) == [file_id]
    assert outbox.json()["items"][0]["status"] == "collected"
    assert school_b.get("/api/v1/files?box=inbox&status=awaiting").json()["items"] == []
    actions = list(AuditEvent.objects.filter(object_id=str(file_id)).order_by("id")
                   .values_list("action", flat=True))
    assert actions == ["transfer_upload", "transfer_download", "transfer_collect"]


def test_school_c_of_another_la_sees_nothing_of_it(school_a, school_c, content):
    file_id = school_a.upload(NAME, content).json()["id"]

    for method, path in [
        ("get", f"/api/v1/files/{file_id}"),
        ("get", f"/api/v1/files/{file_id}/content"),
        ("post", f"/api/v1/files/{file_id}/collected"),
    ]:
        response = getattr(school_c, method)(path)
        assert response.status_code == 404, path
        assert response.json() == {"message": "Not found.", "code": "not_found", "field": None}
    rejected = school_c.post(f"/api/v1/files/{file_id}/reject", {"reason": "not ours"},
                             content_type="application/json")
    assert rejected.status_code == 404
    for box in ("inbox", "outbox"):
        assert school_c.get(f"/api/v1/files?box={box}").json() == {
            "items": [], "count": 0, "next": None}
    assert Transfer.objects.get(pk=file_id).status == "awaiting"


def test_a_school_cannot_receive_the_file_it_sent_nor_one_sent_to_another_school(
    school_a, make_user, home_la, content,
):
    from s2s.directory.models import Establishment

    file_id = school_a.upload(NAME, content).json()["id"]
    neighbour = Establishment.objects.create(la=home_la, number="2000", name="Cerne Abbas First")
    other_school = api_client(make_user(Role.SCHOOL, neighbour, username="8382000"))

    # The sender sees its file, but downloading and collecting are the destination's.
    assert school_a.get(f"/api/v1/files/{file_id}").status_code == 200
    assert school_a.get(f"/api/v1/files/{file_id}/content").status_code == 404
    assert school_a.post(f"/api/v1/files/{file_id}/collected").status_code == 404
    for path in (f"/api/v1/files/{file_id}", f"/api/v1/files/{file_id}/content"):
        assert other_school.get(path).status_code == 404


def test_a_refused_upload_answers_with_the_services_own_message(school_a, school_a_connector):
    name = "8384512_CTF_8383321_001.XML"  # says it comes from school B
    content = a_ctf("8384512", "8383321")
    with pytest.raises(ServiceError) as refused:
        transfer_upload(user=school_a_connector, name=name, content=io.BytesIO(content))

    response = school_a.upload(name, content)

    assert response.status_code == 400
    assert response.json() == {
        "message": "The file name must start with your establishment number, 8383321",
        "code": "wrong_source", "field": "file",
    }
    assert response.json()["message"] == refused.value.message
    assert not Transfer.objects.exists()


def test_a_file_whose_content_is_not_a_ctf_is_refused_with_the_reason(school_a, receiving_school):
    response = school_a.upload(NAME, b"this is not XML")

    assert response.status_code == 400
    assert response.json()["message"].startswith("The file was refused:")
    assert response.json()["field"] == "file"


def test_a_generic_zip_over_the_schools_limit_answers_413(make_user, sending_school,
                                                         receiving_school):
    school = api_client(make_user(Role.SCHOOL, sending_school, username="8383321"))
    big = zip_of({"scan.bin": os.urandom(4 * 1024 * 1024 + 1)}, compression=0)

    response = school.upload("8383321_8384512_scans.ZIP", big)

    assert response.status_code == 413
    assert response.json()["code"] == "zip_too_large"
    assert "4 MB" in response.json()["message"]


def test_upload_without_a_file_names_the_missing_field(school_a):
    response = school_a.post("/api/v1/files")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["field"] == "file"


def test_a_bad_query_answers_in_the_same_error_shape(school_b):
    response = school_b.get("/api/v1/files?box=sideways")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["field"] == "box"


def test_reject_with_a_reason_and_the_sender_sees_it(school_a, school_b, content):
    file_id = school_a.upload(NAME, content).json()["id"]

    empty = school_b.post(f"/api/v1/files/{file_id}/reject", {"reason": "  "},
                          content_type="application/json")
    assert empty.status_code == 400
    assert empty.json() == {"message": "Give the reason you are rejecting the file.",
                            "code": "reason_required", "field": "reason"}

    response = school_b.post(f"/api/v1/files/{file_id}/reject",
                             {"reason": "This pupil never joined us."},
                             content_type="application/json")
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert response.json()["reject_reason"] == "This pupil never joined us."

    seen = school_a.get(f"/api/v1/files/{file_id}").json()
    assert seen["status"] == "rejected"
    assert seen["reject_reason"] == "This pupil never joined us."
    again = school_b.get(f"/api/v1/files/{file_id}/content")
    assert again.status_code == 400
    assert again.json()["code"] == "rejected"
    assert school_b.post(f"/api/v1/files/{file_id}/collected").json()["code"] == "not_awaiting"


def test_lists_are_paginated_with_a_count_and_a_next_link(
    school_a, school_a_connector, school_b, monkeypatch,
):
    monkeypatch.setattr(files_module, "PAGE_SIZE", 2)
    sent = [send(school_a_connector, f"8383321_CTF_8384512_{n:03d}.XML",
                 a_ctf("8383321", "8384512", seed=n)).pk for n in range(1, 6)]

    first = school_b.get("/api/v1/files?box=inbox").json()
    assert first["count"] == 5
    assert [item["id"] for item in first["items"]] == sent[:2]  # oldest first
    assert first["next"] == "http://testserver/api/v1/files?box=inbox&page=2"
    second = school_b.get(first["next"]).json()
    assert [item["id"] for item in second["items"]] == sent[2:4]
    last = school_b.get(second["next"]).json()
    assert [item["id"] for item in last["items"]] == sent[4:]
    assert last["next"] is None
    outbox = school_a.get("/api/v1/files?box=outbox&page=3").json()
    assert [item["id"] for item in outbox["items"]] == [sent[0]]  # newest first
    assert school_b.get("/api/v1/files?page=9").json()["items"] == []


def test_the_inbox_lists_ctfs_and_generic_zips_together(make_user, sending_school,
                                                        receiving_school_user, school_b):
    sender = make_user(Role.SCHOOL, sending_school, username="8383321")
    ctf_id = send(sender, NAME, a_ctf("8383321", "8384512")).pk
    zip_id = send(sender, "8383321_8384512_notes.ZIP", zip_of({"a.txt": b"notes"})).pk

    response = school_b.get("/api/v1/files")

    assert sorted(_ids(response)) == sorted([ctf_id, zip_id])
    download = school_b.get(f"/api/v1/files/{zip_id}/content")
    assert download["Content-Type"] == "application/zip"


@pytest.mark.parametrize("authorization", [
    None, "Bearer", "Bearer s2s_not-a-token", "Basic czJzOnMycw==", "bearer",
])
def test_a_missing_or_wrong_token_answers_401(school_a, content, authorization):
    file_id = school_a.upload(NAME, content).json()["id"]
    client = ApiClient()
    headers = {"Authorization": authorization} if authorization else {}

    for path in ("/api/v1/files", f"/api/v1/files/{file_id}",
                 f"/api/v1/files/{file_id}/content"):
        response = client.get(path, headers=headers)
        assert response.status_code == 401, path
        assert response.json()["code"] == "unauthorized"
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert client.post(f"/api/v1/files/{file_id}/collected", headers=headers).status_code == 401


def test_a_revoked_token_or_a_disabled_account_answers_401(school_a_connector):
    token, key = ApiToken.issue(school_a_connector)
    client = ApiClient(key)
    assert client.get("/api/v1/files").status_code == 200

    token.revoked_at = timezone.now()
    token.save()
    assert client.get("/api/v1/files").status_code == 401

    _token, key = ApiToken.issue(school_a_connector)
    school_a_connector.is_active = False
    school_a_connector.save()
    assert ApiClient(key).get("/api/v1/files").status_code == 401


def test_a_token_acts_for_its_user_as_the_user_is_now(school_a_connector, receiving_school):
    _token, key = ApiToken.issue(school_a_connector)
    client = ApiClient(key)
    first = client.upload("8383321_CTF_8384512_001.XML", a_ctf("8383321", "8384512"))
    assert first.status_code == 201

    school_a_connector.establishment = receiving_school  # the connector moves to 8384512
    school_a_connector.save()
    refused = client.upload("8383321_CTF_8384512_002.XML", a_ctf("8383321", "8384512", seed=2))
    assert refused.status_code == 400
    assert refused.json()["message"] == (
        "The file name must start with your establishment number, 8384512")


def test_a_role_without_the_api_cannot_use_a_token(make_user, home_la):
    client = api_client(make_user(Role.LA_DBA_VIEW, home_la, username="viewer"))

    assert client.get("/api/v1/files").status_code == 401


def test_last_used_is_written_at_most_once_a_minute(school_a_connector):
    token, key = ApiToken.issue(school_a_connector)
    client = ApiClient(key)

    client.get("/api/v1/files")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    client.get("/api/v1/files")
    token.refresh_from_db()
    assert token.last_used_at == first

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    client.get("/api/v1/files")
    token.refresh_from_db()
    assert token.last_used_at > first


def test_a_session_is_not_a_token_and_sign_in_steps_do_not_hold_a_token_up(
    client, make_user, receiving_school,
):
    owes_a_step = make_user(Role.SCHOOL, receiving_school, username="8384512",
                            must_change_password=True)
    client.force_login(owes_a_step)
    assert client.get("/api/v1/files").status_code == 401  # the session counts for nothing

    response = api_client(owes_a_step).get("/api/v1/files")
    assert response.status_code == 200  # no redirect to the change-password page


def test_the_openapi_document_is_at_its_url_with_bearer_security():
    document = ApiClient().get("/api/v1/openapi.json").json()

    assert document["info"]["version"] == "1"
    assert document["components"]["securitySchemes"] == {
        "BearerToken": {"type": "http", "scheme": "bearer"}}
    assert set(document["paths"]) == {
        "/api/v1/files", "/api/v1/files/{file_id}", "/api/v1/files/{file_id}/content",
        "/api/v1/files/{file_id}/collected", "/api/v1/files/{file_id}/reject",
    } | {path for path in document["paths"] if not path.startswith("/api/v1/files")}
    assert "/api/v1/reports/{name}.csv" in document["paths"]
