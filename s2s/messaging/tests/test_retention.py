from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from s2s.audit.models import AuditEvent
from s2s.messaging.models import Message, Recipient
from s2s.messaging.retention import messages_purge_batch
from s2s.messaging.tests.conftest import send

pytestmark = pytest.mark.django_db
NOW = timezone.now().replace(microsecond=0)
SECOND = timedelta(seconds=1)


def _message(sender, *, sent_ago: timedelta, read_ago: timedelta | None = None):
    message = send(sender, las=[("838", ["la_user"])]).message
    Message.objects.filter(pk=message.pk).update(created_at=NOW - sent_ago)
    if read_ago is not None:
        message.recipients.update(read_at=NOW - read_ago)
    return message


def test_an_unread_copy_goes_exactly_31_days_after_it_arrived(other_la_officer, la_officer):
    due = _message(other_la_officer, sent_ago=timedelta(days=31))
    kept = _message(other_la_officer, sent_ago=timedelta(days=31) - SECOND)
    purged = messages_purge_batch(now=NOW)
    assert (purged.copies, purged.messages) == (1, 1)
    assert list(Message.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not Message.objects.filter(pk=due.pk).exists()


def test_a_read_copy_goes_exactly_14_days_after_it_was_read(other_la_officer, la_officer):
    due = _message(other_la_officer, sent_ago=timedelta(days=20), read_ago=timedelta(days=14))
    kept = _message(other_la_officer, sent_ago=timedelta(days=40),
                    read_ago=timedelta(days=14) - SECOND)
    messages_purge_batch(now=NOW)
    assert list(Message.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not Message.objects.filter(pk=due.pk).exists()


def test_the_periods_are_settings(other_la_officer, la_officer, settings):
    settings.S2S_MESSAGE_UNREAD_DAYS, settings.S2S_MESSAGE_READ_DAYS = 5, 1
    _message(other_la_officer, sent_ago=timedelta(days=5))
    _message(other_la_officer, sent_ago=timedelta(days=2), read_ago=timedelta(days=1))
    _message(other_la_officer, sent_ago=timedelta(days=4))
    assert messages_purge_batch(now=NOW).copies == 2


def test_a_message_stays_while_one_recipient_still_has_its_copy(other_la_officer, la_officer,
                                                                 lost_pupil_officer):
    message = send(other_la_officer, las=[("838", ["la_user", "la_lost_pupil"])]).message
    Message.objects.filter(pk=message.pk).update(created_at=NOW - timedelta(days=20))
    message.recipients.filter(user=la_officer).update(read_at=NOW - timedelta(days=15))
    messages_purge_batch(now=NOW)
    assert list(Recipient.objects.values_list("user__username", flat=True)) == ["838lostpupil"]
    assert Message.objects.filter(pk=message.pk).exists()


def test_the_command_dry_run_deletes_nothing_and_limit_caps_the_run(other_la_officer,
                                                                    la_officer):
    for _ in range(3):
        _message(other_la_officer, sent_ago=timedelta(days=40))
    out = StringIO()
    call_command("purge_messages", "--dry-run", stdout=out)
    assert "Would delete 3 message copy(ies)" in out.getvalue()
    assert Recipient.objects.count() == 3
    call_command("purge_messages", "--limit", "2", stdout=(out := StringIO()))
    assert "Deleted 2 message copy(ies) and 2 message(s)" in out.getvalue()
    call_command("purge_messages", stdout=(out := StringIO()))
    assert "Deleted 1 message copy(ies) and 1 message(s)" in out.getvalue()
    assert not Message.objects.exists()
    assert AuditEvent.objects.filter(action="messages_purged", actor_username="system").exists()


def test_the_job_is_scheduled_daily():
    from s2s.schedule import SCHEDULE

    job = next(job for job in SCHEDULE if job.name == "purge_messages")
    assert job.command == "purge_messages"
    assert job.timing.startswith("daily")
