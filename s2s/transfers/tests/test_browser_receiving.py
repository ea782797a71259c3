"""Receiving and uploading in headless Chromium (issue 19): the confirmation step appears as
soon as the file is downloaded, and a refused upload's error summary takes focus."""

import pytest

from s2s.core.tests.browser import browser_page  # noqa: F401 (a fixture)
from s2s.transfers.tests.la_files import send

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, user, password):
    page.goto("/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


def test_the_confirmation_appears_once_the_file_is_downloaded_without_a_reload(
        browser_page, sending_school_user, receiving_school_user, password):  # noqa: F811
    page = browser_page
    waiting = send(sending_school_user, "8383321", "8384512", sequence=5)
    _sign_in(page, receiving_school_user, password)
    page.goto(f"/files/{waiting.pk}")
    confirm = page.get_by_role("button", name="I downloaded it correctly")
    assert not confirm.is_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download").click()
    assert download.value.suggested_filename == waiting.name
    assert confirm.is_visible()
    confirm.click()
    assert f"{waiting.name} marked as collected." in page.content()


def test_a_refused_upload_puts_the_focus_on_its_error_summary(
        browser_page, sending_school_user, password):  # noqa: F811
    page = browser_page
    _sign_in(page, sending_school_user, password)
    page.goto("/files/upload")
    page.get_by_role("button", name="Upload", exact=True).click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "Choose one or more files to upload" in summary.inner_text()
    page.wait_for_function(
        "document.activeElement && document.activeElement.classList.contains("
        "'govuk-error-summary')")
