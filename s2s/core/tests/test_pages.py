from django.urls import reverse


def test_a_signed_out_visitor_is_sent_to_sign_in(client, db):
    response = client.get(reverse("core:start"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign-in"))


def test_the_start_page_uses_the_govuk_design_system(client, la_officer):
    client.force_login(la_officer)
    page = client.get(reverse("core:start")).content.decode()
    assert "govuk/govuk-frontend.min.css" in page
    assert "Welcome, 838user" in page


def test_the_health_check_answers_ok_without_signing_in(client, db):
    response = client.get(reverse("core:health"))
    assert response.status_code == 200
    assert response.content == b"ok"
