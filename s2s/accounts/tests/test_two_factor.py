import re
from urllib.parse import quote

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from s2s.accounts.roles import Role
from s2s.audit.models import AuditEvent

SIGN_IN = reverse("accounts:sign-in")
START = reverse("core:start")
SET_UP = reverse("accounts:two-factor")
VERIFY = reverse("accounts:two-factor-verify")
REMOVE = reverse("accounts:two-factor-remove")


def sign_in(client, user, password):
    response = client.post(SIGN_IN, {"username": user.username, "password": password})
    assert response.status_code == 302
    return response


def code_for(device, steps_ahead=0):
    device.refresh_from_db()
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift + steps_ahead)
    return f"{code:06d}"


def wrong_code_for(device):
    return f"{(int(code_for(device)) + 1) % 1000000:06d}"


def confirmed_device_of(user):
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


# Required for LA and national roles: set-up is forced.

@pytest.mark.parametrize("role", [Role.LA_USER, Role.LA_DBA, Role.LA_LOST_PUPIL, Role.ADMIN])
def test_an_la_or_national_user_without_an_authenticator_must_set_one_up_first(
    client, make_user, home_la, password, role
):
    user = make_user(role, None if role == Role.ADMIN else home_la, username="person")
    sign_in(client, user, password)
    for url in [START, reverse("accounts:password-change")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == f"{SET_UP}?next={quote(url, safe='')}"


def test_the_set_up_page_shows_a_qr_code_and_the_secret(client, la_officer, password):
    sign_in(client, la_officer, password)
    page = client.get(SET_UP).content.decode()
    device = TOTPDevice.objects.get(user=la_officer)
    assert device.confirmed is False
    assert "<svg" in page
    assert "<?xml" not in page
    secret = re.search(r'<code class="s2s-secret">([A-Z2-7 ]+)</code>', page).group(1)
    assert len(secret.replace(" ", "")) == 32
    assert "must use two-factor sign-in" in page
    # Coming back to the page shows the same secret: the app already scanned it.
    assert secret in client.get(SET_UP).content.decode()
    assert TOTPDevice.objects.filter(user=la_officer).count() == 1


def test_setting_up_with_the_right_code_turns_two_factor_on_and_goes_on(
    client, la_officer, password
):
    sign_in(client, la_officer, password)
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=la_officer)
    response = client.post(f"{SET_UP}?next=/", {"code": wrong_code_for(device)})
    assert "The code is wrong or has expired" in response.content.decode()
    assert client.get(START).status_code == 302
    device.throttle_reset()
    response = client.post(f"{SET_UP}?next=/", {"code": code_for(device)})
    assert response.status_code == 302
    assert response.url == "/"
    device.refresh_from_db()
    assert device.confirmed is True
    assert client.get(START).status_code == 200
    assert AuditEvent.objects.filter(action="two_factor_added", actor=la_officer).count() == 1
    assert AuditEvent.objects.filter(action="two_factor_failed", actor=la_officer).count() == 1


def test_a_code_must_be_six_digits(client, la_officer, password):
    sign_in(client, la_officer, password)
    response = client.post(SET_UP, {"code": "12ab"})
    page = response.content.decode()
    assert "The code must be 6 digits" in page
    assert "govuk-error-summary" in page


