"""The Lost Pupil Database: one record per file sent to XXXXXXX or MMMMMMM, and its name keys."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LostPupilKind(models.TextChoices):
    """Where the school said the pupil went (seed 003, 1.3)."""

    MISSING = "XXXXXXX", _("Destination unknown (XXXXXXX)")
    LEFT_SECTOR = "MMMMMMM", _("Left the maintained sector (MMMMMMM)")


class RecordStatus(models.TextChoices):
    OPEN = "open", _("Waiting to be downloaded")
    DOWNLOADED = "downloaded", _("Downloaded")
    REMOVED = "removed", _("Removed")
    PURGED = "purged", _("Purged")


# Records whose file the hub still holds and LAs can find.
HELD = (RecordStatus.OPEN, RecordStatus.DOWNLOADED)


class NameKind(models.TextChoices):
    LEGAL = "legal", _("surname")
    PREFERRED = "preferred", _("preferred surname")
    FORMER = "former", _("former surname")
    PART = "part", _("part of the surname")
    # A Welsh patronymic with ap or ab fused, as English spells it: "ap Rhys" as PRHYS (Price).
    FUSED = "fused", _("surname with ap or ab joined")


class LostPupilRecord(models.Model):
    """A pupil in the Lost Pupil Database: the file's one pupil, indexed for searching.

    The pupil's details are copied from the CTF's index (TransferPupil) with their search keys
    (normalised and sound-alike), so a search reads one table and its name keys. Removal and
    purge blank the pupil's details and delete the file; the row stays as the fact, for the
    reports.
    """

    transfer = models.OneToOneField(
        "transfers.Transfer", on_delete=models.PROTECT, related_name="lost_pupil"
    )
    kind = models.CharField(_("kind"), max_length=7, choices=LostPupilKind.choices)
    uploading_la = models.ForeignKey(
        "directory.LocalAuthority", on_delete=models.PROTECT, related_name="lost_pupils_sent",
        verbose_name=_("uploading LA"),
    )
    uploading_school = models.ForeignKey(
        "directory.Establishment", on_delete=models.PROTECT, null=True, blank=True,
        related_name="lost_pupils_sent", verbose_name=_("uploading school"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    # The pupil, as the file gave it.
    upn = models.CharField(_("UPN"), max_length=13, blank=True)
    former_upn = models.CharField(_("former UPN"), max_length=13, blank=True)
    surname = models.CharField(_("surname"), max_length=100, blank=True)
    forename = models.CharField(_("forename"), max_length=100, blank=True)
    middle_names = models.CharField(_("middle names"), max_length=100, blank=True)
    preferred_surname = models.CharField(_("preferred surname"), max_length=100, blank=True)
    former_surname = models.CharField(_("former surname"), max_length=100, blank=True)
    dob = models.DateField(_("date of birth"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, blank=True)
    town = models.CharField(_("town"), max_length=100, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)

    # Search keys (phonetics.py). The surname variants and their keys are LostPupilName rows
    # (for a search by surname alone) and, copied here, `name_keys` ("kind:NAME:KEY" each,
    # space-separated; keys.variants_text), so a UPN or DOB search reads its candidates in
    # one query. Intake writes both from the same list; removal and purge blank both.
    name_keys = models.TextField(blank=True)
    surname_norm = models.CharField(max_length=100, blank=True)
    forename_norm = models.CharField(max_length=100, blank=True)
    forename_key = models.CharField(max_length=100, blank=True)
    dob_swapped = models.DateField(null=True, blank=True,
                                   help_text=_("The DOB with day and month swapped, if valid."))
    town_norm = models.CharField(max_length=100, blank=True)
    postcode_norm = models.CharField(max_length=10, blank=True)

    status = models.CharField(_("status"), max_length=12, choices=RecordStatus.choices,
                              default=RecordStatus.OPEN)
    same_pupil_as = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="later_files",
        help_text=_("The first record of this pupil, when this file is a second one."),
    )
    downloaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    downloaded_at = models.DateTimeField(null=True, blank=True)
    downloaded_la = models.ForeignKey(
        "directory.LocalAuthority", on_delete=models.PROTECT, null=True, blank=True,
        related_name="lost_pupils_found",
    )
    forwarded_to = models.CharField(max_length=7, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    removed_at = models.DateTimeField(null=True, blank=True)
    remove_reason = models.TextField(blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("lost pupil record")
        indexes = [
            models.Index(fields=["upn"], name="lpd_upn"),
            models.Index(fields=["former_upn"], name="lpd_former_upn"),
            # Covering on PostgreSQL (`include` is for it alone): a DOB search reads its
            # candidates' rows (search._LIGHT) from the index, a few leaf pages, instead of a
            # few hundred table pages scattered over the table.
            models.Index(fields=["dob", "status"], name="lpd_dob_rows", include=[
                "id", "upn", "former_upn", "surname", "forename", "sex", "town", "uploading_la",
                "uploading_school", "uploaded_at", "surname_norm", "forename_norm",
                "forename_key", "name_keys", "town_norm", "postcode_norm"]),
            models.Index(fields=["forename_key"], name="lpd_forename_key"),
            models.Index(fields=["postcode_norm"], name="lpd_postcode"),
            models.Index(fields=["town_norm"], name="lpd_town"),
            models.Index(fields=["uploading_la", "uploaded_at"], name="lpd_la_uploaded"),
            models.Index(fields=["downloaded_la", "downloaded_at"], name="lpd_la_downloaded"),
        ]

    def __str__(self):
        return f"lost pupil record {self.pk}"


class LostPupilName(models.Model):
    """One surname variant of a record: legal, preferred, former, part of a double name, or fused.

    `name` is normalised (capitals, letters only) for exact and "begins" searches; `key` is its
    sound-alike key. Each is indexed, so a surname search reads an index, not the table.
    """

    record = models.ForeignKey(LostPupilRecord, on_delete=models.CASCADE, related_name="names",
                               db_index=False)
    kind = models.CharField(max_length=10, choices=NameKind.choices)
    name = models.CharField(max_length=100)
    key = models.CharField(max_length=100)

    class Meta:
        verbose_name = _("lost pupil name")
        indexes = [
            # Covering: a sound-alike surname is counted and paged from the index alone.
            models.Index(fields=["key", "name", "record"], name="lpdname_key"),
            models.Index(fields=["name", "record"], name="lpdname_name"),
            # Covering: a record's variants are read from the index alone.
            models.Index(fields=["record", "kind", "name", "key"], name="lpdname_record"),
        ]

    def __str__(self):
        return f"{self.kind} {self.name}"
