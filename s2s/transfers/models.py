"""Transfers and the encrypted store's record of each stored object."""

from typing import NamedTuple

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from s2s.transfers.deleted import delete_reason_words


class StoredFile(models.Model):
    """One encrypted object in the transfers storage; the content lives only there.

    The path is random (it carries no name, pupil data or date); the data key is kept only
    wrapped by the master key `key_id`. Size and SHA-256 are of the plaintext, so a download
    can be checked against what was uploaded.
    """

    path = models.CharField(max_length=200)
    wrapped_key = models.BinaryField(max_length=64)
    key_id = models.CharField(max_length=16)
    nonce_prefix = models.BinaryField(max_length=16)
    size = models.PositiveBigIntegerField()
    # Checked on every read; nothing looks a stored file up by it, so it has no index.
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("stored file")
        # Written on every upload. As constraint and index rather than unique and db_index,
        # which on PostgreSQL add a LIKE index to each that nothing uses (issue 18).
        constraints = [models.UniqueConstraint(fields=["path"], name="storedfile_path_unique")]
        indexes = [models.Index(fields=["key_id"], name="storedfile_key_id")]

    def __str__(self):
        return f"stored file {self.pk} ({self.size} bytes)"


class TransferStatus(models.TextChoices):
    AWAITING = "awaiting", _("Waiting to be downloaded")
    COLLECTED = "collected", _("Collected")
    REJECTED = "rejected", _("Rejected")
    DELETED = "deleted", _("Deleted")


class ShownStatus(NamedTuple):
    """A file's state as a person reads it: a stable key, its words and its tag's colour."""

    key: str
    words: str
    colour: str


# The one place a file's state becomes words (issue 19): the statuses' own labels, and
# "Downloaded" for a file still waiting for its destination's confirmation after a download.
SHOWN_STATUSES = {
    TransferStatus.AWAITING: ShownStatus("awaiting", TransferStatus.AWAITING.label, "blue"),
    "downloaded": ShownStatus("downloaded", _("Downloaded"), "yellow"),
    TransferStatus.COLLECTED: ShownStatus("collected", TransferStatus.COLLECTED.label, "green"),
    TransferStatus.REJECTED: ShownStatus("rejected", TransferStatus.REJECTED.label, "red"),
    TransferStatus.DELETED: ShownStatus("deleted", TransferStatus.DELETED.label, "grey"),
    "lost_pupil": ShownStatus("lost_pupil", _("Sent to the Lost Pupil Database"), "purple"),
}


class DestinationKind(models.TextChoices):
    """Where a file goes; the values are `s2s.ctf.names.PlaceKind`'s."""

    SCHOOL = "school", _("Establishment")
    LA_MAILBOX = "la_mailbox", _("LA mailbox")
    LOST_DESTINATION_UNKNOWN = "lost_destination_unknown", _("Lost pupils: destination unknown")
    LOST_LEFT_MAINTAINED_SECTOR = (
        "lost_left_maintained_sector", _("Lost pupils: left the maintained sector")
    )
    AGENCY = "agency", _("Agency")


LOST_PUPIL_KINDS = (
    DestinationKind.LOST_DESTINATION_UNKNOWN, DestinationKind.LOST_LEFT_MAINTAINED_SECTOR
)


class Mailbox(models.TextChoices):
    """An LA's mailboxes: the LA itself, its census officers, its admissions officers."""

    LLLL = "LLLL", _("Local authority")
    PLAS = "PLAS", _("School census")
    ADMS = "ADMS", _("Admissions")


GENERIC_ZIP_TYPE = "ZIP"


class TransferQuerySet(models.QuerySet):
    def ctfs(self):
        """Return the CTFs and other statutory XML files, not the generic zips."""
        return self.exclude(file_type=GENERIC_ZIP_TYPE)

    def generic(self):
        """Return the generic zips."""
        return self.filter(file_type=GENERIC_ZIP_TYPE)

    def identical_held(self, *, sha256: str, kind: str, establishment, la, mailbox: str,
                       agency):
        """Return the files with this content still held for one destination, newest first.

        The place arguments are ids, or outer references in a subquery; None is `IS NULL`.
        A deleted file, or one whose content is gone, is not held.
        """
        return (self.filter(destination_kind=kind, destination_establishment=establishment,
                            destination_la=la, destination_mailbox=mailbox,
                            destination_agency=agency, sha256=sha256, stored_file__isnull=False)
                .exclude(status=TransferStatus.DELETED).order_by("-uploaded_at"))