def test_a_school_user_is_not_forced_but_may_turn_two_factor_on(
    client, sending_school_user, password
):
    sign_in(client, sending_school_user, password)
    assert client.get(START).status_code == 200
    page = client.get(SET_UP).content.decode()
    assert "optional for your account" in page
    device = TOTPDevice.objects.get(user=sending_school_user)
    assert client.post(SET_UP, {"code": code_for(device)}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed is True


def test_the_requirement_can_be_switched_off(client, settings, la_officer, password):
    settings.S2S_TWO_FACTOR_REQUIRED = False
    sign_in(client, la_officer, password)
    assert client.get(START).status_code == 200


# Verifying at sign-in.

def test_a_user_with_an_authenticator_enters_a_code_before_any_page(
    client, sending_school_user, password
):
    device = confirmed_device_of(sending_school_user)
    sign_in(client, sending_school_user, password)
    for url in [START, SET_UP, reverse("accounts:password-change")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == f"{VERIFY}?next={quote(url, safe='')}"
    response = client.post(f"{VERIFY}?next=/", {"code": wrong_code_for(device)})
    assert "The code is wrong or has expired" in response.content.decode()
    device.throttle_reset()
    response = client.post(f"{VERIFY}?next=/", {"code": code_for(device)})
    assert response.status_code == 302
    assert response.url == "/"
    assert client.get(START).status_code == 200
    assert AuditEvent.objects.filter(action="two_factor_verified").count() == 1


def test_verify_does_not_follow_a_next_address_off_the_site(client, sending_school_user, password):
    device = confirmed_device_of(sending_school_user)
    sign_in(client, sending_school_user, password)
    response = client.post(f"{VERIFY}?next=https://evil.example/", {"code": code_for(device)})
    assert response.url == START


def test_a_code_cannot_be_used_twice(client, sending_school_user, password):
    device = confirmed_device_of(sending_school_user)
    code = code_for(device)
    sign_in(client, sending_school_user, password)
    assert client.post(VERIFY, {"code": code}).status_code == 302
    client.post(reverse("accounts:sign-out"))
    sign_in(client, sending_school_user, password)
    response = client.post(VERIFY, {"code": code})
    assert response.status_code == 200
    assert client.get(START).status_code == 302


def test_a_wrong_code_makes_the_next_try_wait(client, sending_school_user, password):
    device = confirmed_device_of(sending_school_user)
    sign_in(client, sending_school_user, password)
    client.post(VERIFY, {"code": wrong_code_for(device)})
    response = client.post(VERIFY, {"code": code_for(device)})
    assert "Wait a few seconds" in response.content.decode()
    assert client.get(START).status_code == 302


def test_the_code_is_asked_before_a_forced_password_change(
    client, make_user, sending_school, password
):
    user = make_user(Role.SCHOOL, sending_school, username="8383321", must_change_password=True)
    device = confirmed_device_of(user)
    sign_in(client, user, password)
    assert client.get(START).url.startswith(VERIFY)
    client.post(VERIFY, {"code": code_for(device)})
    assert client.get(START).url.startswith(reverse("accounts:password-change"))


def test_a_new_la_user_with_a_forced_password_change_changes_it_then_sets_up_two_factor(
    client, make_user, home_la, password
):
    user = make_user(Role.LA_USER, home_la, username="838new", must_change_password=True)
    sign_in(client, user, password)
    assert client.get(START).url.startswith(reverse("accounts:password-change"))
    client.post(reverse("accounts:password-change"), {
        "old_password": password, "new_password1": "seven quiet herons fishing",
        "new_password2": "seven quiet herons fishing",
    })
    assert client.get(START).url.startswith(SET_UP)


# Turning it off.

def test_a_school_user_can_turn_two_factor_off_with_a_code(client, sending_school_user, password):
    device = confirmed_device_of(sending_school_user)
    sign_in(client, sending_school_user, password)
    client.post(VERIFY, {"code": code_for(device)})
    page = client.get(SET_UP).content.decode()
    assert "Two-factor sign-in is on" in page
    assert REMOVE in page
    response = client.post(REMOVE, {"code": code_for(device, steps_ahead=1)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=sending_school_user).exists()
    assert AuditEvent.objects.filter(action="two_factor_removed").count() == 1


def test_turning_two_factor_off_needs_a_right_code(client, sending_school_user, password):
    device = confirmed_device_of(sending_school_user)
    client.force_login(sending_school_user)
    response = client.post(REMOVE, {"code": wrong_code_for(device)})
    assert "The code is wrong or has expired" in response.content.decode()
    assert TOTPDevice.objects.filter(user=sending_school_user).exists()


def test_an_la_user_cannot_turn_two_factor_off(client, la_officer):
    client.force_login(la_officer)
    device = TOTPDevice.objects.get(user=la_officer)
    page = client.get(SET_UP).content.decode()
    assert "cannot be turned off" in page
    assert REMOVE not in page
    assert client.post(REMOVE, {"code": code_for(device)}).status_code == 404
    assert TOTPDevice.objects.filter(user=la_officer).exists()


def test_an_unverified_session_cannot_replace_the_authenticator(
    client, sending_school_user, password
):
    confirmed_device_of(sending_school_user)
    sign_in(client, sending_school_user, password)
    assert client.post(REMOVE, {"code": "123456"}).url.startswith(VERIFY)
    assert client.get(SET_UP).url.startswith(VERIFY)
