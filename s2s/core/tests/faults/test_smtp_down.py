"""The mail server is down for an hour (issue 18, faults): notices queue, then all arrive once.

The SMTP port first refuses connections; the clock (not the test) moves on a minute at a time,
and the minutely sweep (`s2s send_emails`, as the scheduler runs it) tries again and again.
After an hour a real SMTP server (aiosmtpd) comes up on that port: every notice arrives,
each exactly once.
"""

import io
from datetime import datetime

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.utils import timezone

from s2s.accounts.models import ApiToken
from s2s.accounts.roles import Role
from s2s.api.tests.conftest import ApiClient
from s2s.core.models import EmailStatus, OutboundEmail
from s2s.core.tests.smtp import Collector, email_to, free_port, outbox_clock
from s2s.transfers.tests.ctfs import ctf

pytestmark = pytest.mark.django_db(transaction=True)

T0 = datetime(2026, 12, 7, 8, 0, tzinfo=timezone.get_fixed_timezone(0))
FILES = 3


@pytest.fixture
def clock(monkeypatch):
    return outbox_clock(monkeypatch, T0)


@pytest.fixture
def smtp_port(settings) -> int:
    """A port on 127.0.0.1 where no mail server listens yet; Django's email goes there."""
    port = free_port()
    email_to(settings, port)
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

    handler = Collector()
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
    received = [(to, " ".join(str(message["Subject"]).split()))
                for message, tos in zip(handler.messages, handler.recipients, strict=True)
                for to in tos]
    assert sorted(received) == expected  # every notice arrived, and only once
