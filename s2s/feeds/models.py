"""Feeds and what they carry: the roll, attendance marks with their history, exclusions.

A mark is one row per pupil, day and session with a one- or two-character code, written in
bulk; the version it replaced goes to `MarkVersion` only when a later feed changes it, so the
history of a mark is its versions plus the mark itself, each with the feed that sent it (who
and when).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FeedKind(models.TextChoices):
    ROLL = "roll", _("Roll")
    ATTENDANCE = "attendance", _("Attendance")
    EXCLUSIONS = "exclusions", _("Exclusions")


class FeedFormat(models.TextChoices):
    JSON = "json", "JSON"
    CSV = "csv", "CSV"
    CTF = "ctf", "CTF"


class FeedStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")


class Feed(models.Model):
    """One feed received for one school, and its report (counts, errors and warnings)."""

    establishment = models.ForeignKey(
        "directory.Establishment", on_delete=models.CASCADE, related_name="feeds"
    )
    kind = models.CharField(max_length=12, choices=FeedKind.choices)
    format = models.CharField(max_length=4, choices=FeedFormat.choices)
    full = models.BooleanField(default=False)  # a roll feed holding the whole roll
    received_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    sent_by_username = models.CharField(max_length=150, blank=True)
    status = models.CharField(max_length=10, choices=FeedStatus.choices)
    received = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    quarantined = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    # Each {"message", "code", "upn", "index"}; the first MAX_FINDINGS of each kept.
    errors = models.JSONField(default=list)
    warnings = models.JSONField(default=list)
    # The raw body, encrypted in the file store, until S2S_FEED_RETAIN_DAYS have passed.
    raw = models.ForeignKey(
        "transfers.StoredFile", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("feed")
        indexes = [
            models.Index(fields=["establishment", "kind", "-received_at"],
                         name="feed_school_kind_idx"),
            models.Index(fields=["received_at"], name="feed_received_idx"),
        ]

    def __str__(self):
        return f"{self.kind} feed {self.pk} for {self.establishment_id}"


class Registration(models.TextChoices):
    SINGLE = "single", _("Single")
    MAIN = "main", _("Main (dual registration)")
    SUBSIDIARY = "subsidiary", _("Subsidiary (dual registration)")


class Pupil(models.Model):
    """A pupil on (or once on) a school's roll, as its latest roll feed gave it."""

    establishment = models.ForeignKey(
        "directory.Establishment", on_delete=models.CASCADE, related_name="+"
    )
    upn = models.CharField(max_length=13)
    former_upn = models.CharField(max_length=13, blank=True)
    surname = models.CharField(max_length=100, blank=True)
    forename = models.CharField(max_length=100, blank=True)
    middle_names = models.CharField(max_length=100, blank=True)
    preferred_surname = models.CharField(max_length=100, blank=True)
    former_surname = models.CharField(max_length=100, blank=True)
    dob = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    town = models.CharField(max_length=100, blank=True)
    nc_year = models.CharField(max_length=3, blank=True)
    entry_date = models.DateField(null=True, blank=True)
    leaving_date = models.DateField(null=True, blank=True)
    leaving_reason = models.CharField(max_length=10, blank=True)
    destination = models.CharField(max_length=7, blank=True)
    # The pupil's LA of residence (3 digits), when the MIS sends it: the home LA, which must
    # provide education from the 6th day of a permanent exclusion (issue 14).
    home_la = models.CharField(max_length=3, blank=True)
    registration = models.CharField(max_length=10, choices=Registration.choices,
                                    default=Registration.SINGLE)
    on_roll = models.BooleanField(default=True)
    # A full roll without the pupil: it has left (no deletion is recorded, seed 001).
    missing_since = models.DateTimeField(null=True, blank=True)
    feed = models.ForeignKey(Feed, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("pupil on roll")
        constraints = [
            models.UniqueConstraint(fields=["establishment", "upn"], name="pupil_unique_upn"),
        ]

    def __str__(self):
        return f"pupil {self.upn} at {self.establishment_id}"


class Session(models.IntegerChoices):
    AM = 0, "AM"
    PM = 1, "PM"


class Mark(models.Model):
    """A pupil's attendance code for one session, as the latest feed gave it.

    Its keys carry no database constraints (`db_constraint=False`): checking three keys of
    each of a term's 180,000 marks at commit cost more than writing them. The ids are those
    the feed's own transaction read, under the school's lock; deletes go through the ORM
    (which cascades) and retention, which removes marks before the rows they point at.
    """

    establishment = models.ForeignKey(
        "directory.Establishment", on_delete=models.CASCADE, related_name="+",
        db_constraint=False,
    )
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="marks",
                              db_constraint=False)
    date = models.DateField()
    session = models.PositiveSmallIntegerField(choices=Session.choices)
    code = models.CharField(max_length=2)
    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="+",
                             db_constraint=False)

    class Meta:
        verbose_name = _("attendance mark")
        constraints = [
            models.UniqueConstraint(fields=["pupil", "date", "session"],
                                    name="mark_unique_session"),
        ]
        indexes = [models.Index(fields=["establishment", "date"], name="mark_school_date_idx")]

    def __str__(self):
        return f"{self.code} {self.date} {self.get_session_display()}"


class MarkVersion(models.Model):
    """A mark that a later feed replaced: its code and the feed that had sent it."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    session = models.PositiveSmallIntegerField(choices=Session.choices)
    code = models.CharField(max_length=2)
    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="+")
    replaced_by = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("replaced attendance mark")
        indexes = [models.Index(fields=["pupil", "date", "session"], name="markversion_key_idx")]

    def __str__(self):
        return f"{self.code} {self.date} {self.get_session_display()} (replaced)"


class QuarantinedMark(models.Model):
    """A mark with a code unknown, or not valid on its day: kept and shown, counted as no mark.

    It stays until a later feed sends a valid mark for the same session (`resolved_by`).
    """

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="quarantine")
    establishment = models.ForeignKey(
        "directory.Establishment", on_delete=models.CASCADE, related_name="+"
    )
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    session = models.PositiveSmallIntegerField(choices=Session.choices)
    code = models.CharField(max_length=8)
    problem = models.CharField(max_length=20)
    resolved_by = models.ForeignKey(Feed, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")

    class Meta:
        verbose_name = _("quarantined attendance mark")
        indexes = [models.Index(fields=["establishment", "date"], name="quarantine_school_idx")]

    def __str__(self):
        return f"{self.code} {self.date} {self.get_session_display()} ({self.problem})"


class ExclusionCategory(models.TextChoices):
    PERMANENT = "permanent", _("Permanent exclusion")
    SUSPENSION = "suspension", _("Suspension")
    LUNCHTIME = "lunchtime", _("Lunchtime suspension")


class Exclusion(models.Model):
    """A suspension or exclusion of a pupil, as the latest exclusions feed gave it."""

    establishment = models.ForeignKey(
        "directory.Establishment", on_delete=models.CASCADE, related_name="+"
    )
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="exclusions")
    category = models.CharField(max_length=12, choices=ExclusionCategory.choices)
    start_date = models.DateField()
    sessions = models.PositiveIntegerField(default=0)
    reasons = models.JSONField(default=list)
    rescinded = models.BooleanField(default=False)
    feed = models.ForeignKey(Feed, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("exclusion")
        constraints = [
            models.UniqueConstraint(fields=["pupil", "category", "start_date"],
                                    name="exclusion_unique"),
        ]

    def __str__(self):
        return f"{self.category} from {self.start_date}"
