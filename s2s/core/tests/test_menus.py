"""Each role signs in and sees its own menu, and nothing of anyone else's (issue 2)."""

import re

import pytest
from django.urls import reverse

from s2s.accounts.roles import SCOPE_OF_ROLE, ScopeKind

TRANSFERS = ["Upload", "Download", "Generic files", "Sent files"]
MENUS = {
    "admin": ["Start", "Lost pupils", "Reports", "Local authorities", "Users", "Schools",
              "Agencies", "LA details", "Audit"],
    "la_dba": ["Start", "Upload", "Download", "Sent files", "LA monitoring", "Feed health",
               "Messages", "Calendar", "Reports", "Users", "Schools", "Agencies", "LA details",
               "Audit"],
    "la_dba_view": ["Start", "Feed health", "Calendar", "Reports", "Users", "Schools",
                    "Agencies", "LA details"],
    "la_user": ["Start", *TRANSFERS, "LA monitoring", "Feed health", "Messages", "Calendar",
                "Reports", "LA details"],
    "la_school": ["Start", *TRANSFERS, "LA monitoring", "Feed health", "Messages", "Calendar",
                  "Reports", "LA details"],
    "la_lost_pupil": ["Start", "Upload", "Generic files", "Sent files", "Lost pupils",
                      "Feed health", "Messages", "Calendar", "Reports", "LA details"],
    "la_lost_pupil_transfer": ["Start", *TRANSFERS, "LA monitoring", "Lost pupils",
                               "Feed health", "Messages", "Calendar", "Reports", "LA details"],
    "la_census": ["Start", "Upload", "Download", "Sent files", "Feed health", "Messages",
                  "Calendar", "Reports", "LA details"],
    "la_admissions": ["Start", *TRANSFERS, "Feed health", "Messages", "Calendar", "Reports",
                      "LA details"],
    "la_cme": ["Start", "Feed health", "Messages", "Calendar", "Reports", "LA details"],
    "school": ["Start", *TRANSFERS, "Messages", "Calendar"],
    "agency": ["Start", "Upload", "Generic files", "Sent files"],
}


def _menu(page: str) -> list[str]:
    navigation = page.split('id="navigation"', 1)[1].split("</ul>", 1)[0]
    return [re.sub(r"\s+", " ", label).strip()
            for label in re.findall(r'service-navigation__link"[^>]*>([^<]+)</a>', navigation)]


@pytest.fixture
def person(make_user, home_la, sending_school, agency):
    scopes = {ScopeKind.NATION: None, ScopeKind.LA: home_la,
              ScopeKind.ESTABLISHMENT: sending_school, ScopeKind.AGENCY: agency}
    return lambda role: make_user(role, scopes[SCOPE_OF_ROLE[role]], username=f"menu_{role}")


@pytest.mark.parametrize("role", sorted(MENUS))
def test_each_role_sees_exactly_its_own_menu(role, person, client):
    client.force_login(person(role))
    page = client.get(reverse("core:start")).content.decode()
    assert _menu(page) == MENUS[role]


def test_an_mis_connector_has_no_pages_at_all(person, client):
    client.force_login(person("connector"))
    assert client.get(reverse("core:start")).status_code == 404
    assert client.get(reverse("transfers:upload")).status_code == 404
