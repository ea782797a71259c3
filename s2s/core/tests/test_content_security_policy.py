"""Issue 20: a Content-Security-Policy on every page, and no inline script or style to need more.

Every page of the authorisation matrix is asked as a role it lets in: the header allows
scripts and styles only from 'self', and the HTML has no inline script, style, `style=`
attribute or event handler. The templates are read too, for pages the matrix cannot fill.
"""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from s2s.core.tests.test_authorisation_matrix import ROWS, _row_id, world  # noqa: F401

SOURCE = Path(__file__).resolve().parents[2]
# An inline script (a <script> with no src that is not data), a <style> element, a style
# attribute, an event-handler attribute, or a javascript: URL.
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>"
    r"|<style\b|\sstyle\s*=|\son[a-z]+\s*=|javascript:", re.IGNORECASE)
PAGES = [row for row in ROWS if row.method == "get" and (row.allowed or row.public)]


def _directives(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    return {name: values for name, *values in
            (part.split() for part in header.split(";") if part.strip())}


def test_the_policy_allows_scripts_and_styles_only_from_our_own_static_files(client, db):
    directives = _directives(client.get(reverse("accounts:sign-in")))
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]


@pytest.mark.parametrize("row", PAGES, ids=_row_id)
def test_every_page_has_the_policy_and_no_inline_script_or_style(row, world, client):  # noqa: F811
    if not row.public:
        client.force_login(world.users[sorted(row.allowed)[0]])
    url = reverse(row.url_name, kwargs=row.kwargs(world) if row.kwargs else None)
    response = client.get(url)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"], url
    if response.status_code == 200 and "html" in response.headers.get("Content-Type", ""):
        body = b"".join(response) if response.streaming else response.content
        found = INLINE.findall(body.decode())
        assert not found, f"{url}: {found}"


def test_no_template_has_inline_script_or_style():
    found = [f"{path.relative_to(SOURCE)}: {match}"
             for path in SOURCE.glob("s2s/**/templates/**/*.html")
             for match in INLINE.findall(path.read_text())]
    assert not found, found
