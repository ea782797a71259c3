"""Structured logs: one JSON line per record, each carrying the id of the request it was for.

`RequestIdMiddleware` takes the id from `X-Request-ID` when a proxy in `S2S_TRUSTED_PROXIES`
sent a well-formed one (so one id follows a request through the proxy's log and ours), else
makes one; it echoes the id in the response and keeps it in a context variable, which
`RequestIdFilter` puts on every record. The id stays set until Django's `request_finished`
(`request_id_clear`): Django logs a 4xx or 5xx answer after the middleware has returned, and a
streamed download goes on after it too.
"""

import ipaddress
import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

from django.conf import settings

from s2s.core.addresses import trusted_networks

HEADER = "X-Request-ID"
# Letters, digits and a little punctuation, as proxies make them (UUIDs, nginx's hex ids).
_WELL_FORMED = re.compile(r"[A-Za-z0-9._:-]{8,128}")
_request_id: ContextVar[str | None] = ContextVar("s2s_request_id", default=None)


def request_id_current() -> str | None:
    """Return the id of the request being answered in this context, or None outside one."""
    return _request_id.get()


def _from_trusted_proxy(request) -> bool:
    networks = trusted_networks(tuple(getattr(settings, "S2S_TRUSTED_PROXIES", ())))
    try:
        remote = ipaddress.ip_address(request.META.get("REMOTE_ADDR") or "")
    except ValueError:
        return False
    return any(remote in network for network in networks)


def request_id_for(request) -> str:
    """Return the proxy's well-formed X-Request-ID if a trusted proxy sent one, else a new id."""
    given = request.headers.get(HEADER, "")
    if given and _WELL_FORMED.fullmatch(given) and _from_trusted_proxy(request):
        return given
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Give each request an id: on its log records, and in its response's X-Request-ID."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_for(request)
        _request_id.set(request.request_id)
        response = self.get_response(request)
        response[HEADER] = request.request_id
        return response


def request_id_clear(**kwargs) -> None:
    """Forget the finished request's id (a receiver of Django's `request_finished`)."""
    _request_id.set(None)


class RequestIdFilter(logging.Filter):
    """Put the current request's id (or None) on every record as `request_id`."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add the id and let the record through."""
        record.request_id = _request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """Format a record as one line of JSON: timestamp, level, logger, message, request_id."""

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as a JSON object on one line (an exception's trace included)."""
        line = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)
