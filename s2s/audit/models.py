"""The audit trail: an append-only record of who did what, when, and from where."""

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from s2s.audit.chain import chain_append, chain_follow_after_commit
from s2s.audit.events import event_details, event_words


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove an audit record."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit records cannot be changed.")

    def delete(self):
        raise AppendOnlyError("Audit records cannot be deleted.")

    def bulk_create(self, objs, *args, **kwargs):
        """Insert new records unchained, as `save` does; the follower links them in id order."""
        if kwargs.get("update_conflicts"):
            raise AppendOnlyError("Audit records cannot be changed.")
        objs = list(objs)
        for obj in objs:
            if obj.pk is not None:
                raise AppendOnlyError("Audit records cannot be changed.")
            obj.seq, obj.previous_hash, obj.hash = 0, "", ""
        created = super().bulk_create(objs, *args, **kwargs)
        chain_follow_after_commit()
        return created


class AuditEvent(models.Model):
    """One thing that happened. Pupil data never goes in `detail`: only identifiers (UPNs)."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    # Kept as text so the record survives the user's deletion.
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    # The hash chain (audit/chain.py): position, the previous row's hash and this row's,
    # written by the chain's follower; 0 and "" until it has linked the row.
    seq = models.PositiveBigIntegerField(default=0)
    previous_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            # The chain's walk by position, and the follower's rows to link (partial, so an
            # insert adds to neither the first nor, for long, the second).
            models.Index(fields=["seq"], condition=models.Q(seq__gt=0),
                         name="audit_chained_seq_idx"),
            models.Index(fields=["id"], condition=models.Q(seq=0), name="audit_unchained_idx"),
            # By action (the audit search): an index, not db_index, which on PostgreSQL adds a
            # LIKE index that nothing uses, written on every upload (issue 18).
            models.Index(fields=["action"], name="audit_action_idx"),
        ]
        verbose_name = _("audit event")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Audit records cannot be changed.")
        chain_append(self, using=kwargs.get("using") or DEFAULT_DB_ALIAS)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit records cannot be deleted.")

    @property
    def words(self) -> str:
        """Return what happened, in words (`audit/events.py`); the CSV keeps `action`."""
        return event_words(self.action)

    @property
    def details(self) -> str:
        """Return the details in the reader's language when stored as words, else `summary`."""
        return event_details(self.summary, self.detail)


class AuditChainHead(models.Model):
    """The end of the audit hash chain (one row): its length and last hash; the follower's lock."""

    length = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self):
        return f"audit chain of {self.length} rows"
