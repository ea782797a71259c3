"""`s2s purge_messages`: the nightly message retention job (issue 6, "Retention").

Deletes each recipient's copy S2S_MESSAGE_UNREAD_DAYS (31) after it arrived if still unread,
or S2S_MESSAGE_READ_DAYS (14) after it was read, and each message once no copy is left.
Scheduled daily (`s2s/schedule.py`); safe to run at any time.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s.core.commands import LanguageCommand
from s2s.messaging.retention import BATCH, copies_due, messages_left_empty, messages_purge_batch


class Command(LanguageCommand):
    help = gettext_lazy(
        "Delete messages past their retention period: unread copies S2S_MESSAGE_UNREAD_DAYS "
        "after arriving, read ones S2S_MESSAGE_READ_DAYS after being read. Prints what it did "
        "(or, with --dry-run, would do)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help=gettext_lazy("delete nothing"))
        parser.add_argument("--limit", type=int, default=None, metavar="N",
                            help=gettext_lazy("delete at most N message copies this run"))

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
        self.stdout.write(_("Deleted %(copies)d message copy(ies) and %(messages)d message(s).")
                          % {"copies": copies, "messages": messages})

    def _dry_run(self, now, limit):
        due = copies_due(now=now)
        count = due.count() if limit is None else min(due.count(), limit)
        for copy in due.select_related("message")[:count]:
            line = (_("Would delete copy %(copy)s of message %(message)s (read, sent %(sent)s)")
                    if copy.read_at else
                    _("Would delete copy %(copy)s of message %(message)s (unread, sent "
                      "%(sent)s)"))
            self.stdout.write(line % {"copy": copy.pk, "message": copy.message_id,
                                      "sent": f"{copy.message.created_at:%Y-%m-%d %H:%M}"})
        empty = messages_left_empty().count()
        self.stdout.write(_("Would delete %(count)d message copy(ies); %(empty)d message(s) "
                            "have no copy left now.") % {"count": count, "empty": empty})
