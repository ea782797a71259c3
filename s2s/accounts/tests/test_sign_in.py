from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from s2s.accounts.roles import Role
from s2s.audit.models import AuditEvent

SIGN_IN = reverse("accounts:sign-in")
START = reverse("core:start")
PASSWORD_CHANGE = reverse("accounts:password-change")
WRONG = "The username or password is wrong"
NEW_PASSWORD = "a kettle of quiet herons"


def sign_in(client, username, password, ip="192.0.2.10", **data):
    return client.post(SIGN_IN, {"username": username, "password": password, **data},
                       REMOTE_ADDR=ip)


def test_the_sign_in_page_is_a_govuk_form(client, db):
    page = client.get(SIGN_IN).content.decode()
    assert 'class="govuk-input' in page
    assert 'type="password"' in page
    assert 'autocomplete="username"' in page


def test_a_school_user_signs_in_and_reaches_the_start_page(client, sending_school_user, password):
    response = sign_in(client, "8383321", password)
    assert response.status_code == 302
    assert response.url == START
    assert client.get(START).status_code == 200
    event = AuditEvent.objects.get(action="sign_in")
    assert event.actor == sending_school_user
    assert event.ip_address == "192.0.2.10"


def test_the_username_is_case_sensitive(client, make_user, sending_school, password):
    make_user(Role.SCHOOL, sending_school, username="838bJones")
    response = sign_in(client, "838bjones", password)
    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert sign_in(client, "838bJones", password).status_code == 302


def test_a_wrong_password_gets_one_message_and_is_audited_without_the_password(
    client, sending_school_user
):
    response = sign_in(client, "8383321", "not-my-password-at-all")
    page = response.content.decode()
    assert WRONG in page
    assert "govuk-error-summary" in page
    event = AuditEvent.objects.get(action="sign_in_failed")
    assert event.actor_username == "8383321"
    assert event.ip_address == "192.0.2.10"
    assert "not-my-password-at-all" not in f"{event.summary} {event.detail}"


def test_an_unknown_username_gets_the_same_message(client, db):
    response = sign_in(client, "nobody", "whatever it is")
    assert WRONG in response.content.decode()
    assert AuditEvent.objects.get(action="sign_in_failed").actor_username == "nobody"


def test_a_disabled_account_gets_the_same_message(client, sending_school_user, password):
    sending_school_user.is_active = False
    sending_school_user.save()
    response = sign_in(client, "8383321", password)
    assert response.status_code == 200
    assert WRONG in response.content.decode()


def test_an_mis_connector_account_cannot_sign_in_to_the_pages(
    client, make_user, sending_school, password
):
    connector = make_user(Role.CONNECTOR, sending_school, username="8383321mis")
    response = sign_in(client, "8383321mis", password)
    assert response.status_code == 200
    assert "cannot sign in to the website" in response.content.decode()
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action="sign_in_failed")
    assert event.actor == connector
    assert event.detail["reason"] == "api_only"


def test_passwords_are_hashed_with_argon2(settings, make_user, sending_school):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    user = make_user(Role.SCHOOL, sending_school, username="8383321")
    assert user.password.startswith("argon2$argon2id$")
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.check_password("correct horse battery staple")


def test_the_project_settings_hash_with_argon2_first():
    from s2s import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


# First sign-in: a password set by an administrator must be replaced (seed 003, 2.1 and 3.6).

@pytest.fixture
def reset_user(make_user, sending_school):
    return make_user(Role.SCHOOL, sending_school, username="8383321", must_change_password=True)


def test_a_user_with_a_password_set_by_an_administrator_must_choose_a_new_one_first(
    client, reset_user, password
):
    sign_in(client, "8383321", password)
    for url in [START, reverse("accounts:two-factor")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == f"{PASSWORD_CHANGE}?next={url.replace('/', '%2F')}"
    page = client.get(PASSWORD_CHANGE).content.decode()
    assert "Choose a new password" in page


def test_the_forced_password_change_leaves_health_and_sign_out_open(client, reset_user, password):
    sign_in(client, "8383321", password)
    assert client.get(reverse("core:health")).status_code == 200
    assert client.get(reverse("accounts:sign-out")).status_code == 200


def test_a_new_password_must_follow_the_password_rules(client, reset_user, password):
    sign_in(client, "8383321", password)
    response = client.post(PASSWORD_CHANGE, {
        "old_password": password, "new_password1": "password123", "new_password2": "password123",
    })
    page = response.content.decode()
    assert response.status_code == 200
    assert "This password is too short" in page
    assert "This password is too common" in page
    response = client.post(PASSWORD_CHANGE, {
        "old_password": password, "new_password1": password, "new_password2": password,
    })
    assert "must be different from the current one" in response.content.decode()
    reset_user.refresh_from_db()
    assert reset_user.must_change_password is True


def test_after_choosing_a_new_password_the_user_goes_on_and_stays_signed_in(
    client, reset_user, password
):
    sign_in(client, "8383321", password)
    response = client.post(f"{PASSWORD_CHANGE}?next=/", {
        "old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD,
    })
    assert response.status_code == 302
    assert response.url == "/"
    assert client.get(START).status_code == 200
    reset_user.refresh_from_db()
    assert reset_user.must_change_password is False
    assert reset_user.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action="password_change")
    assert event.actor == reset_user
    assert event.ip_address == "127.0.0.1"


