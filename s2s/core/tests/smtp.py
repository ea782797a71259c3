"""A real SMTP server for tests: `smtp_server` starts aiosmtpd on 127.0.0.1 and a free port.

Import the fixture into a test module (`from s2s.core.tests.smtp import smtp_server`); it
points Django's SMTP backend at the server and yields it. `smtp_server.messages` holds each
received message as an `email.message.EmailMessage`, with `envelope_to` beside it in
`smtp_server.recipients`. For a server that is down first and comes up later, point Django at
`free_port()` with `email_to(settings, port)` and start a `Controller(Collector(), ...)` on it.
`outbox_clock` gives the outbox a clock a test moves on.
"""

import email
import email.policy
import socket
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from aiosmtpd.controller import Controller


class Collector:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.messages = []
        self.recipients = []
        self.sessions = []  # the SMTP session (connection) each message came on

    def connections(self) -> int:
        """Return over how many SMTP connections the messages came."""
        return len({id(session): session for session in self.sessions})

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(
            email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        )
        self.recipients.append(list(envelope.rcpt_tos))
        self.sessions.append(session)
        return "250 Message accepted for delivery"


def free_port() -> int:
    """Return a port on 127.0.0.1 where nothing listens (yet)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def email_to(settings, port: int) -> None:
    """Send Django's email by plain SMTP to 127.0.0.1 at `port`."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False


class OutboxClock:
    """The outbox's "now", moved on by the test (`advance(minutes=1)`)."""

    def __init__(self, start: datetime):
        self.now = start

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


def outbox_clock(monkeypatch, start: datetime) -> OutboxClock:
    """Return a clock the outbox (`core/outbox.py`) reads as "now", starting at `start`."""
    from s2s.core import outbox

    clock = OutboxClock(start)
    monkeypatch.setattr(outbox.timezone, "now", lambda: clock.now)
    return clock


@pytest.fixture
def smtp_server(settings):
    """Start a real SMTP server for the test and send Django's email through it."""
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    email_to(settings, controller.port)
    try:
        yield SimpleNamespace(
            host=controller.hostname, port=controller.port,
            messages=handler.messages, recipients=handler.recipients,
            connections=handler.connections,
        )
    finally:
        controller.stop()
