"""Issue 18's security pass: the headers on real page responses (production's HSTS is in
test_security_settings.py, which asks a production-configured interpreter)."""

import re

import pytest


def _directives(policy: str) -> dict[str, list[str]]:
    return {name: values for name, *values in
            (part.split() for part in policy.split(";") if part.strip())}


@pytest.fixture
def pages(client, db, la_officer):
    signed_out = client.get("/account/sign-in")
    client.force_login(la_officer)
    signed_in = client.get("/")
    return [signed_out, signed_in]


def test_pages_allow_no_inline_script_or_style(pages):
    for response in pages:
        assert response.status_code == 200
        policy = _directives(response["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"]
        assert policy["style-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]
        assert "'unsafe-eval'" not in response["Content-Security-Policy"]
        # and the pages need none: every script is a file, no handler attributes
        html = response.content.decode()
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
        assert re.findall(r"\son[a-z]+=\"", html) == []


def test_pages_cannot_be_framed_and_send_referrers_only_to_us(pages):
    for response in pages:
        assert _directives(response["Content-Security-Policy"])["frame-ancestors"] == ["'none'"]
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_hsts_is_left_to_production(pages):
    # Sent over plain HTTP in development it would pin browsers to HTTPS on 127.0.0.1.
    assert all("Strict-Transport-Security" not in response for response in pages)
