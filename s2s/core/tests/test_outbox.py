"""The outbox: emails are written with the change they report, sent once, retried, never lost."""

import io
import logging
import signal
import threading
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from s2s.core import outbox
from s2s.core.models import EmailStatus, OutboundEmail
from s2s.core.outbox import email_queue, send_next_email
from s2s.core.tests.smtp import free_port, outbox_clock, smtp_server  # noqa: F401 (a fixture)

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
T0 = datetime(2025, 9, 1, 9, 0, tzinfo=timezone.get_fixed_timezone(0))


def _queue(**fields) -> OutboundEmail:
    fields = {"to": "office3321@school.example.sch.uk", "subject": "A file is waiting",
              "text": "Plain words.", "html": "<p>Plain words.</p>", **fields}
    return email_queue(**fields)


@pytest.fixture
def clock(monkeypatch):
    """Return a settable clock that the outbox reads as "now"."""
    return outbox_clock(monkeypatch, T0)


@pytest.fixture
def worker_signals():
    """Put back the signal handlers that db_worker replaces in this (the test) process."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def _run_worker() -> str:
    out = io.StringIO()
    # --batch: run what is queued, then exit; no start-up delay, no reloader.
    call_command("db_worker", batch=True, startup_delay=False, interval=0, reload=False,
                 stdout=out, verbosity=0)
    return out.getvalue()


# --- queued with the change, or not at all ---------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_an_email_queued_in_a_transaction_that_rolls_back_is_never_sent():
    def change_that_fails():
        with transaction.atomic():
            _queue()
            raise RuntimeError("the change failed after the email was queued")

    with pytest.raises(RuntimeError):
        change_that_fails()
    assert OutboundEmail.objects.count() == 0
    call_command("send_emails", stdout=io.StringIO())
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_an_email_goes_out_through_a_real_smtp_server_only_after_the_commit(
        smtp_server):  # noqa: F811 (the fixture)
    with transaction.atomic():
        email = _queue()
        assert smtp_server.messages == []
    (message,) = smtp_server.messages
    assert smtp_server.recipients == [["office3321@school.example.sch.uk"]]
    assert message["Subject"] == "A file is waiting"
    assert message.get_body(("plain",)).get_content().strip() == "Plain words."
    assert message.get_body(("html",)).get_content().strip() == "<p>Plain words.</p>"
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT
    assert email.attempts == 1
    assert email.sent_at is not None


# --- retries -------------------------------------------------------------------------------

def test_a_failing_smtp_send_is_retried_with_backoff_and_then_sent(
        db, settings, smtp_server, clock, django_capture_on_commit_callbacks):  # noqa: F811
    settings.EMAIL_PORT = free_port()  # the mail server is down: nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        email = _queue()  # its task tries at once, and fails
    email.refresh_from_db()
    assert email.status == EmailStatus.QUEUED
    assert email.attempts == 1
    assert "ConnectionRefusedError" in email.last_error
    assert email.next_attempt_at == T0 + timedelta(minutes=1)

    clock.advance(seconds=59)
    assert send_next_email() is False  # not due yet

    clock.advance(seconds=1)
    assert send_next_email() is True  # second attempt, still down
    email.refresh_from_db()
    assert email.attempts == 2
    assert email.next_attempt_at == T0 + timedelta(minutes=1 + 2)

    settings.EMAIL_PORT = smtp_server.port  # the mail server is back
    clock.advance(minutes=2)
    assert send_next_email() is True
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT
    assert email.attempts == 3
    assert email.last_error == ""
    assert email.sent_at == T0 + timedelta(minutes=3)
    assert [m["Subject"] for m in smtp_server.messages] == ["A file is waiting"]
    assert send_next_email() is False


def test_the_wait_doubles_from_a_minute_up_to_an_hour():
    waits = [outbox.backoff(attempts=n) for n in range(1, 10)]
    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32, 60, 60, 60)]


def test_an_email_is_marked_failed_and_logged_after_the_last_attempt(
        db, settings, clock, monkeypatch, caplog):
    monkeypatch.setattr(outbox, "MAX_ATTEMPTS", 2)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    email = _queue()  # no commit in this test: its task never runs; the sweep does the work
    assert send_next_email() is True
    clock.advance(minutes=1)
    with caplog.at_level(logging.ERROR, logger="s2s.core.outbox"):
        assert send_next_email() is True
    email.refresh_from_db()
    assert email.status == EmailStatus.FAILED
    assert email.attempts == 2
    assert f"Gave up on email {email.pk} after 2 attempts" in caplog.text
    assert "school.example.sch.uk" not in caplog.text
    clock.advance(hours=1)
    assert send_next_email() is False


def test_a_sender_that_died_mid_send_leaves_the_email_due_again_after_its_lease(db, clock):
    email = _queue()
    assert outbox._claim(OutboundEmail.objects.all()) is not None  # then the process died
    assert send_next_email() is False
    clock.advance(minutes=10)
    assert send_next_email() is True
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT
    assert len(mail.outbox) == 1


# --- exactly one sender per email -------------------------------------------------------

def test_two_claims_of_the_same_row_give_it_to_one_sender_only(db):
    email = _queue()
    now = timezone.now()
    (seen,) = outbox._candidates(OutboundEmail.objects.all(), now=now)  # both senders read it
    assert outbox._claim_one(pk=email.pk, seen=seen[1], now=now) is True
    assert outbox._claim_one(pk=email.pk, seen=seen[1], now=now) is False


def test_a_sender_acting_on_a_stale_read_does_not_send_again(db, monkeypatch):
    _queue()
    stale = outbox._candidates(OutboundEmail.objects.all(), now=timezone.now())
    assert send_next_email() is True  # the other sender claims and sends it
    monkeypatch.setattr(outbox, "_candidates", lambda emails, now: stale)
    assert send_next_email() is False
    assert len(mail.outbox) == 1


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="concurrent writers need a server database")
@pytest.mark.django_db(transaction=True)
def test_racing_senders_send_each_email_exactly_once():
    for n in range(40):
        OutboundEmail.objects.create(to=f"user{n}@example.gov.uk", subject=f"n{n}", text=".")
    start = threading.Barrier(4)

    def sender():
        start.wait()
        try:
            while send_next_email():
                pass
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(m.subject for m in mail.outbox) == sorted(f"n{n}" for n in range(40))
    assert set(OutboundEmail.objects.values_list("attempts", flat=True)) == {1}


# --- the command, the sweep and the real worker ---------------------------------------------

def test_send_emails_sends_what_is_due_up_to_its_limit(db):
    for n in range(3):
        _queue(subject=f"Email {n}")
    out = io.StringIO()
    call_command("send_emails", "--limit", "2", stdout=out)
    assert [m.subject for m in mail.outbox] == ["Email 0", "Email 1"]
    assert "2 email(s)" in out.getvalue()
    call_command("send_emails", stdout=out)
    assert len(mail.outbox) == 3


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_an_enqueued_send_task_end_to_end(settings, worker_signals):
    settings.TASKS = DATABASE_TASKS
    with transaction.atomic():
        email = _queue()
    (task,) = DBTaskResult.objects.all()
    assert task.task_path == "s2s.core.tasks.send_emails"
    assert task.args_kwargs == {"args": [], "kwargs": {"email_ids": [email.pk]}}
    assert mail.outbox == []  # queued, not sent: nothing runs it but the worker

    _run_worker()
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    assert [m.subject for m in mail.outbox] == ["A file is waiting"]
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT


@pytest.mark.django_db(transaction=True)
def test_the_emails_of_one_transaction_are_sent_by_one_task_over_one_connection(
        settings, worker_signals, smtp_server):  # noqa: F811 (the fixture)
    settings.TASKS = DATABASE_TASKS
    with transaction.atomic():
        emails = [_queue(to=f"office{n}@school.example.sch.uk", subject=f"n{n}")
                  for n in range(5)]
    (task,) = DBTaskResult.objects.all()  # one task, not one an email
    assert task.task_path == "s2s.core.tasks.send_emails"
    assert task.args_kwargs["kwargs"] == {"email_ids": [email.pk for email in emails]}
    assert smtp_server.messages == []

    _run_worker()
    task.refresh_from_db()
    assert (task.status, task.return_value) == ("SUCCESSFUL", 5)
    assert sorted(tos[0] for tos in smtp_server.recipients) == sorted(
        f"office{n}@school.example.sch.uk" for n in range(5))
    assert smtp_server.connections() == 1
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {EmailStatus.SENT}

    _run_worker()  # the sweep, or the task run again: nothing is sent twice
    assert len(smtp_server.messages) == 5


@pytest.mark.django_db(transaction=True)
def test_each_transaction_gets_its_own_task_and_a_rolled_back_savepoint_sends_nothing(
        settings, worker_signals):
    settings.TASKS = DATABASE_TASKS

    def inner_change_that_fails(subject):
        with transaction.atomic():
            _queue(subject=subject)
            raise RuntimeError("the inner change failed")

    with transaction.atomic():
        _queue(subject="kept 1")
        with pytest.raises(RuntimeError):
            inner_change_that_fails("undone")
        _queue(subject="kept 2")
    with transaction.atomic():
        with pytest.raises(RuntimeError):
            inner_change_that_fails("undone with its batch's task")
        _queue(subject="kept 3")
    _queue(subject="outside a transaction")
    assert DBTaskResult.objects.filter(task_path="s2s.core.tasks.send_emails").count() == 3
    _run_worker()
    assert sorted(m.subject for m in mail.outbox) == [
        "kept 1", "kept 2", "kept 3", "outside a transaction"]


def test_an_email_on_a_smtp_connection_that_failed_does_not_stop_the_others(
        db, settings, smtp_server, monkeypatch):  # noqa: F811 (the fixture)
    emails = [_queue(to=f"office{n}@school.example.sch.uk") for n in range(3)]
    real = outbox._Sender.send
    calls = []

    def send_failing_once(sender, message):
        calls.append(message.to)
        if len(calls) == 2:
            raise ConnectionResetError("the server dropped the connection")
        real(sender, message)

    monkeypatch.setattr(outbox._Sender, "send", send_failing_once)
    assert outbox.emails_send(email_ids=[email.pk for email in emails]) == 3
    statuses = [OutboundEmail.objects.get(pk=email.pk).status for email in emails]
    assert statuses == [EmailStatus.SENT, EmailStatus.QUEUED, EmailStatus.SENT]
    assert len(smtp_server.messages) == 2
    assert "ConnectionResetError" in OutboundEmail.objects.get(pk=emails[1].pk).last_error


@pytest.mark.django_db(transaction=True)
def test_an_email_whose_task_was_lost_is_sent_by_the_scheduled_sweep(settings, worker_signals):
    settings.TASKS = DATABASE_TASKS
    with transaction.atomic():
        email = _queue()
    DBTaskResult.objects.all().delete()  # the task is lost (a queue emptied, a broker restarted)

    call_command("scheduler", "--once", stdout=io.StringIO())  # every minute: send_emails
    (sweep,) = DBTaskResult.objects.filter(task_path="s2s.core.tasks.send_pending_emails")
    _run_worker()
    sweep.refresh_from_db()
    assert sweep.status == "SUCCESSFUL"
    assert sweep.return_value == 1
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT
