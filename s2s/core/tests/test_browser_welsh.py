"""Each main role's pages in Cymraeg leave no English behind (issue 17), in headless Chromium.

Each role signs in, switches to Cymraeg with the header's link, and visits its start page and
every entry of its menu. A page's visible text is compared with the English of the catalogue:
a line that is an English msgid, or holds one of several words, is a string left in English.
Names, codes and numbers are not msgids; a msgid whose Welsh is the same as its English, and
the words in `SAME_IN_BOTH`, are not counted. The test collects every leftover of every page
and role before it fails, so one run lists all the work left.
"""

import re
from functools import cache
from pathlib import Path

import polib
import pytest

from s2s.accounts.roles import Role
from s2s.core.tests.browser import browser_page  # noqa: F401 (a fixture)
from s2s.core.tests.test_browser_roles import _sign_in, _visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "cy" / "LC_MESSAGES" / "django.po"
MAIN_ROLES = (Role.SCHOOL, Role.LA_DBA, Role.LA_LOST_PUPIL, Role.LA_CME, Role.ADMIN)
# Words and names that read the same in Welsh and English: never a leftover.
SAME_IN_BOTH = frozenset({
    "s2s", "CTF", "CTFs", "UPN", "ULN", "UCI", "MIS", "API", "CSV", "JSON", "XML", "ZIP", "URN",
    "DfE", "PLASC", "ATF", "OK", "English", "Cymraeg", "GOV.UK", "Open Government Licence v3.0",
})
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")
# Shorter English msgids are checked as whole lines only: "File" must not match "Filed".
WORDS_FOR_A_PHRASE = 3
LETTERS_AROUND_VALUES = 7


@cache
def english_msgids() -> tuple[frozenset[str], tuple[re.Pattern, ...]]:
    """Return the catalogue's English as whole lines, and as patterns for longer phrases."""
    lines, phrases = set(), []
    for entry in polib.pofile(str(CATALOGUE)):
        if entry.obsolete or entry.msgid in SAME_IN_BOTH:
            continue
        if entry.msgstr and entry.msgstr == entry.msgid:
            continue  # translated as itself: the same in both languages
        for english in filter(None, (entry.msgid, entry.msgid_plural)):
            text = " ".join(english.split())
            letters = len(re.findall(r"[A-Za-z]", PLACEHOLDER.sub("", text)))
            if letters < 2 or (PLACEHOLDER.search(text) and letters < LETTERS_AROUND_VALUES):
                continue  # placeholders and a short word ("%(name)s exact") match too much
            pattern = r"\S.{0,80}?".join(re.escape(part) for part in PLACEHOLDER.split(text))
            if not PLACEHOLDER.search(text):
                lines.add(text)
            if len(text.split()) >= WORDS_FOR_A_PHRASE or PLACEHOLDER.search(text):
                phrases.append(re.compile(rf"(?<![\w']){pattern}(?![\w'])"))
    return frozenset(lines), tuple(phrases)


def english_left(text: str) -> list[str]:
    """Return the English strings of the catalogue found in a page's visible text."""
    lines, phrases = english_msgids()
    found = []
    for line in (" ".join(raw.split()) for raw in text.splitlines()):
        if not line or line in SAME_IN_BOTH:
            continue
        if line in lines:
            found.append(line)
            continue
        found += [match.group(0) for phrase in phrases for match in phrase.finditer(line)
                  if match.group(0) not in SAME_IN_BOTH]
    unique = list(dict.fromkeys(found))
    # Of overlapping matches ("Welcome, Ann" and "Welcome, Ann Jones (School user)") keep the
    # longest.
    return [text for text in unique if not any(text != other and text in other
                                               for other in unique)]


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
