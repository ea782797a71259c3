import pytest

from s2s.api.tests.conftest import api_client
from s2s.messaging.models import Message, Recipient
from s2s.messaging.tests.conftest import send

pytestmark = pytest.mark.django_db


def test_send_list_and_read_through_the_api(la_officer, other_la_officer, sending_school_user):
    client = api_client(other_la_officer)
    response = client.post("/api/v1/messages", {
        "to": {"schools": ["8383321"], "las": [{"la": "838", "roles": ["la_user"]}],
               "groups": []},
        "subject": "Enquiry", "body": "Have you got this pupil?"}, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["recipients"] == 2
    message_id = response.json()["id"]
    sent = client.get("/api/v1/messages?box=sent").json()
    assert [(i["id"], i["recipients"], i["unread"]) for i in sent["items"]] == [
        (message_id, 2, 2)]
    reader = api_client(la_officer)
    inbox = reader.get("/api/v1/messages").json()
    assert [(i["id"], i["read_at"]) for i in inbox["items"]] == [(message_id, None)]
    detail = reader.get(f"/api/v1/messages/{message_id}").json()
    assert detail["box"] == "inbox"
    assert detail["body"] == "Have you got this pupil?"
    assert Recipient.objects.get(user=la_officer).read_at is not None
    mine = client.get(f"/api/v1/messages/{message_id}").json()
    assert mine["box"] == "sent"
    assert sorted(r["read_at"] is None for r in mine["recipients"]) == [False, True]


def test_out_of_scope_answers_404(la_officer, other_la_officer, lost_pupil_officer,
                                  service_admin):
    message = send(other_la_officer, las=[("838", ["la_user"])]).message
    for user in (lost_pupil_officer, service_admin):
        assert api_client(user).get(f"/api/v1/messages/{message.pk}").status_code == 404
    assert api_client(service_admin).get("/api/v1/messages").status_code == 404
    assert Recipient.objects.get().read_at is None


def test_refusals_are_the_pages_words(la_officer, many_las):
    client = api_client(la_officer)
    empty = client.post("/api/v1/messages", {"to": {}, "subject": "x", "body": "y"},
                        content_type="application/json")
    assert empty.status_code == 400
    assert empty.json()["code"] == "no_recipients"
    to = {"las": [{"la": la.number, "roles": ["la_user"]} for la in many_las]}
    blanket = client.post("/api/v1/messages", {"to": to, "subject": "x", "body": "y"},
                          content_type="application/json")
    assert blanket.json()["code"] == "blanket_confirmation_needed"
    confirmed = client.post("/api/v1/messages", {"to": to, "subject": "x", "body": "y",
                                                 "confirm_blanket": True},
                            content_type="application/json")
    assert confirmed.status_code == 201
    assert Message.objects.get().la_count == 11


def test_default_roles_reach_the_la_user_and_lost_pupil_officer(other_la_officer, la_officer,
                                                                lost_pupil_officer):
    response = api_client(other_la_officer).post(
        "/api/v1/messages", {"to": {"las": [{"la": "838"}]}, "subject": "x", "body": "y"},
        content_type="application/json")
    assert response.json()["recipients"] == 2