def test_a_signed_in_user_can_change_their_password_when_they_choose(
    client, sending_school_user, password
):
    client.force_login(sending_school_user)
    assert "Change your password" in client.get(PASSWORD_CHANGE).content.decode()
    response = client.post(PASSWORD_CHANGE, {
        "old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD,
    })
    assert "Your old password was entered incorrectly" in response.content.decode()


# Lockout by account (axes), and by address only after many failures on real accounts.

def test_an_account_is_locked_after_repeated_failures_even_from_other_addresses(
    client, settings, sending_school_user, password
):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "8383321", "wrong password", ip=f"198.51.100.{attempt + 1}")
    response = sign_in(client, "8383321", password, ip="203.0.113.7")
    page = response.content.decode()
    assert response.status_code == 429
    assert response["Retry-After"] == "1800"
    assert "Signing in is blocked for now" in page
    assert "blocked for 30 minutes" in page
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(
        action="sign_in_failed", detail__reason="locked_out"
    ).exists()


def test_made_up_usernames_from_a_schools_address_never_lock_out_its_teachers(
    client, settings, receiving_school_user, password
):
    """Issue 20, 5: a pupil at a school computer tried usernames; the school shares one address."""
    for attempt in range(settings.AXES_FAILURE_LIMIT * 4):
        sign_in(client, f"guess{attempt}", "wrong password", ip="198.51.100.99")
    assert sign_in(client, "8384512", password, ip="198.51.100.99").status_code == 302


def test_an_address_is_locked_after_many_failures_on_real_accounts_for_a_short_time(
    client, settings, make_user, sending_school, receiving_school_user, password
):
    settings.S2S_LOCKOUT_ADDRESS_FAILURES = 6
    for n in range(3):  # two failures each: no account reaches its own limit
        make_user(Role.SCHOOL, sending_school, username=f"838teacher{n}")
        for _ in range(2):
            sign_in(client, f"838teacher{n}", "wrong password", ip="198.51.100.99")
    response = sign_in(client, "8384512", password, ip="198.51.100.99")
    assert response.status_code == 429
    assert response["Retry-After"] == "300"
    assert "from this address" in response.content.decode()
    assert "blocked for 5 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # The same account from another address is not blocked, nor is the account itself.
    assert sign_in(client, "8384512", password, ip="203.0.113.8").status_code == 302
    client.logout()
    later = timezone.now() + timedelta(minutes=settings.S2S_LOCKOUT_ADDRESS_MINUTES + 1)
    with mock.patch("django.core.cache.backends.db.tz_now", return_value=later):
        assert sign_in(client, "8384512", password, ip="198.51.100.99").status_code == 302


def test_refusals_during_an_address_lock_do_not_count_against_the_account(
    client, settings, make_user, sending_school, receiving_school_user, password
):
    settings.S2S_LOCKOUT_ADDRESS_FAILURES = 2
    make_user(Role.SCHOOL, sending_school, username="838teacher")
    for _ in range(2):
        sign_in(client, "838teacher", "wrong password", ip="198.51.100.99")
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        assert sign_in(client, "8384512", password, ip="198.51.100.99").status_code == 429
    assert sign_in(client, "8384512", password, ip="203.0.113.8").status_code == 302


def test_a_forwarded_address_counts_only_from_a_trusted_proxy(
    client, settings, receiving_school_user, password
):
    settings.S2S_TRUSTED_PROXIES = ["10.0.0.0/8"]
    client.post(SIGN_IN, {"username": "8384512", "password": "wrong password"},
                REMOTE_ADDR="203.0.113.50", HTTP_X_FORWARDED_FOR="192.0.2.1")
    client.post(SIGN_IN, {"username": "8384512", "password": "wrong password"},
                REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="192.0.2.1, 198.51.100.7")
    addresses = list(AuditEvent.objects.filter(action="sign_in_failed").order_by("pk")
                     .values_list("ip_address", flat=True))
    assert addresses == ["203.0.113.50", "198.51.100.7"]


def test_fewer_failures_than_the_limit_do_not_lock(client, settings, sending_school_user, password):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "8383321", "wrong password")
    assert sign_in(client, "8383321", password).status_code == 302


# Sessions and signing out.

def test_a_session_ends_after_the_idle_time(client, sending_school_user, password, settings):
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    sign_in(client, "8383321", password)
    assert client.get(START).status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get(START)
    assert response.status_code == 302
    assert response.url.startswith(SIGN_IN)


def test_each_page_pushes_the_idle_timeout_back(client, sending_school_user, password):
    sign_in(client, "8383321", password)
    session_key = client.session.session_key
    Session.objects.filter(session_key=session_key).update(
        expire_date=timezone.now() + timedelta(minutes=1)
    )
    client.get(START)
    expires = Session.objects.get(session_key=session_key).expire_date
    assert expires > timezone.now() + timedelta(minutes=29)


def test_signing_out_asks_to_confirm_then_ends_the_session(client, sending_school_user, password):
    sign_in(client, "8383321", password)
    page = client.get(reverse("accounts:sign-out")).content.decode()
    assert 'type="submit"' in page
    response = client.post(reverse("accounts:sign-out"))
    assert response.status_code == 302
    assert response.url == reverse("accounts:signed-out")
    assert "You have signed out" in client.get(response.url).content.decode()
    assert client.get(START).status_code == 302
    event = AuditEvent.objects.get(action="sign_out")
    assert event.actor == sending_school_user
    assert event.ip_address == "127.0.0.1"
