"""Partnerships: members, one data sharing agreement, linked pupils and the records they share.

Seed 004 (SIMS Partnership Xchange) and issue 16. A partnership's members sign its agreement;
sharing runs while every member has signed and the review date has not passed. A pupil is
linked by UPN to a main institution and to partners (`PupilPlace`, one per setting, with the
dates it was linked); members push records about linked pupils, and each member reads only
what need to know allows (`accounts/policy.py`, `selectors.py`).

Attendance codes and punctuality minutes are stored as the feeds app stores marks (plain
columns, counted in the database); the details of assessment results and behaviour events
(subject, result, description...) are sealed with the master key (`sealing.py`).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    ATTENDANCE = "attendance", _("Attendance")
    PUNCTUALITY = "punctuality", _("Punctuality")
    ASSESSMENT = "assessment", _("Assessment")
    BEHAVIOUR = "behaviour", _("Behaviour")


class Status(models.TextChoices):
    AWAITING = "awaiting_signatures", _("Awaiting signatures")
    ACTIVE = "active", _("Active")
    LAPSED = "lapsed", _("Lapsed: review date passed")
    ENDED = "ended", _("Ended")


class Partnership(models.Model):
    """A named group of institutions that teach pupils in common."""

    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.AWAITING)
    created_at = models.DateTimeField(default=timezone.now)
    created_by_username = models.CharField(max_length=150, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("partnership")

    def __str__(self):
        return self.name


class Agreement(models.Model):
    """The partnership's one data sharing agreement."""

    partnership = models.OneToOneField(Partnership, on_delete=models.CASCADE,
                                       related_name="agreement")
    purpose = models.TextField(_("purpose"))
    kinds = models.JSONField(_("kinds of data shared"), default=list)
    lawful_basis = models.CharField(_("lawful basis"), max_length=300)
    retention_days = models.PositiveIntegerField(_("retention in days"))
    review_date = models.DateField(_("review date"))
    # The review date each reminder was last sent for: a claim, so it goes once.
    reminded_30_for = models.DateField(null=True, blank=True)
    reminded_7_for = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("data sharing agreement")

    def __str__(self):
        return f"agreement of {self.partnership_id}"


class Membership(models.Model):
    """A member institution and its signature of the agreement (who signed, when)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE,
                                    related_name="memberships")
    establishment = models.ForeignKey("directory.Establishment", on_delete=models.PROTECT,
                                      related_name="+")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+")
    signed_by_username = models.CharField(max_length=150, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("partnership member")
        constraints = [models.UniqueConstraint(fields=["partnership", "establishment"],
                                               name="membership_unique")]

    def __str__(self):
        return f"{self.establishment_id} in {self.partnership_id}"


class PupilLink(models.Model):
    """A pupil (by UPN) taught by the partnership, with the main institution responsible."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE,
                                    related_name="pupils")
    upn = models.CharField(_("UPN"), max_length=13)
    main = models.ForeignKey("directory.Establishment", on_delete=models.PROTECT,
                             related_name="+")
    linked_at = models.DateTimeField(default=timezone.now)
    objected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("linked pupil")
        constraints = [models.UniqueConstraint(fields=["partnership", "upn"],
                                               name="pupillink_unique_upn")]

    def __str__(self):
        return f"pupil {self.upn} in {self.partnership_id}"


class PlaceRole(models.TextChoices):
    MAIN = "main", _("Main institution")
    SUBSIDIARY = "subsidiary", _("Subsidiary")
    GUEST = "guest", _("Guest")


class PupilPlace(models.Model):
    """One setting where a linked pupil is taught: its role, courses and when it was linked."""

    link = models.ForeignKey(PupilLink, on_delete=models.CASCADE, related_name="places")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    establishment = models.ForeignKey("directory.Establishment", on_delete=models.PROTECT,
                                      related_name="+")
    role = models.CharField(max_length=10, choices=PlaceRole.choices)
    courses = models.JSONField(default=list)
    linked_from = models.DateField()
    linked_to = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("place where a pupil is taught")
        constraints = [models.UniqueConstraint(fields=["link", "establishment"],
                                               name="pupilplace_unique")]
        indexes = [models.Index(fields=["establishment", "partnership"],
                                name="pupilplace_school_idx")]

    def __str__(self):
        return f"{self.link_id} at {self.establishment_id} ({self.role})"


class Objection(models.Model):
    """A pupil's or parent's objection, recorded by the main institution: sharing stops."""

    link = models.OneToOneField(PupilLink, on_delete=models.CASCADE, related_name="objection")
    recorded_by_username = models.CharField(max_length=150)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("objection to sharing")

    def __str__(self):
        return f"objection for {self.link_id}"


class SharedRecord(models.Model):
    """One record a member pushed about a linked pupil.

    attendance: `session` (0 AM, 1 PM) or `lesson` (a period's name) and `code`;
    punctuality: `minutes_late` (and the session or lesson); assessment and behaviour: their
    fields sealed in `sealed` (assessment: subject, aspect, result; behaviour: type
    incident/achievement, category, points, description).
    """

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    link = models.ForeignKey(PupilLink, on_delete=models.CASCADE, related_name="records")
    source = models.ForeignKey("directory.Establishment", on_delete=models.PROTECT,
                               related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    date = models.DateField()
    session = models.PositiveSmallIntegerField(null=True, blank=True)
    lesson = models.CharField(max_length=40, blank=True)
    code = models.CharField(max_length=2, blank=True)
    minutes_late = models.PositiveIntegerField(null=True, blank=True)
    sealed = models.BinaryField(null=True, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("shared record")
        indexes = [
            models.Index(fields=["link", "kind", "date"], name="sharedrecord_pupil_idx"),
            models.Index(fields=["partnership", "recorded_at"], name="sharedrecord_age_idx"),
        ]

    def __str__(self):
        return f"{self.kind} {self.date} for {self.link_id}"


class DeleteReason(models.TextChoices):
    OBJECTION = "objection", _("Objection")
    RETENTION = "retention", _("Retention")
    ENDED = "ended", _("Partnership ended")


class Tombstone(models.Model):
    """A shared record deleted by an objection, retention or the end of its partnership.

    The changes feed gives it as `{"id", "deleted": true, "kind", "reason"}` so a member's
    sync removes its copy; it holds no pupil data (not even the UPN), so every member may be
    told of it.
    """

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    record_id = models.BigIntegerField()
    kind = models.CharField(max_length=12, choices=Kind.choices)
    reason = models.CharField(max_length=10, choices=DeleteReason.choices)
    deleted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("deleted shared record")
        indexes = [models.Index(fields=["partnership", "id"], name="tombstone_feed_idx")]

    def __str__(self):
        return f"deleted {self.kind} {self.record_id}"
