"""`s2s purge_encompass`: delete Operation Encompass details 30 days after sending.

Scheduled daily (`s2s/schedule.py`); safe to run at any time. The rows stay (times, police
reference, read receipt); only the encrypted details go.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s.agencies.encompass import RETAIN_DAYS, encompass_purge_due, encompass_purge_next
from s2s.core.commands import LanguageCommand, worded


class Command(LanguageCommand):
    help = worded(gettext_lazy("Delete the details of Operation Encompass notifications sent "
                               "more than %(days)s days ago. Prints what it did (or, with "
                               "--dry-run, would do)."), days=RETAIN_DAYS)

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help=gettext_lazy("delete nothing"))
        parser.add_argument("--limit", type=int, default=None, metavar="N",
                            help=gettext_lazy("delete at most N notifications' details this run"))

    def handle(self, *args, dry_run=False, limit=None, **options):
        if dry_run:
            due = encompass_purge_due()
            count = due.count() if limit is None else min(due.count(), limit)
            self.stdout.write(_("Would delete the details of %(count)d notification(s).")
                              % {"count": count})
            return
        done = 0
        while (limit is None or done < limit) and encompass_purge_next():
            done += 1
        self.stdout.write(_("Deleted the details of %(count)d notification(s).")
                          % {"count": done})
