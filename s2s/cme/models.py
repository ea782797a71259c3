"""CME signals as the hub computed them, and the watermark of the feeds already read."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from s2s.cme.signals import Kind


class SignalStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Signal(models.Model):
    """One run that met a signal's rule, for one pupil at one school: it fires once.

    Identified by (school, UPN, kind, first day): a recompute finding the same run updates
    it (its length, open or closed); a run no longer found (a recoded mark broke it) is
    withdrawn, never deleted, so both versions stay in the history with the marks'.
    """

    kind = models.CharField(max_length=24, choices=Kind.choices)
    establishment = models.ForeignKey(
        "directory.Establishment", on_delete=models.CASCADE, related_name="+"
    )
    upn = models.CharField(max_length=13)
    pupil = models.ForeignKey("feeds.Pupil", on_delete=models.SET_NULL, null=True,
                              related_name="+")
    # Copied from the roll when the signal fires (the roll row may later be purged).
    surname = models.CharField(max_length=100, blank=True)
    forename = models.CharField(max_length=100, blank=True)
    dob = models.DateField(null=True, blank=True)
    first_day = models.DateField()
    fired_on = models.DateField()
    school_days = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=SignalStatus.choices,
                              default=SignalStatus.OPEN)
    detail = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # The school's last marked day when the signal was last computed: the nightly run adds
    # a rate signal's new present marks after it without reading the pupil's year again.
    counted_to = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("CME signal")
        constraints = [
            models.UniqueConstraint(fields=["establishment", "upn", "kind", "first_day"],
                                    name="cme_signal_one_per_run"),
        ]
        indexes = [
            models.Index(fields=["establishment", "first_day"], name="cme_signal_school_idx"),
            models.Index(fields=["status", "kind"], name="cme_signal_status_idx"),
        ]

    def __str__(self):
        return f"{self.kind} {self.upn} from {self.first_day} ({self.status})"


class Watermark(models.Model):
    """How far `s2s cme recompute` has read the feeds: those received up to `feeds_until`."""

    name = models.CharField(max_length=20, unique=True, default="signals")
    feeds_until = models.DateTimeField(null=True, blank=True)
    # The feeds received in the overlap before `feeds_until` (services.FEED_OVERLAP) already
    # read: a later run reads only the others there (committed late), so none is read twice.
    feeds_read = models.JSONField(default=list, blank=True)
    ran_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("CME recompute watermark")

    def __str__(self):
        return f"{self.name} until {self.feeds_until}"
