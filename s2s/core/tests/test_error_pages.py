"""The styled error pages (issue 19), with DEBUG off as in production: the header, plain
words and a way back to the start page, for signed-in and signed-out people alike."""

import lxml.html
import pytest
from django.test import Client


def _page(response):
    tree = lxml.html.fromstring(response.content)
    return {
        "heading": tree.xpath("string(//h1)").strip(),
        "header": bool(tree.xpath("//header[contains(@class, 'govuk-header')]")),
        "way_back": tree.xpath("//main//a[normalize-space(.)='Go to the start page']/@href"),
    }


@pytest.fixture(autouse=True)
def _debug_off(settings):
    settings.DEBUG = False


def test_an_unknown_address_shows_page_not_found(client, receiving_school_user):
    for signed_in in (False, True):
        if signed_in:
            client.force_login(receiving_school_user)
        response = client.get("/no-such-page/")
        assert response.status_code == 404
        assert _page(response) == {"heading": "Page not found", "header": True,
                                   "way_back": ["/"]}


def test_a_file_outside_the_users_scope_shows_the_same_page_not_found(
        client, outsider_school_user):
    client.force_login(outsider_school_user)
    response = client.get("/files/999999")
    assert response.status_code == 404
    assert _page(response)["heading"] == "Page not found"


@pytest.mark.urls("s2s.core.tests.error_urls")
def test_a_failure_shows_sorry_there_is_a_problem_with_the_service():
    client = Client(raise_request_exception=False)
    response = client.get("/fail-for-test")
    assert response.status_code == 500
    assert _page(response) == {"heading": "Sorry, there is a problem with the service",
                               "header": True, "way_back": ["/"]}
    assert "a bug" not in response.content.decode()


def test_a_form_sent_without_its_security_token_shows_the_403_page(receiving_school_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(receiving_school_user)
    response = client.post("/account/sign-out")
    assert response.status_code == 403
    assert _page(response)["heading"] == "Sorry, this could not be done"


def test_a_request_for_an_unknown_host_shows_the_400_page(client):
    response = client.get("/", HTTP_HOST="not-s2s.example")
    assert response.status_code == 400
    assert _page(response) == {"heading": "Sorry, there is a problem with your request",
                               "header": True, "way_back": ["/"]}
