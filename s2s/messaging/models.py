"""Messages, each recipient's copy, the sender's saved groups and message templates."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from s2s.accounts.roles import Role
from s2s.messaging.words import label_words

SUBJECT_MAX = 150
BODY_MAX = 10_000
NAME_MAX = 100


class Message(models.Model):
    """One message as sent: plain text, no attachments (files travel through transfers).

    Its recipients' copies are `Recipient` rows; the message goes when the last copy does.
    """

    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
        related_name="messages_sent", verbose_name=_("sender"),
    )
    # How the sender is shown to recipients, kept as it was when sent (the account may go).
    sender_label = models.CharField(_("from"), max_length=300)
    subject = models.CharField(_("subject"), max_length=SUBJECT_MAX)
    body = models.TextField(_("message"), max_length=BODY_MAX)
    created_at = models.DateTimeField(_("sent"), db_index=True)
    # The sender confirmed a message to more than S2S_BLANKET_MESSAGE_LAS LAs (seed 003, 4.2).
    blanket_confirmed = models.BooleanField(_("blanket message confirmed"), default=False)
    la_count = models.PositiveIntegerField(_("LAs addressed"), default=0)
    reply_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replies",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.subject

    @property
    def sender_words(self) -> str:
        """Return the sender's label with the role in the reader's language."""
        return label_words(self.sender_label)


class Recipient(models.Model):
    """One recipient user's copy of a message: read and deleted separately from the others."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="recipients")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages_received",
    )
    # What the sender addressed that reached this user ("838 LA user", "8384512"), for sent items.
    addressed_as = models.CharField(max_length=200, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)

    class Meta:
        ordering = ["-message__created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["message", "user"], name="one_copy_per_recipient"),
        ]
        indexes = [
            models.Index(fields=["user", "deleted_at", "read_at"], name="recipient_inbox"),
        ]

    def __str__(self):
        return f"{self.message_id} → {self.user_id}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    @property
    def addressed_words(self) -> str:
        """Return where the copy was addressed, the role in the reader's language."""
        return label_words(self.addressed_as)


class MessageGroup(models.Model):
    """A sender's own saved list of recipients: LA + role pairs and schools (seed 003, 6.4)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="message_groups",
    )
    name = models.CharField(_("name"), max_length=NAME_MAX)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="group_name_unique_per_owner"),
        ]

    def __str__(self):
        return self.name


class MessageGroupMember(models.Model):
    """One member of a group: the users of one role at an LA, or a school's users."""

    group = models.ForeignKey(MessageGroup, on_delete=models.CASCADE, related_name="members")
    la = models.ForeignKey(
        "directory.LocalAuthority", on_delete=models.CASCADE, null=True, blank=True,
        related_name="+",
    )
    role = models.CharField(max_length=32, choices=Role.choices, blank=True)
    establishment = models.ForeignKey(
        "directory.Establishment", on_delete=models.CASCADE, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(la__isnull=False, establishment__isnull=True) & ~Q(role=""))
                | Q(la__isnull=True, establishment__isnull=False, role=""),
                name="group_member_is_la_role_or_school",
            ),
        ]

    def __str__(self):
        if self.establishment_id:
            return self.establishment.code
        return f"{self.la.number} {self.get_role_display()}"


class MessageTemplate(models.Model):
    """A sender's own reusable subject and text (seed 003, 6.7): private to its owner."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="message_templates",
    )
    name = models.CharField(_("name"), max_length=NAME_MAX)
    subject = models.CharField(_("subject"), max_length=SUBJECT_MAX)
    body = models.TextField(_("text"), max_length=BODY_MAX)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"],
                                    name="template_name_unique_per_owner"),
        ]

    def __str__(self):
        return self.name
