"""Retention: unread messages go a while after they arrived, read ones after being read.

Issue 6; seed 003, 6.1: an unread copy goes S2S_MESSAGE_UNREAD_DAYS (31) after it arrived, a
read one S2S_MESSAGE_READ_DAYS (14) after it was read.

Each recipient's copy has its own clock: a copy is due at the exact moment its period ends
(arrival + 31 days, to the second; reading + 14 days). A message goes with its last copy,
so a sender's sent items keep it while any recipient still has it. Deleting is by id and the
condition again, so two runs at once never delete anything that is not due.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_noop

from s2s.audit.services import audit_record
from s2s.ctf.words import Text
from s2s.messaging.models import Message, Recipient

BATCH = 500
SYSTEM = "system"


@dataclass
class Purged:
    copies: int = 0
    messages: int = 0


def _due_condition(*, now: datetime) -> Q:
    unread_until = now - timedelta(days=settings.S2S_MESSAGE_UNREAD_DAYS)
    read_until = now - timedelta(days=settings.S2S_MESSAGE_READ_DAYS)
    return (Q(read_at__isnull=True, message__created_at__lte=unread_until)
            | Q(read_at__isnull=False, read_at__lte=read_until))


def copies_due(*, now: datetime) -> QuerySet[Recipient]:
    """Return the recipients' copies whose retention period has ended, oldest message first."""
    return Recipient.objects.filter(_due_condition(now=now)).order_by("message__created_at", "pk")


def messages_left_empty() -> QuerySet[Message]:
    """Return the messages none of whose copies is left."""
    return Message.objects.filter(recipients__isnull=True)


def messages_purge_batch(*, now: datetime, limit: int = BATCH) -> Purged:
    """Delete up to `limit` due copies, then the messages left without any; return the counts."""
    ids = list(copies_due(now=now).values_list("pk", flat=True)[:limit])
    purged = Purged()
    with transaction.atomic():
        if ids:
            purged.copies, _ = Recipient.objects.filter(
                _due_condition(now=now), pk__in=ids).delete()
        empty = list(messages_left_empty().values_list("pk", flat=True)[:BATCH])
        if empty:
            gone = Message.objects.filter(pk__in=empty, recipients__isnull=True).delete()[1]
            purged.messages = gone.get(Message._meta.label, 0)
        if purged.copies or purged.messages:
            audit_record(action="messages_purged", actor_username=SYSTEM,
                         summary=Text(gettext_noop("Deleted %(copies)s message copies and "
                                                   "%(messages)s messages past retention"),
                                      copies=purged.copies, messages=purged.messages),
                         detail={"copies": purged.copies, "messages": purged.messages})
    return purged
