"""The email outbox: emails are rows first, sent by a task, retried, and never lost.

`email_queue` writes the row in the caller's transaction, so an email exists exactly when the
change it reports was committed, and asks for a send task once that transaction commits: ONE
`send_emails` task for all the emails of a transaction (an upload's notices are a dozen), sent
over one SMTP connection, not a task each (issue 18: the soak's task queue grew because each
email cost a task). `send_next_email` sends one due email; the `send_emails` task, the
`send_pending_emails` sweep (scheduled every minute) and `s2s send_emails` all come down to
claiming one email at a time, so each is sent by one sender whichever runs first. Delivery is
at least once: a sender that dies after the SMTP server accepted a message but before it
recorded that, sends it again when its lease runs out.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from s2s.core.models import EmailStatus, OutboundEmail

logger = logging.getLogger(__name__)

# After the first failure, wait 1 minute, then 2, 4, ... at most an hour: 12 attempts span about
# six hours, enough to ride out a mail server's bad night before the email is marked failed.
MAX_ATTEMPTS = 12
BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=1)
# A claimed email is not due again for this long: far longer than one SMTP exchange (bounded
# by SEND_TIMEOUT), so only a sender that died lets another one send it.
LEASE = timedelta(minutes=10)
SEND_TIMEOUT = 60  # seconds, for an SMTP server that accepts the connection and then stalls
# How many due emails a sender tries to claim before it concludes the others took them all.
CLAIM_CANDIDATES = 10


def email_queue(*, to: str, subject: str, text: str, html: str = "") -> OutboundEmail:
    """Store an email to one address in the caller's transaction; send it after the commit.

    If the transaction rolls back, the email never existed. All the emails of one transaction
    are sent by one task. If the task is lost, the minutely sweep sends them anyway.
    """
    now = timezone.now()
    email = OutboundEmail.objects.create(
        to=to, subject=subject, text=text, html=html, created_at=now, next_attempt_at=now
    )
    _batch_add(email.pk)
    return email


class _Batch:
    """The ids of the emails written in one transaction, sent by one task once it commits."""

    def __init__(self):
        self.ids: list[int] = []
        self.flushed = False


class _Send:
    """An email's on_commit callback: the first of its batch's to run sends from it on.

    Django runs a transaction's callbacks in the order they were registered, so at a commit
    the batch's first surviving email's callback sends every email of the batch written from
    it on (an earlier one's callback dropped with its savepoint: that email is gone too); the
    callbacks after it find the batch sent. Every email has its own callback so that whatever
    runs a subset of the callbacks (a test capturing them) sends exactly those emails' batch.
    """

    def __init__(self, batch: _Batch, index: int):
        self.batch, self.index = batch, index

    def __call__(self) -> None:
        if self.batch.flushed:
            return
        self.batch.flushed = True
        # Imported here: the tasks module imports this one.
        from s2s.core.tasks import send_emails

        send_emails.enqueue(email_ids=self.batch.ids[self.index:])


# The connection's attribute holding its transaction's batch.
_BATCH = "_s2s_outbox_batch"


def _batch_add(email_id: int) -> None:
    """Add the email to its transaction's batch and register its on_commit callback.

    A batch is current while one of its callbacks waits in the connection's on_commit list
    and none has run: none waits once the transaction commits or rolls back; then the next
    email starts a new batch. Ids of emails whose savepoint rolled back may stay in a batch:
    the task skips them (no such row).
    """
    connection = connections[DEFAULT_DB_ALIAS]
    batch = getattr(connection, _BATCH, None)
    if batch is None or batch.flushed or not any(
            isinstance(callback, _Send) and callback.batch is batch
            for _savepoints, callback, _robust in connection.run_on_commit):
        batch = _Batch()
        setattr(connection, _BATCH, batch)
    batch.ids.append(email_id)
    # robust: a queue that cannot take the task must not undo a committed change; the rows
    # are there, and the sweep sends them. Outside a transaction this runs at once.
    transaction.on_commit(_Send(batch, len(batch.ids) - 1), robust=True)


def email_queue_templated(*, name: str, to: list[str], context: dict) -> int:
    """Render emails/<name>-subject.txt, -body.txt and -body.html and queue one per address.

    Each address gets its own email, once however often and in whatever case it is given, so
    no recipient learns who else was told and one bad address never holds up the others.
    Each is written in its recipient's languages, never the sender's (issue 17: bilingual is
    Welsh first, then English, in one email); each set of languages is rendered once.
    Return how many were queued.
    """
    # Imported here: accounts' models import core.
    from s2s.accounts.languages import email_languages_by_address

    context = {"site_url": settings.SITE_URL, **context}
    unique: dict[str, str] = {}
    for address in to:
        address = (address or "").strip()
        if address:
            unique.setdefault(address.lower(), address)
    languages = email_languages_by_address(list(unique))
    rendered: dict[tuple[str, ...], tuple[str, str, str]] = {}
    for key, address in unique.items():
        wanted = languages.get(key) or (settings.LANGUAGE_CODE,)
        if wanted not in rendered:
            rendered[wanted] = _render_in(name, context, wanted)
        subject, text, html = rendered[wanted]
        email_queue(to=address, subject=subject, text=text, html=html)
    return len(unique)


# Between the languages of a bilingual email's plain text.
LANGUAGE_SEPARATOR = "\n\n" + "-" * 40 + "\n\n"


def _render_in(name: str, context: dict, languages: tuple[str, ...]) -> tuple[str, str, str]:
    """Return the subject, text and HTML of an email in each language, in the order given.

    A language whose text reads the same as one before it (not translated yet) is left out,
    so nobody reads the same English twice.
    """
    parts: list[tuple[str, str, str, str]] = []
    for language in languages:
        with translation.override(language):
            subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
            text = render_to_string(f"emails/{name}-body.txt", context)
            html = render_to_string(f"emails/{name}-body.html", context)
        if all(text != seen[2] for seen in parts):
            parts.append((language, subject, text, html))
    if len(parts) == 1:
        return parts[0][1:]
    subjects = list(dict.fromkeys(part[1] for part in parts))
    return (
        " / ".join(subjects),
        LANGUAGE_SEPARATOR.join(part[2].strip() + "\n" for part in parts),
        "\n<hr>\n".join(f'<div lang="{lang}">{html}</div>' for lang, _s, _t, html in parts),
    )


def send_next_email() -> bool:
    """Send the oldest due email; return False when none was due."""
    email = _claim(OutboundEmail.objects.all())
    if email is None:
        return False
    sender = _Sender()
    try:
        _deliver(email, sender=sender)
    finally:
        sender.close()
    return True


def email_send(*, email_id: int) -> bool:
    """Send this email if it is still queued and due; return whether it was sent or tried."""
    return emails_send(email_ids=[email_id]) == 1


def emails_send(*, email_ids: list[int]) -> int:
    """Send those of these emails still queued and due, over one SMTP connection.

    Each is claimed on its own, as `send_next_email` does, so one another sender took is not
    sent twice. Return how many were sent or tried.
    """
    tried = 0
    sender = _Sender()
    try:
        for email_id in email_ids:
            email = _claim(OutboundEmail.objects.filter(pk=email_id))
            if email is not None:
                _deliver(email, sender=sender)
                tried += 1
    finally:
        sender.close()
    return tried


def backoff(*, attempts: int) -> timedelta:
    """Return how long to wait after the given number of failed attempts."""
    return min(BACKOFF_FIRST * 2 ** (attempts - 1), BACKOFF_MAX)


def _claim(emails) -> OutboundEmail | None:
    """Claim one due email of `emails` and return it with its new lease, or None."""
    now = timezone.now()
    for pk, seen in _candidates(emails, now=now):
        if _claim_one(pk=pk, seen=seen, now=now):
            return OutboundEmail.objects.get(pk=pk)
    return None


def _candidates(emails, *, now: datetime) -> list[tuple[int, datetime]]:
    """Return the oldest due emails as (id, next_attempt_at) pairs, as read at this moment."""
    due = emails.filter(status=EmailStatus.QUEUED, next_attempt_at__lte=now)
    ordered = due.order_by("next_attempt_at", "pk").values_list("pk", "next_attempt_at")
    return list(ordered[:CLAIM_CANDIDATES])


def _claim_one(*, pk: int, seen: datetime, now: datetime) -> bool:
    """Take the lease on an email if it is still as we read it; return whether we did.

    Of two senders that read the same row, exactly one update matches (the other finds a new
    `next_attempt_at`): the same conditional update on SQLite and PostgreSQL.
    """
    return OutboundEmail.objects.filter(
        pk=pk, status=EmailStatus.QUEUED, next_attempt_at=seen
    ).update(next_attempt_at=now + LEASE, attempts=F("attempts") + 1) == 1


class _Sender:
    """One SMTP connection, opened at the first send and opened again after a failure."""

    def __init__(self):
        self.connection = None

    def send(self, message: EmailMultiAlternatives) -> None:
        if self.connection is None:
            timeout = getattr(settings, "EMAIL_TIMEOUT", None) or SEND_TIMEOUT
            self.connection = get_connection(timeout=timeout)
        try:
            # Opened here, not by send_messages, which would close it again after the message.
            self.connection.open()
            self.connection.send_messages([message])
        except Exception:
            self.close()  # the connection may be broken: the next email opens a new one
            raise

    def close(self) -> None:
        if self.connection is not None:
            connection, self.connection = self.connection, None
            try:
                connection.close()
            except Exception:  # closing a broken connection must not hide what happened
                logger.debug("Closing the SMTP connection failed", exc_info=True)


def _deliver(email: OutboundEmail, *, sender: _Sender) -> None:
    """Hand a claimed email to Django's email backend and record what happened."""
    try:
        _send(email, sender)
    except Exception as exc:  # any failure to send is recorded and retried, never raised
        _record_failure(email, error=f"{type(exc).__name__}: {exc}", now=timezone.now())
        return
    OutboundEmail.objects.filter(pk=email.pk, status=EmailStatus.QUEUED).update(
        status=EmailStatus.SENT, sent_at=timezone.now(), last_error=""
    )


def _send(email: OutboundEmail, sender: _Sender) -> None:
    message = EmailMultiAlternatives(
        email.subject, email.text, settings.DEFAULT_FROM_EMAIL, [email.to]
    )
    if email.html:
        message.attach_alternative(email.html, "text/html")
    sender.send(message)


def _record_failure(email: OutboundEmail, *, error: str, now: datetime) -> None:
    if email.attempts >= MAX_ATTEMPTS:
        OutboundEmail.objects.filter(pk=email.pk, status=EmailStatus.QUEUED).update(
            status=EmailStatus.FAILED, last_error=error[:2000]
        )
        # No address in the log: the id leads to the row for whoever may see it.
        logger.error("Gave up on email %s after %s attempts: %s", email.pk, email.attempts, error)
        return
    wait = backoff(attempts=email.attempts)
    OutboundEmail.objects.filter(pk=email.pk, status=EmailStatus.QUEUED).update(
        next_attempt_at=now + wait, last_error=error[:2000]
    )
    logger.warning(
        "Email %s not sent (attempt %s), retrying in %s: %s", email.pk, email.attempts, wait, error
    )
