"""Each role signs in and sees its own menu, on one line, and nothing of anyone else's.

Issue 2; issue 19: a role with many entries keeps a few on the line and the rest under More.
"""

import re

import pytest
from django.urls import NoReverseMatch, reverse

from s2s.accounts.policy import Action
from s2s.accounts.roles import SCOPE_OF_ROLE, ScopeKind
from s2s.core import navigation
from s2s.core.navigation import MENU, MenuEntry

FILES = ["Download", "Upload", "Generic files", "Sent files"]
MENUS = {
    "admin": ["Start", "Lost pupils", "Possible matches", "Reports", "Message report",
              "Local authorities", "Users", "Schools", "Agencies", "LA details",
              "Matching runs", "Audit"],
    "la_dba": ["Start", "Download", "Upload", "Sent files", "LA monitoring",
               "Operation Encompass", "Messages", "Calendar", "Reports", "Feed health",
               "Message report", "Users", "Schools", "Agencies", "Exchange agreements",
               "LA details", "Audit"],
    "la_dba_view": ["Start", "Calendar", "Reports", "Feed health", "Message report", "Users",
                    "Schools", "Agencies", "Exchange agreements", "LA details"],
    "la_user": ["Start", *FILES, "LA monitoring", "Operation Encompass", "Messages",
                "Calendar", "Reports", "Feed health", "LA details"],
    "la_school": ["Start", *FILES, "LA monitoring", "Messages", "Calendar", "Reports",
                  "Feed health", "LA details"],
    "la_lost_pupil": ["Start", "Upload", "Generic files", "Sent files", "Lost pupils",
                      "Possible matches", "Messages", "Calendar", "Reports", "Feed health",
                      "LA details"],
    "la_lost_pupil_transfer": ["Start", *FILES, "LA monitoring", "Lost pupils",
                               "Possible matches", "Messages", "Calendar", "Reports", "Feed health",
                      "LA details"],
    "la_census": ["Start", "Download", "Upload", "Sent files", "Messages", "Calendar",
                  "Reports", "Feed health", "LA details"],
    "la_admissions": ["Start", *FILES, "Messages", "Calendar", "Reports", "Feed health",
                      "LA details"],
    "la_cme": ["Start", "Children missing education", "CME cases", "Messages", "Calendar",
               "Reports", "Feed health", "LA details"],
    "school": ["Start", *FILES, "Partnerships", "Messages", "Calendar"],
    "agency": ["Start", "Upload", "Generic files", "Sent files", "Operation Encompass",
               "Exchange agreements"],
}


def _labels(html: str, link_class: str) -> list[str]:
    return [re.sub(r"\s+", " ", label).strip()
            for label in re.findall(rf'{link_class}"[^>]*>([^<]+)</a>', html)]


def _menu(page: str) -> tuple[list[str], list[str]]:
    """Return the labels on the navigation's line and those under More."""
    navigation = page.split('id="navigation"', 1)[1].split("</nav>", 1)[0]
    line, _, more = navigation.partition('class="s2s-more__details"')
    return _labels(line, "govuk-service-navigation__link"), _labels(more, "s2s-more__link")


def _more_sections(page: str) -> list[str]:
    navigation = page.split('id="navigation"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r's2s-more__heading">([^<]+)</h2>', navigation)


@pytest.fixture
def person(make_user, home_la, sending_school, agency):
    scopes = {ScopeKind.NATION: None, ScopeKind.LA: home_la,
              ScopeKind.ESTABLISHMENT: sending_school, ScopeKind.AGENCY: agency}
    return lambda role: make_user(role, scopes[SCOPE_OF_ROLE[role]], username=f"menu_{role}")


@pytest.mark.parametrize("role", sorted(MENUS))
def test_each_role_sees_exactly_its_own_menu_with_at_most_six_entries_on_the_line(
        role, person, client):
    client.force_login(person(role))
    line, more = _menu(client.get(reverse("core:start")).content.decode())
    assert sorted(line + more) == sorted(MENUS[role])
    assert len(line) <= 6 if more else len(line) <= 7


def test_a_dba_keeps_the_first_of_each_group_on_the_line_and_the_rest_under_more(
        person, client):
    client.force_login(person("la_dba"))
    page = client.get(reverse("core:start")).content.decode()
    line, more = _menu(page)
    assert line == ["Start", "Download", "Upload", "Messages", "Reports", "Users"]
    assert more == ["Sent files", "LA monitoring", "Operation Encompass", "Message report",
                    "Feed health", "Schools", "Agencies", "Exchange agreements", "LA details",
                    "Calendar", "Audit"]
    assert _more_sections(page) == ["Files", "Reports", "Administration"]


def test_a_school_keeps_its_first_files_and_each_group_on_the_line(person, client):
    # With Partnerships (issue 16) a school has eight entries: two go under More.
    client.force_login(person("school"))
    page = client.get(reverse("core:start")).content.decode()
    assert _menu(page) == (["Start", "Download", "Upload", "Partnerships", "Messages",
                            "Calendar"], ["Generic files", "Sent files"])


def test_more_is_marked_current_on_a_page_it_holds(person, client):
    client.force_login(person("la_dba"))
    page = client.get(reverse("directory:school-list")).content.decode()
    more_item = page.split('id="navigation"', 1)[1].split("<details", 1)[0].rsplit("<li", 1)[1]
    assert "govuk-service-navigation__item--active" in more_item
    assert re.search(r'aria-current="page">Schools</a>', page)


def test_only_the_closest_entry_is_current(person, client):
    client.force_login(person("la_dba"))
    page = client.get(reverse("messaging:report")).content.decode()
    navigation = page.split('id="navigation"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r'aria-current="page">([^<]+)</a>', navigation) == ["Message report"]


@pytest.mark.parametrize("role", ["admin", "la_dba", "la_dba_view"])
def test_the_message_report_is_in_the_menu_of_those_who_may_run_it(role, person, client):
    client.force_login(person(role))
    page = client.get(reverse("core:start")).content.decode()
    assert f'href="{reverse("messaging:report")}"' in page.split("</nav>", 1)[0]
    assert client.get(reverse("messaging:report")).status_code == 200


def test_the_message_report_is_not_offered_to_an_la_user(person, client):
    client.force_login(person("la_user"))
    page = client.get(reverse("core:start")).content.decode()
    assert reverse("messaging:report") not in page


def test_an_mis_connector_has_no_pages_at_all(person, client):
    client.force_login(person("connector"))
    assert client.get(reverse("core:start")).status_code == 404
    assert client.get(reverse("transfers:upload")).status_code == 404


@pytest.mark.parametrize("entry", MENU, ids=lambda entry: entry.url_name)
def test_every_menu_entry_names_a_page_that_exists(entry):
    assert reverse(entry.url_name).startswith("/")


def test_a_menu_entry_for_a_page_that_does_not_exist_fails_loudly(monkeypatch, person):
    missing = MenuEntry("Nowhere", "core:no-such-page", Action.USE_PAGES)
    monkeypatch.setattr(navigation, "MENU", [*navigation.MENU, missing])
    with pytest.raises(NoReverseMatch):
        navigation.menu_for(person("school"))
