"""The mail server is down for an hour (issue 18, faults): notices queue, then all arrive once.

The SMTP port first refuses connections; the clock (not the test) moves on a minute at a time,
and the minutely sweep (`s2s send_emails`, as the scheduler runs it) tries again and again.
After an hour a real SMTP server (aiosmtpd) comes up on that port: every notice arrives,
each exactly once.
"""

import email
import email.policy
import io
import socket
from datetime import datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.utils import timezone

from s2s.accounts.models import ApiToken
from s2s.accounts.roles import Role
from s2s.api.tests.conftest import ApiClient
from s2s.core import outbox
from s2s.core.models import EmailStatus, OutboundEmail
from s2s.transfers.tests.ctfs import ctf

pytestmark = pytest.mark.django_db(transaction=True)

T0 = datetime(2026, 12, 7, 8, 0, tzinfo=timezone.get_fixed_timezone(0))
FILES = 3


@pytest.fixture
def clock(monkeypatch):
    """A clock the code reads as "now", moved on by the test."""

    class Clock:
        now = T0

        def advance(self, **delta):
            self.now += timedelta(**delta)

    clock = Clock()
    monkeypatch.setattr(outbox.timezone, "now", lambda: clock.now)
    return clock


class _Collector:
    def __init__(self):
        self.received: list[tuple[str, str]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.original_content,
                                           policy=email.policy.default)
        for to in envelope.rcpt_tos:
            self.received.append((to, " ".join(str(message["Subject"]).split())))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_port(settings) -> int:
    """A port on 127.0.0.1 where no mail server listens yet; Django's email goes there."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    return port


def _sweep() -> None:
    call_command("send_emails", stdout=io.StringIO(), stderr=io.StringIO())


def test_notices_queue_while_smtp_is_down_for_an_hour_then_arrive_once_each(
        clock, smtp_port, make_user, sending_school, receiving_school_user):
    sender = ApiClient(ApiToken.issue(
        make_user(Role.CONNECTOR, sending_school, username="8383321-mis"))[1])
    for n in range(1, FILES + 1):
        response = sender.upload(f"8383321_CTF_8384512_{n:03d}.XML",
                                 ctf("8383321", "8384512", seed=n))
        assert response.status_code == 201, response.content
    queued = list(OutboundEmail.objects.values_list("to", "subject"))
    assert len(queued) >= FILES  # at least the receiving school hears of each file

    for _minute in range(60):  # an hour of the minutely sweep against a refused port
        clock.advance(minutes=1)
        _sweep()
    assert not OutboundEmail.objects.exclude(status=EmailStatus.QUEUED).exists()
    assert OutboundEmail.objects.filter(attempts__gt=1).count() == len(queued)

    handler = _Collector()
    server = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    server.start()
    try:
        for _minute in range(120):  # the longest back-off is an hour
            clock.advance(minutes=1)
            _sweep()
    finally:
        server.stop()

    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {EmailStatus.SENT}
    expected = sorted((to, " ".join(subject.split())) for to, subject in queued)
    assert sorted(handler.received) == expected  # every notice arrived, and only once
