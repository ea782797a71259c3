"""`s2s purge_messages`: the nightly message retention job (issue 6, "Retention").

Deletes each recipient's copy S2S_MESSAGE_UNREAD_DAYS (31) after it arrived if still unread,
or S2S_MESSAGE_READ_DAYS (14) after it was read, and each message once no copy is left.
Scheduled daily (`s2s/schedule.py`); safe to run at any time.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from s2s.messaging.retention import BATCH, copies_due, messages_left_empty, messages_purge_batch


class Command(BaseCommand):
    help = (
        "Delete messages past their retention period: unread copies S2S_MESSAGE_UNREAD_DAYS "
        "after arriving, read ones S2S_MESSAGE_READ_DAYS after being read. Prints what it did "
        "(or, with --dry-run, would do)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="delete nothing")
        parser.add_argument("--limit", type=int, default=None, metavar="N",
                            help="delete at most N message copies this run")

    def handle(self, *args, dry_run=False, limit=None, **options):
        now = timezone.now()
        if dry_run:
            return self._dry_run(now, limit)
        copies = messages = 0
        while limit is None or copies < limit:
            room = BATCH if limit is None else min(BATCH, limit - copies)
            batch = messages_purge_batch(now=now, limit=room)
            copies, messages = copies + batch.copies, messages + batch.messages
            if not batch.copies and not batch.messages:
                break
        self.stdout.write(f"Deleted {copies} message copy(ies) and {messages} message(s).")

    def _dry_run(self, now, limit):
        due = copies_due(now=now)
        count = due.count() if limit is None else min(due.count(), limit)
        for copy in due.select_related("message")[:count]:
            state = "read" if copy.read_at else "unread"
            self.stdout.write(f"Would delete copy {copy.pk} of message {copy.message_id} "
                              f"({state}, sent {copy.message.created_at:%Y-%m-%d %H:%M})")
        empty = messages_left_empty().count()
        self.stdout.write(f"Would delete {count} message copy(ies); {empty} message(s) have "
                          "no copy left now.")
