"""Plumbing tables: the email outbox and the scheduler's record of the slots it has run."""

from django.db import models
from django.utils import timezone


class EmailStatus(models.TextChoices):
    QUEUED = "queued", "queued"
    SENT = "sent", "sent"
    FAILED = "failed", "failed"


class OutboundEmail(models.Model):
    """One email to one address, kept until it is sent (or given up on), so none is lost.

    A row is written in the same transaction as the change it reports; `s2s.core.outbox` sends
    it. A queued row is due when `next_attempt_at` has passed; a sender claims it by moving
    `next_attempt_at` forward (a lease), so a sender that dies mid-send leaves it due again.
    """

    to = models.EmailField(max_length=254)
    subject = models.CharField(max_length=998)
    text = models.TextField()
    html = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=EmailStatus.choices, default=EmailStatus.QUEUED
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # The senders' one question: which queued emails are due, oldest first.
            models.Index(fields=["status", "next_attempt_at"], name="core_outbox_due_idx"),
        ]

    def __str__(self) -> str:
        return f"email {self.pk} ({self.status})"


class ScheduledRun(models.Model):
    """A scheduled job enqueued for one minute (slot): inserting the row is the claim.

    The unique (name, slot) constraint lets any number of schedulers run: for each slot, one
    insert wins and enqueues the job; the others get an IntegrityError and do nothing.
    """

    name = models.CharField(max_length=100)
    slot = models.DateTimeField()
    enqueued_at = models.DateTimeField(default=timezone.now)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "slot"], name="core_scheduledrun_once"),
        ]

    def __str__(self) -> str:
        return f"{self.name} at {self.slot:%Y-%m-%d %H:%M}"
