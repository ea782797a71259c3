"""Enter in the subject of a message previews it, in headless Chromium (issue 19)."""

import re

import pytest

from s2s.core.tests.browser import browser_page  # noqa: F401 (a fixture)
from s2s.core.tests.test_browser_roles import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_enter_in_the_subject_previews_and_never_adds_the_chosen_la(
        browser_page, live_server, la_officer, other_la_officer):  # noqa: F811
    page = browser_page
    _sign_in(page, live_server, la_officer)
    page.goto("/messages/new?new")
    page.get_by_label("Local authority", exact=True).first.select_option("681")
    page.get_by_label("Subject").fill("Pupil enquiry")
    page.get_by_label("Message", exact=True).fill("Do you hold a CTF for this pupil?")
    page.get_by_label("Subject").press("Enter")
    page.wait_for_load_state()
    assert "Choose at least one recipient" in page.locator(".govuk-error-summary").inner_text()
    assert "681 Cardiff" not in page.locator("main dl").all_inner_texts()

    page.get_by_label("Local authority", exact=True).first.select_option("681")
    page.get_by_role("button", name="Add local authority").click()
    assert "681 Cardiff" in page.locator("main dl").inner_text()
    page.get_by_label("Subject").press("Enter")
    page.wait_for_url(re.compile(r"/messages/new/preview$"))
    assert page.get_by_role("button", name="Send message").is_visible()
