"""The live server the browser tests share: requests at once leave the database usable."""

import pytest

from s2s.core.tests.browser import browser_page  # noqa: F401 (a fixture)
from s2s.core.tests.test_browser_roles import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_requests_the_browser_sends_at_once_are_all_answered(
        browser_page, live_server, la_officer):  # noqa: F811
    # With SQLite in memory, Django's threaded live server ran these at once on the test's
    # one connection: "cannot start a transaction within a transaction", and every
    # transactional test after it failed (CI, 2026-12-07).
    page = browser_page
    _sign_in(page, live_server, la_officer)
    page.goto("/")
    statuses = page.evaluate("""async () => {
        const urls = Array.from({length: 40}, (_, i) => ["/", "/messages/"][i % 2]);
        return Promise.all(urls.map(url => fetch(url).then(answer => answer.status)));
    }""")
    assert statuses == [200] * 40