class Transfer(models.Model):
    """One uploaded file on its way from a sender to a destination (seed 003, 4.2 and 5).

    `destination_code` is the destination the file name gave; the FKs say where the hub
    delivered it: an establishment (a closed school's successor when `redirected_from` is
    set), an LA mailbox, an agency (generic zips only, issue 16), or, with none of them, the
    Lost Pupil Database (`destination_kind`). An agency's own files have `source_agency`.
    The content lives encrypted in `stored_file`, which goes when the file is deleted.
    """

    name = models.CharField(_("file name"), max_length=120)
    file_type = models.CharField(_("file type"), max_length=8)

    source_code = models.CharField(_("from"), max_length=7)
    source_establishment = models.ForeignKey(
        "directory.Establishment", on_delete=models.PROTECT, null=True, blank=True,
        related_name="transfers_sent", db_index=False,
    )
    source_la = models.ForeignKey(
        "directory.LocalAuthority", on_delete=models.PROTECT, null=True, blank=True,
        related_name="transfers_sent", db_index=False,
    )
    source_mailbox = models.CharField(max_length=4, choices=Mailbox.choices, blank=True)
    source_agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, null=True, blank=True,
        related_name="transfers_sent", db_index=False,
    )

    destination_code = models.CharField(_("to"), max_length=7)
    destination_kind = models.CharField(max_length=32, choices=DestinationKind.choices)
    destination_establishment = models.ForeignKey(
        "directory.Establishment", on_delete=models.PROTECT, null=True, blank=True,
        related_name="transfers_received", db_index=False,
    )
    destination_la = models.ForeignKey(
        "directory.LocalAuthority", on_delete=models.PROTECT, null=True, blank=True,
        related_name="transfers_received", db_index=False,
    )
    destination_mailbox = models.CharField(max_length=4, choices=Mailbox.choices, blank=True)
    destination_agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, null=True, blank=True,
        related_name="transfers_received", db_index=False,
    )
    redirected_from = models.ForeignKey(
        "directory.Establishment", on_delete=models.PROTECT, null=True, blank=True,
        related_name="transfers_redirected", db_index=False,
        help_text=_("The closed school the file was addressed to, when its successor got it."),
    )

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now, db_index=True)
    status = models.CharField(
        max_length=12, choices=TransferStatus.choices, default=TransferStatus.AWAITING
    )
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", db_index=False,
    )
    collected_at = models.DateTimeField(null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", db_index=False,
    )
    rejected_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.TextField(blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", db_index=False,
    )
    deleted_at = models.DateTimeField(null=True, blank=True)
    delete_reason = models.TextField(blank=True)

    download_count = models.PositiveIntegerField(default=0)
    first_downloaded_at = models.DateTimeField(null=True, blank=True)
    last_downloaded_at = models.DateTimeField(null=True, blank=True)

    stored_file = models.OneToOneField(
        StoredFile, on_delete=models.PROTECT, null=True, blank=True, related_name="transfer"
    )
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    pupil_count = models.PositiveIntegerField(default=0)
    ctf_version = models.CharField(max_length=8, blank=True)
    document_qualifier = models.CharField(max_length=16, blank=True)
    data_qualifier = models.CharField(max_length=32, blank=True)
    # The validation warnings, each {"message", "code", "pupil", "field", "line"}.
    warnings = models.JSONField(default=list, blank=True)
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates",
        db_index=False,
        help_text=_("An identical file uploaded earlier to the same destination."),
    )
    # When the upload's emails were written to the outbox. Empty until the worker has done
    # it (`notify_transfers`): the upload itself only queues a task, in its own transaction,
    # so the request does not pay for rendering them and none is lost if the task is.
    notified_at = models.DateTimeField(null=True, blank=True)

    objects = TransferQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("transfer")
        # Every index is written on every upload, so each one here earns its place. The four
        # place FKs have none of their own: the inbox and outbox indexes lead with them. The
        # code columns are indexed here rather than with db_index, which on PostgreSQL adds a
        # second (LIKE) index to each that no query uses.
        indexes = [
            models.Index(fields=["file_type"], name="transfer_file_type"),
            models.Index(fields=["source_code"], name="transfer_source_code"),
            models.Index(fields=["destination_code"], name="transfer_destination_code"),
            # The duplicate check on upload.
            models.Index(fields=["sha256"], name="transfer_sha256"),
            models.Index(
                fields=["destination_establishment", "status", "file_type", "uploaded_at"],
                name="transfer_inbox_school",
            ),
            models.Index(
                fields=["destination_la", "destination_mailbox", "status", "file_type",
                        "uploaded_at"],
                name="transfer_inbox_la",
            ),
            models.Index(fields=["source_establishment", "uploaded_at"],
                         name="transfer_outbox_school"),
            models.Index(fields=["source_la", "source_mailbox", "uploaded_at"],
                         name="transfer_outbox_la"),
            models.Index(fields=["status", "uploaded_at"], name="transfer_status"),
            # The file movement report: everything but CTFs, in order of upload.
            models.Index(fields=["uploaded_at", "id"], condition=~models.Q(file_type="CTF"),
                         name="transfer_not_ctf"),
            # The busiest-hours report: first downloads since its counts were refreshed.
            models.Index(fields=["first_downloaded_at"], name="transfer_first_download",
                         condition=models.Q(first_downloaded_at__isnull=False)),
            # The notification sweep: only uploads whose emails are not yet written.
            models.Index(fields=["uploaded_at"], condition=models.Q(notified_at__isnull=True),
                         name="transfer_not_notified"),
            # The rest of the foreign keys (a user's or an agency's files, and what deleting
            # one checks) hold only the files that have them: a new upload has none of them,
            # and a row whose column is NULL is not written to a partial index (issue 18).
            *(models.Index(fields=[name], condition=models.Q(**{f"{name}__isnull": False}),
                           name=f"transfer_{name}")
              for name in ("source_agency", "destination_agency", "redirected_from",
                           "collected_by", "rejected_by", "deleted_by", "duplicate_of")),
        ]

    def __str__(self):
        return self.name

    @property
    def is_generic(self) -> bool:
        return self.file_type == GENERIC_ZIP_TYPE

    @property
    def is_lost_pupil(self) -> bool:
        return self.destination_kind in LOST_PUPIL_KINDS

    @property
    def awaits_confirmation(self) -> bool:
        """Return whether the destination has downloaded the file but not yet confirmed it."""
        return self.status == TransferStatus.AWAITING and self.download_count > 0

    @property
    def delete_reason_worded(self) -> str:
        """Return why the file was deleted, the service's own reasons in the reader's language."""
        return delete_reason_words(self.delete_reason)

    @property
    def shown_status(self) -> ShownStatus:
        """Return the file's state in the words every page uses (`SHOWN_STATUSES`)."""
        if self.status == TransferStatus.AWAITING and self.is_lost_pupil:
            return SHOWN_STATUSES["lost_pupil"]
        if self.awaits_confirmation:
            return SHOWN_STATUSES["downloaded"]
        return SHOWN_STATUSES[self.status]

    @property
    def delivered_code(self) -> str:
        """Return the code of where the file went: the successor's, or the named one."""
        if self.destination_establishment_id and self.redirected_from_id:
            return self.destination_establishment.code
        return self.destination_code


