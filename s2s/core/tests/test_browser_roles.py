"""Every role's start page and menu, in headless Chromium at 1280 and 320 pixels (issue 19).

Each role signs in and visits its start page and every entry of its menu (those under More
too) at both widths. The test fails on an error page, an internal reference on a page
("seed 003", "(7.4)", "issue 7"), a menu that wraps onto a second line at 1280 pixels, or, at
320 pixels, a menu that is not the GOV.UK mobile menu (one entry a line behind "Menu") or a
page wider than the screen.
"""

import re

import pytest
from django.conf import settings

from s2s.accounts.roles import SCOPE_OF_ROLE, ScopeKind
from s2s.conftest import VerifiedClient
from s2s.core.tests.browser import browser_page  # noqa: F401 (a fixture)
from s2s.core.tests.matrix import PAGE_ROLES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 320)
INTERNAL = re.compile(r"\bseed \d{3}\b|\(\s*\d{1,2}\.\d{1,2}\s*\)|\bissue \d+\b", re.I)
ERROR_HEADING = re.compile(r"not found|problem with the service|forbidden|bad request|"
                           r"server error|page unavailable", re.I)

_MENU_ITEMS = "#navigation > .govuk-service-navigation__item"
_GEOMETRY = """() => [...document.querySelectorAll('#navigation > .govuk-service-navigation__item')]
  .map(item => { const box = item.getBoundingClientRect();
                 return {top: Math.round(box.top), left: Math.round(box.left),
                         height: Math.round(box.height), text: item.innerText.trim()}; })"""
_PAGE_WIDTH = "() => document.documentElement.scrollWidth"
_TOO_WIDE = """width => [...document.querySelectorAll('body *')]
  .filter(element => element.getBoundingClientRect().right > width + 1)
  .map(element => element.tagName + '.' + element.className + ' ' + element.innerText
       .slice(0, 40)).slice(-3)"""


def _sign_in(page, live_server, user) -> None:
    """Give the browser the session of a person who has signed in (two-factor included)."""
    client = VerifiedClient()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value,
                               "url": live_server.url}])


def _visit(page, url: str, where: str) -> None:
    response = page.goto(url)
    assert response is not None, where
    assert response.status < 400, f"{where}: answered {response.status}"
    heading = page.locator("h1").first.inner_text()
    assert not ERROR_HEADING.search(heading), f"{where}: an error page ({heading})"
    found = INTERNAL.search(page.locator("body").inner_text())
    assert found is None, f"{where}: an internal reference on the page: {found.group(0)!r}"


def _menu_links(page) -> list[str]:
    return page.eval_on_selector_all("#navigation a[href]",
                                     "links => links.map(link => link.getAttribute('href'))")


def _check_menu_wide(page, where: str) -> None:
    items = page.evaluate(_GEOMETRY)
    assert items, f"{where}: no menu"
    tops = {item["top"] for item in items}
    assert len(tops) == 1, f"{where}: the menu wraps: {items}"
    more = page.locator(".s2s-more__details")
    if more.count():
        more.locator("summary").click()
        panel = page.locator(".s2s-more__panel").bounding_box()
        assert panel["x"] >= 0, f"{where}: More opens off the left of the screen"
        assert panel["x"] + panel["width"] <= 1280, f"{where}: More opens off the screen"
        more.locator("summary").click()


def _check_menu_narrow(page, where: str) -> None:
    toggle = page.locator(".govuk-service-navigation__toggle")
    assert toggle.is_visible(), f"{where}: no Menu button at 320 pixels"
    assert not page.locator(_MENU_ITEMS).first.is_visible(), f"{where}: menu not collapsed"
    toggle.click()
    items = page.evaluate(_GEOMETRY)
    lefts = {item["left"] for item in items if "s2s-more" not in item["text"]}
    tops = [item["top"] for item in items]
    assert tops == sorted(set(tops)), f"{where}: two menu entries share a line: {items}"
    assert len(lefts) <= 2, f"{where}: the menu entries are not one a line: {items}"
    more = page.locator(".s2s-more__details")
    if more.count():
        more.locator("summary").click()
        for link in page.locator(".s2s-more__link").all():
            box = link.bounding_box()
            assert box["x"] + box["width"] <= 320, f"{where}: a More entry runs off the screen"
    assert page.evaluate(_PAGE_WIDTH) <= 320, (
        f"{where}: the page is wider than the screen: {page.evaluate(_TOO_WIDE, 320)}")


@pytest.fixture
def person(make_user, home_la, sending_school, agency):
    scopes = {ScopeKind.NATION: None, ScopeKind.LA: home_la,
              ScopeKind.ESTABLISHMENT: sending_school, ScopeKind.AGENCY: agency}
    return lambda role: make_user(role, scopes[SCOPE_OF_ROLE[role]], username=f"walk_{role}",
                                  full_name=f"A {role} person")


@pytest.mark.parametrize("role", sorted(PAGE_ROLES))
def test_each_role_walks_its_start_page_and_menu_at_1280_and_320_pixels(
        role, person, browser_page, live_server, other_la, outsider_school):  # noqa: F811
    page = browser_page
    _sign_in(page, live_server, person(role))
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        _visit(page, "/", f"{role} at {width}px, the start page")
        links = _menu_links(page)
        assert links, f"{role}: an empty menu"
        for url in links:
            where = f"{role} at {width}px, {url}"
            _visit(page, url, where)
            if width == 1280:
                _check_menu_wide(page, where)
            else:
                _check_menu_narrow(page, where)
