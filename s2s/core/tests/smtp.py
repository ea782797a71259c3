"""A real SMTP server for tests: `smtp_server` starts aiosmtpd on 127.0.0.1 and a free port.

Import the fixture into a test module (`from s2s.core.tests.smtp import smtp_server`); it
points Django's SMTP backend at the server and yields it. `smtp_server.messages` holds each
received message as an `email.message.EmailMessage`, with `envelope_to` beside it in
`smtp_server.recipients`.
"""

import email
import email.policy
import socket
from types import SimpleNamespace

import pytest
from aiosmtpd.controller import Controller


class _Collector:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.messages = []
        self.recipients = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(
            email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        )
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """Start a real SMTP server for the test and send Django's email through it."""
    handler = _Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = controller.hostname
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    try:
        yield SimpleNamespace(
            host=controller.hostname, port=controller.port,
            messages=handler.messages, recipients=handler.recipients,
        )
    finally:
        controller.stop()
