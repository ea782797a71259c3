import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from s2s.accounts.models import User
from s2s.accounts.roles import Role
from s2s.audit.models import AuditEvent

NEW_PASSWORD = "a kettle of quiet herons"
CANNOT = "This link cannot be used"


def activation_link(user):
    """Build the link exactly as the user-administration email does (the agreed interface)."""
    return reverse("accounts:activate", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    })


@pytest.fixture
def new_user(db, sending_school):
    # As user administration creates one: no usable password yet, a new password owed.
    return User.objects.create_user(
        username="8383321bjones", role=Role.SCHOOL, establishment=sending_school,
        email="bjones@school.example.sch.uk",
    )


def open_link(client, link):
    """Follow the link; Django swaps the token out of the address before showing the form."""
    response = client.get(link)
    assert response.status_code == 302
    return response.url


def test_a_valid_link_lets_a_new_person_choose_a_password_then_sign_in(client, new_user):
    form_url = open_link(client, activation_link(new_user))
    page = client.get(form_url).content.decode()
    assert "Choose your password" in page
    assert "8383321bjones" not in page  # the username travels in another email
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("accounts:sign-in")
    new_user.refresh_from_db()
    assert new_user.check_password(NEW_PASSWORD)
    assert new_user.must_change_password is False
    event = AuditEvent.objects.get(action="account_activated")
    assert event.actor == new_user
    assert event.ip_address == "127.0.0.1"
    response = client.post(reverse("accounts:sign-in"),
                           {"username": "8383321bjones", "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("core:start")).status_code == 200


def test_the_chosen_password_must_follow_the_password_rules(client, new_user):
    form_url = open_link(client, activation_link(new_user))
    response = client.post(form_url, {"new_password1": "qwerty", "new_password2": "qwerty"})
    page = response.content.decode()
    assert "This password is too short" in page
    assert "govuk-error-summary" in page
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": "other"})
    assert "The two password fields" in response.content.decode()
    new_user.refresh_from_db()
    assert not new_user.has_usable_password()


def test_a_link_works_once_only(client, new_user):
    link = activation_link(new_user)
    form_url = open_link(client, link)
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    client.cookies.clear()
    response = client.get(link)
    assert response.status_code == 200
    assert CANNOT in response.content.decode()


@pytest.mark.parametrize("token", ["not-a-token", "cbxxxx-0123456789abcdef0123456789abcdef"])
def test_a_broken_link_says_it_cannot_be_used(client, new_user, token):
    uidb64 = urlsafe_base64_encode(force_bytes(new_user.pk))
    response = client.get(reverse("accounts:activate", kwargs={"uidb64": uidb64, "token": token}))
    assert response.status_code == 200
    assert CANNOT in response.content.decode()


def test_a_link_for_nobody_says_it_cannot_be_used(client, db):
    link = reverse("accounts:activate", kwargs={"uidb64": "OTk5OTk", "token": "x-y"})
    response = client.get(link)
    assert CANNOT in response.content.decode()


def test_an_expired_link_says_it_cannot_be_used(client, new_user, settings):
    link = activation_link(new_user)
    settings.PASSWORD_RESET_TIMEOUT = -1
    response = client.get(link)
    assert CANNOT in response.content.decode()


def test_a_link_for_a_disabled_account_cannot_be_used(client, new_user):
    link = activation_link(new_user)
    User.objects.filter(pk=new_user.pk).update(is_active=False)
    assert CANNOT in client.get(link).content.decode()


def test_a_link_for_an_api_only_account_cannot_be_used(client, db, sending_school):
    connector = User.objects.create_user(
        username="8383321mis", role=Role.CONNECTOR, establishment=sending_school
    )
    assert CANNOT in client.get(activation_link(connector)).content.decode()
