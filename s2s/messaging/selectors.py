"""Reads of messages, already narrowed by the policy to what the user may see."""

from django.db.models import Count, Min, Q, QuerySet

from s2s.accounts.policy import Action, get_for, scope
from s2s.accounts.roles import Role
from s2s.messaging.models import Message, MessageGroup, MessageTemplate, Recipient

# The inbox's columns, each sortable (seed 003, 6.1): name in the query string → field.
INBOX_SORTS = {
    "from": "message__sender_label",
    "subject": "message__subject",
    "received": "message__created_at",
    "status": "read_at",
}
SENT_SORTS = {"subject": "subject", "sent": "created_at", "unread": "unread", "total": "total"}


def sort_key(requested: str | None, columns: dict[str, str], default: str) -> tuple[str, str]:
    """Return the asked-for sort ("subject" or "-subject") if it is a column, else the default."""
    requested = requested or default
    name = requested.removeprefix("-")
    return (requested, columns[name]) if name in columns else (default, "")


def _ordered(queryset: QuerySet, requested: str | None, columns: dict[str, str],
             default: str) -> tuple[QuerySet, str]:
    key, field = sort_key(requested, columns, default)
    field = field or columns[default.removeprefix("-")]
    descending = key.startswith("-")
    ordering = [f"-{field}" if descending else field, "-pk" if descending else "pk"]
    return queryset.order_by(*ordering), key


def inbox(*, user) -> QuerySet[Recipient]:
    """Return the user's copies of messages sent to it, not deleted, newest first."""
    copies = Recipient.objects.select_related("message").order_by("-message__created_at", "-pk")
    return scope(user, copies, Action.MESSAGES)


def inbox_sorted(*, user, sort: str | None,
                 unread_only: bool = False) -> tuple[QuerySet[Recipient], str]:
    """Return the inbox (only its unread copies if asked) in the asked-for column order."""
    copies = inbox(user=user)
    if unread_only:
        copies = copies.filter(read_at__isnull=True)
    return _ordered(copies, sort, INBOX_SORTS, "-received")


def unread_count(*, user) -> int:
    """Return how many messages the user has not read yet."""
    return inbox(user=user).filter(read_at__isnull=True).count()


def copy_get(*, user, message_id: int) -> Recipient:
    """Return the user's own copy of this message, or 404."""
    return get_for(user, Recipient.objects.select_related("message"), Action.MESSAGES,
                   message_id=message_id)


def sent(*, user) -> QuerySet[Message]:
    """Return the messages the user sent, with how many copies there are and are unread."""
    messages = Message.objects.annotate(
        total=Count("recipients"),
        unread=Count("recipients", filter=Q(recipients__read_at__isnull=True)),
    )
    return scope(user, messages, Action.MESSAGES)


def sent_sorted(*, user, sort: str | None) -> tuple[QuerySet[Message], str]:
    return _ordered(sent(user=user), sort, SENT_SORTS, "-sent")


def sent_get(*, user, message_id: int) -> Message:
    """Return a message the user sent, or 404."""
    return get_for(user, Message.objects.all(), Action.MESSAGES, pk=message_id)


def sent_recipients(*, message: Message) -> QuerySet[Recipient]:
    """Return a sent message's copies, the unread first, for its sender's sent items."""
    return message.recipients.select_related("user").order_by(
        "read_at", "addressed_as", "user__username")


def templates(*, user) -> QuerySet[MessageTemplate]:
    return scope(user, MessageTemplate.objects.all(), Action.MESSAGES)


def template_get(*, user, pk: int) -> MessageTemplate:
    return get_for(user, MessageTemplate.objects.all(), Action.MESSAGES, pk=pk)


def groups(*, user) -> QuerySet[MessageGroup]:
    return scope(user, MessageGroup.objects.prefetch_related(
        "members__la", "members__establishment"), Action.MESSAGES)


def group_get(*, user, pk: int) -> MessageGroup:
    return get_for(user, MessageGroup.objects.all(), Action.MESSAGES, pk=pk)


def unread_by_school(*, la) -> list[dict]:
    """Return the LA's schools that have unread messages: how many, and since when (7.7).

    A message counts once per school however many of its users have a copy; no subject,
    content or sender is read.
    """
    rows = (
        Recipient.objects.filter(read_at__isnull=True, deleted_at__isnull=True,
                                 user__role=Role.SCHOOL, user__establishment__la=la)
        .values("user__establishment__code", "user__establishment__name")
        .annotate(unread=Count("message", distinct=True), oldest=Min("message__created_at"))
        .order_by("user__establishment__code")
    )
    return [{"code": r["user__establishment__code"], "name": r["user__establishment__name"],
             "unread": r["unread"], "oldest": r["oldest"]} for r in rows]
