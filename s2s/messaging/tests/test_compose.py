"""The compose page: Enter does what the person means; Send only when someone would read it.

Issue 19: Enter in the subject pressed "Add local authority"; "Send" was offered for a message
that reached nobody.
"""

import re

import pytest
from django.urls import reverse

from s2s.messaging.models import Message
from s2s.messaging.tests.conftest import send

pytestmark = pytest.mark.django_db


def _compose(client, **data):
    return client.post(reverse("messaging:compose"), data)


def _draft(client) -> dict:
    return client.session["messaging_draft"]


@pytest.fixture
def writer(client, la_officer):
    client.force_login(la_officer)
    client.get(reverse("messaging:compose") + "?new")
    return client


def test_the_first_button_of_the_compose_form_is_the_hidden_enter_one(writer):
    page = writer.get(reverse("messaging:compose")).content.decode()
    form = page.split('action="/messages/new"', 1)[1]
    first = re.search(r"<(?:button|input)[^>]*type=\"submit\"[^>]*>", form).group(0)
    assert 'name="enter"' in first


def test_enter_in_the_subject_previews_and_adds_no_local_authority(writer, other_la_officer):
    _compose(writer, add_la="", la="681", roles=["la_user"])
    response = _compose(writer, enter="", la="838", roles=["la_user"], school="",
                        subject="Pupil enquiry", body="Do you hold a CTF?")
    assert response.url == reverse("messaging:preview")
    assert [target["la"] for target in _draft(writer)["las"]] == ["681"]
    assert _draft(writer)["subject"] == "Pupil enquiry"


def test_enter_with_no_recipients_asks_for_one_and_keeps_the_text(writer):
    page = _compose(writer, enter="", la="", school="", subject="Pupil enquiry",
                    body="Do you hold a CTF?").content.decode()
    assert "Choose at least one recipient" in page
    assert _draft(writer)["las"] == []
    assert _draft(writer)["body"] == "Do you hold a CTF?"


def test_enter_in_the_school_box_adds_that_school(writer, sending_school_user):
    response = _compose(writer, enter="", school="8383321", subject="", body="")
    assert response.url == reverse("messaging:compose")
    assert _draft(writer)["schools"] == ["8383321"]


def test_send_is_not_offered_while_the_message_reaches_nobody_and_the_page_says_why(
        writer, other_la):
    _compose(writer, add_la="", la="681", roles=["la_census"])  # nobody holds it at 681
    assert _compose(writer, preview="", subject="Census", body="Text").url == reverse(
        "messaging:preview")
    page = writer.get(reverse("messaging:preview")).content.decode()
    assert "This message would reach nobody, so it cannot be sent" in page
    assert 'name="send"' not in page
    assert "Change the recipients" in page

    writer.post(reverse("messaging:preview"), {"send": ""})
    assert not Message.objects.exists()


def test_send_is_offered_once_someone_would_read_it(writer, other_la_officer):
    _compose(writer, add_la="", la="681", roles=["la_user"])
    _compose(writer, preview="", subject="Pupil enquiry", body="Text")
    page = writer.get(reverse("messaging:preview")).content.decode()
    assert 'name="send"' in page
    assert "It reaches 1 person" in page


def test_a_reply_reaches_the_sender_without_other_recipients(client, la_officer,
                                                             other_la_officer):
    message = send(other_la_officer, las=[("838", ["la_user"])], subject="Question").message
    client.force_login(la_officer)
    client.get(reverse("messaging:compose"), {"reply": message.pk})
    _compose(client, preview="", subject="Re: Question", body="Answer")
    page = client.get(reverse("messaging:preview")).content.decode()
    assert "It reaches 1 person" in page
    assert 'name="send"' in page
