"""A DBA's morning, in headless Chromium: sign in, add a user, see the email go, sign out."""

import re

import pytest
from django.core import mail
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from s2s.accounts.models import User
from s2s.core.tests.browser import browser_page  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_dba_signs_in_adds_a_school_user_and_signs_out(
    browser_page, la_dba, receiving_school, password  # noqa: F811
):
    page = browser_page
    device = TOTPDevice.objects.create(user=la_dba, name="phone", confirmed=True)

    page.goto("/")
    page.get_by_label("Username").fill("838dba")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_label("Code from your authenticator app").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name=re.compile("Continue|Verify|Sign in")).click()
    page.wait_for_url(re.compile(r"/$"))
    assert "Welcome" in page.locator("h1").inner_text()

    page.get_by_role("link", name="Users").first.click()
    page.get_by_role("button", name="Add a user").click()
    page.get_by_label("Username").fill("8384512jbloggs")
    page.get_by_label("Full name").fill("Jo Bloggs")
    page.get_by_label("Work email address").fill("jo.bloggs@hardye.example.sch.uk")
    page.get_by_label("Role").select_option("school")
    page.get_by_label("Belongs to").fill("8384512")
    page.get_by_role("button", name="Add user").click()

    assert page.locator(".govuk-notification-banner").count() == 1
    assert "8384512jbloggs" in page.content()
    created = User.objects.get(username="8384512jbloggs")
    assert created.establishment == receiving_school
    assert created.must_change_password
    activation = [m for m in mail.outbox if "/account/activate/" in m.body]
    assert [m.to for m in activation] == [["jo.bloggs@hardye.example.sch.uk"]]
    assert "8384512jbloggs" not in activation[0].body

    page.get_by_role("button", name="Sign out").first.click()
    if page.get_by_role("button", name="Sign out").count():
        page.get_by_role("button", name="Sign out").first.click()
    assert "signed out" in page.locator("h1").inner_text().lower()
    page.goto("/account/users")
    assert "/account/sign-in" in page.url
