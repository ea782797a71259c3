"""Pupils arriving on a school's roll, told to whoever listens, so no lower app imports a higher.

The apps that record an arrival call `pupils_arrived`: feeds (a pupil new on a roll feed, or
back on it) and transfers (a CTF delivered to a school, told by its notice task after the
upload commits). An app that cares registers a listener
in its `AppConfig.ready` (cme: a case's child turning up), so feeds and transfers never import
it. A listener runs in the caller's transaction and must be cheap: it is on the ingest path.
"""

from collections.abc import Callable, Iterable

_LISTENERS: list[Callable] = []


def arrival_listener(listener: Callable) -> Callable:
    """Register `listener(*, establishment, upns, via)` to hear of arrivals (once)."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)
    return listener


def pupils_arrived(*, establishment, upns: Iterable[str], via: str) -> None:
    """Tell the listeners that these UPNs arrived at this school (`via`: "feed" or "ctf")."""
    wanted = sorted({upn.strip().upper() for upn in upns if upn and upn.strip()})
    if not wanted:
        return
    for listener in _LISTENERS:
        listener(establishment=establishment, upns=wanted, via=via)
