"""The client's address: X-Forwarded-For is believed only from a trusted proxy (issue 20, 5)."""

import pytest
from django.test import RequestFactory

from s2s.core.addresses import client_address


def _request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_client_is_the_connection(settings):
    settings.S2S_TRUSTED_PROXIES = []
    assert client_address(_request("203.0.113.5", "192.0.2.1")) == "203.0.113.5"


def test_a_forwarded_address_from_an_untrusted_peer_is_ignored(settings):
    settings.S2S_TRUSTED_PROXIES = ["10.0.0.1"]
    assert client_address(_request("203.0.113.5", "192.0.2.1")) == "203.0.113.5"


@pytest.mark.parametrize(("forwarded", "client"), [
    ("198.51.100.7", "198.51.100.7"),
    # The client made up the left-most entry; the proxy appended what it saw.
    ("1.2.3.4, 198.51.100.7", "198.51.100.7"),
    # Two of our proxies in a row: the right-most address that is not ours.
    ("1.2.3.4, 198.51.100.7, 10.0.0.2", "198.51.100.7"),
    # Garbage where the client wrote: the last proxy we trust is all we know.
    ("not-an-address, 10.0.0.2", "10.0.0.2"),
    ("", "10.0.0.1"),
    ("2001:db8::7", "2001:db8::7"),
])
def test_behind_a_trusted_proxy_the_client_is_the_right_most_untrusted_entry(
        settings, forwarded, client):
    settings.S2S_TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert client_address(_request("10.0.0.1", forwarded)) == client


def test_no_request_has_no_address():
    assert client_address(None) is None
