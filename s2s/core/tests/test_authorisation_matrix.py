"""Every URL the project defines × every role × objects in and out of scope."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from s2s.accounts.roles import SCOPE_OF_ROLE, ScopeKind
from s2s.core.tests.matrix import ALL_ROLES

# URLs that are not pages of ours (none today: the language switch is accounts:language).
UNNAMED_OK: set[str] = set()


def _named_urls(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            yield from _named_urls(pattern, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def _all_rows():
    rows = []
    for config in apps.get_app_configs():
        if not config.name.startswith("s2s."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.tests.access")
        except ModuleNotFoundError:
            continue
        rows.extend(module.ROWS)
    return rows


ROWS = _all_rows()


def test_every_url_has_a_row_in_the_matrix():
    covered = {row.url_name for row in ROWS}
    missing = sorted(set(_named_urls()) - covered - UNNAMED_OK)
    assert not missing, f"add these URLs to an app's tests/access.py: {missing}"


@pytest.fixture
def world(make_user, home_la, other_la, sending_school, receiving_school, outsider_school,
          agency, other_la_dba, other_la_officer, outsider_school_user):
    """One user of every role in LA 838, and people and places in LA 681 to stay out of."""
    scope_for = {
        ScopeKind.NATION: None,
        ScopeKind.LA: home_la,
        ScopeKind.ESTABLISHMENT: sending_school,
        ScopeKind.AGENCY: agency,
    }
    users = {
        role: make_user(role, scope_for[SCOPE_OF_ROLE[role]], username=f"m_{role}")
        for role in sorted(ALL_ROLES)
    }
    return SimpleNamespace(
        users=users, home_la=home_la, other_la=other_la, own_school=sending_school,
        receiving_school=receiving_school, outsider_school=outsider_school, agency=agency,
        other_la_dba=other_la_dba, other_la_officer=other_la_officer,
        outsider_school_user=outsider_school_user,
    )


def _ask(client, row, world):
    url = reverse(row.url_name, kwargs=row.kwargs(world) if row.kwargs else None)
    return url, getattr(client, row.method)(url)


def _row_id(row):
    return f"{row.url_name}/{row.label}" if row.label else row.url_name


def _is_page(response, row) -> bool:
    """Return whether the user was let in: a page, or a redirect to the page the row names."""
    if response.status_code == 302 and row.redirect:
        return resolve(response.url.split("?")[0]).view_name in row.redirect.split()
    return 200 <= response.status_code < 300


@pytest.mark.parametrize("row", ROWS, ids=_row_id)
def test_each_role_gets_exactly_the_answer_the_policy_gives(row, world, client):
    if row.public:
        url, response = _ask(client, row, world)
        assert _is_page(response, row), f"{url} should be open to signed-out visitors"
        return
    url, response = _ask(client, row, world)
    if row.machines:
        assert response.status_code == 404, f"{url} must be Not Found to a signed-out visitor"
    else:
        assert response.status_code == 302, f"{url} must send a signed-out visitor to sign in"
        assert "sign-in" in response.url, f"{url} must send a signed-out visitor to sign in"
    wrong = []
    for role, user in world.users.items():
        client.force_login(user)
        url, response = _ask(client, row, world)
        expected_allowed = role in row.allowed
        allowed = _is_page(response, row)
        if expected_allowed and not allowed:
            sent_to = f" to {response.url}" if response.status_code == 302 else ""
            wrong.append(f"{role}: expected a page, got {response.status_code}{sent_to}")
        if not expected_allowed and response.status_code != 404:
            wrong.append(f"{role}: expected 404, got {response.status_code}")
        client.logout()
    assert not wrong, f"{url}: " + "; ".join(wrong)