class TransferPupil(models.Model):
    """One pupil a transferred CTF holds: the index fields, deleted with the file."""

    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="pupils")
    position = models.PositiveIntegerField()
    upn = models.CharField(max_length=13, blank=True)
    former_upn = models.CharField(max_length=13, blank=True)
    uln = models.CharField(max_length=10, blank=True)
    surname = models.CharField(max_length=100, blank=True)
    forename = models.CharField(max_length=100, blank=True)
    middle_names = models.CharField(max_length=100, blank=True)
    preferred_surname = models.CharField(max_length=100, blank=True)
    preferred_forename = models.CharField(max_length=100, blank=True)
    former_surname = models.CharField(max_length=100, blank=True)
    dob = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    town = models.CharField(max_length=100, blank=True)
    nc_year = models.CharField(max_length=4, blank=True)
    leaving_date = models.DateField(null=True, blank=True)
    leaving_reason = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["transfer", "position"]
        verbose_name = _("pupil in a transfer")
        # Every upload writes a row per pupil to each of these. By UPN (the CME and
        # matching lookups, exact or IN: no LIKE index, which db_index adds on PostgreSQL),
        # and by date of birth (pupils found elsewhere by birth date, surnames compared after).
        indexes = [models.Index(fields=["upn"], name="transferpupil_upn"),
                   models.Index(fields=["dob"], name="transferpupil_dob")]

    def __str__(self):
        return f"pupil {self.position} of transfer {self.transfer_id}"


class NoticeKind(models.TextChoices):
    WEEKLY_REMINDER = "weekly_reminder", _("Weekly reminder of files not yet downloaded")
    RETENTION_WARNING = "retention_warning", _("Warning that a file will be deleted")


class NoticeSent(models.Model):
    """A notice that must go at most once, claimed by inserting this row (it is unique).

    The weekly reminder: `key` is the school or LA ("school:12", "la:3"), `period` the ISO
    week ("2025-W45"). A retention warning: `key` is the transfer ("transfer:77"), `period`
    the mark in days before deletion ("14"). `s2s purge_transfers` prunes old rows.
    """

    kind = models.CharField(max_length=20, choices=NoticeKind.choices)
    key = models.CharField(max_length=40)
    period = models.CharField(max_length=10)
    sent_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("notice sent")
        constraints = [
            models.UniqueConstraint(fields=["kind", "key", "period"], name="notice_sent_once"),
        ]

    def __str__(self):
        return f"{self.kind} {self.key} {self.period}"
