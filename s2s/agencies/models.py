"""Exchange agreements between an agency and its LA's places; Operation Encompass notices."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    """Which way files may go, seen from the agency."""

    IN = "in", _("To the agency")
    OUT = "out", _("From the agency")
    BOTH = "both", _("Both ways")


class ExchangeAgreement(models.Model):
    """The agreement under which an agency exchanges files with its LA's places (issue 16).

    `ends` holds the other ends' codes: the LA mailbox (838LLLL) or named schools of the
    agency's LA (8383321). It is in force from when it is made to the end of `until`, unless
    ended sooner (`ended_at`).
    """

    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT,
                               related_name="agreements", verbose_name=_("agency"))
    direction = models.CharField(_("direction"), max_length=4, choices=Direction.choices)
    ends = models.JSONField(_("with"), default=list)
    purpose = models.TextField(_("purpose"))
    until = models.DateField(_("in force until"))
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                null=True, blank=True, related_name="+")
    made_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["agency", "-made_at"]
        verbose_name = _("exchange agreement")

    def __str__(self):
        return f"{self.agency.reference} {self.direction} {','.join(self.ends)}"

    def allows(self, direction: str) -> bool:
        """Return whether files may go this way (in or out) under this agreement."""
        return self.direction in (direction, Direction.BOTH)

    def in_force_on(self, day) -> bool:
        return self.ended_at is None and self.until >= day


class EncompassNotification(models.Model):
    """A police domestic-abuse notification to a school (Operation Encompass; issue 16).

    The pupil and incident details are pupil data: they live only in the encrypted store
    (`stored_file`, JSON), read through the service that audits each read. The row holds the
    times the LA follows: sent, due to be read by (08:30 on the school's next school day),
    read (the receipt), escalated.
    """

    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT,
                               related_name="encompass_notifications")
    establishment = models.ForeignKey("directory.Establishment", on_delete=models.PROTECT,
                                      related_name="encompass_notifications")
    reference = models.CharField(_("police reference"), max_length=40)
    stored_file = models.OneToOneField("transfers.StoredFile", on_delete=models.SET_NULL,
                                       null=True, blank=True, related_name="+")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                null=True, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)
    read_by_at = models.DateTimeField(_("to be read by"))
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                null=True, blank=True, related_name="+")
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("Operation Encompass notification")
        indexes = [
            # The escalation job: unread, not yet escalated, by due time.
            models.Index(fields=["read_by_at"],
                         condition=models.Q(read_at__isnull=True, escalated_at__isnull=True),
                         name="encompass_due"),
        ]

    def __str__(self):
        return f"Encompass {self.reference} to {self.establishment_id}"
