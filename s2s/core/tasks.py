"""Plumbing tasks: send the outbox's emails, and run a management command for the scheduler.

Tasks take ids and names, never objects (they are stored as JSON until a worker runs them).
"""

import io

from django.core.management import call_command
from django_tasks import task

from s2s.core.outbox import email_send, emails_send, send_next_email

# A sweep stops after this many emails, so one run cannot hold the worker for ever; the next
# minute's sweep carries on.
SWEEP_LIMIT = 500
# The tail of a command's output kept as the task's result (the results table is not a log).
OUTPUT_KEPT = 10_000


@task()
def send_emails(email_ids: list[int]) -> int:
    """Send the emails one transaction wrote, those still queued and due; return how many."""
    return emails_send(email_ids=email_ids)


@task()
def send_email(email_id: int) -> bool:
    """Send one outbox email, if it is still queued and due.

    Nothing queues it any more (the outbox queues `send_emails`); kept so tasks queued by an
    older release still run after an upgrade.
    """
    return email_send(email_id=email_id)


@task()
def send_pending_emails() -> int:
    """Send every due email (retries, and any whose own task was lost); return how many."""
    sent = 0
    while sent < SWEEP_LIMIT and send_next_email():
        sent += 1
    return sent


@task()
def run_command(name: str, args: list[str]) -> str:
    """Run a management command, as the scheduler asks, and return the end of its output."""
    out = io.StringIO()
    call_command(name, *args, stdout=out, stderr=out)
    return out.getvalue()[-OUTPUT_KEPT:]
