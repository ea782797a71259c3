"""Each main role's pages in Cymraeg leave no English behind (issue 17), in headless Chromium.

Each role signs in, switches to Cymraeg with the header's link, and visits its start page and
every entry of its menu. A page's visible text is compared with the English of the catalogue:
a line that is an English msgid, or holds one of several words, is a string left in English.
Names, codes and numbers are not msgids; a msgid whose Welsh is the same as its English, and
the words in `SAME_IN_BOTH`, are not counted. The test collects every leftover of every page
and role before it fails, so one run lists all the work left.
"""

import pytest

from s2s.accounts.roles import Role
from s2s.core.tests.browser import browser_page  # noqa: F401 (a fixture)
from s2s.core.tests.test_browser_roles import _sign_in, _visit
from s2s.core.tests.welsh import english_left

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAIN_ROLES = (Role.SCHOOL, Role.LA_DBA, Role.LA_LOST_PUPIL, Role.LA_CME, Role.ADMIN)


def test_english_left_finds_a_line_a_phrase_and_a_filled_placeholder():
    text = ("Ffeiliau\nUpload\nMae'r ffeil yn aros. The oldest arrived today.\n"
            "Welcome, Ann Jones (School user)\nCTF\n")
    assert english_left(text) == ["Upload", "The oldest arrived today.",
                                  "Welcome, Ann Jones (School user)"]


def test_english_left_ignores_welsh_names_codes_and_words_the_same_in_both():
    text = "Uwchlwytho\n8383321 Ysgol Llanwern\nCTF\nUPN A123456789012\n6 Rhagfyr 2026\n"
    assert english_left(text) == []


@pytest.fixture
def person(make_user, home_la, sending_school, agency):
    scopes = {Role.ADMIN: None, Role.SCHOOL: sending_school}
    return lambda role: make_user(role, scopes.get(role, home_la), username=f"cy_{role}",
                                  full_name="Ann Jones")


def _switch_to_welsh(page, where: str) -> None:
    page.locator(".s2s-language-switch a[lang='cy']").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "cy", f"{where}: not in Welsh"


def test_each_main_roles_pages_in_welsh_leave_no_english(
        person, browser_page, live_server, other_la, outsider_school):  # noqa: F811
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 900})
    left: dict[str, list[str]] = {}
    for role in MAIN_ROLES:
        _sign_in(page, live_server, person(role))
        _visit(page, "/", f"{role}, the start page")
        _switch_to_welsh(page, role)
        links = page.eval_on_selector_all(
            "#navigation a[href]", "links => links.map(link => link.getAttribute('href'))")
        assert links, f"{role}: an empty menu"
        for url in ["/", *links]:
            _visit(page, url, f"{role}, {url}")
            assert page.locator("html").get_attribute("lang") == "cy", f"{role}, {url}"
            found = english_left(page.locator("body").inner_text())
            if found:
                left[f"{role} {url}"] = found
        page.context.clear_cookies()
    report = "\n".join(f"{where}: {' | '.join(found)}" for where, found in left.items())
    total = len({text for found in left.values() for text in found})
    assert not left, f"{total} English strings left on Welsh pages:\n{report}"
