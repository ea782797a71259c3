"""The client's address: one answer for sign-in lockouts, the audit trail and API rate limits.

`X-Forwarded-For` is written by whoever sends the request, so it is believed only when the
request came from a proxy named in `S2S_TRUSTED_PROXIES`; then the client is the right-most
address in it that is not itself a trusted proxy (each proxy appends the address it saw, so
entries to the left of that may be made up by the client).
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def trusted_networks(entries: tuple[str, ...]) -> tuple[_Network, ...]:
    """Return the trusted proxies (addresses or networks such as 10.0.0.0/8) as networks."""
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _parsed(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address, networks: tuple[_Network, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def client_address(request: HttpRequest | None) -> str | None:
    """Return the address of the client that sent this request, or None without a request."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    networks = trusted_networks(tuple(getattr(settings, "S2S_TRUSTED_PROXIES", ())))
    nearest = _parsed(remote or "")
    if not networks or not _trusted(nearest, networks):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for entry in reversed(forwarded.split(",")):
        address = _parsed(entry)
        if address is None:
            # Not an address: nothing to its left can be believed; the last hop we trust
            # is the client as far as we can tell.
            break
        nearest = address
        if not _trusted(address, networks):
            break
    return str(nearest)
