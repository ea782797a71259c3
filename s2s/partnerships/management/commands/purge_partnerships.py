"""`s2s purge_partnerships`: shared records past their agreement's retention days, daily."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s.core.commands import LanguageCommand
from s2s.partnerships.jobs import records_purge


class Command(LanguageCommand):
    help = gettext_lazy("Delete shared partnership records older than their agreement's retention "
                        "days. Prints what it did (or, with --dry-run, would do).")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help=gettext_lazy("delete nothing"))
        parser.add_argument("--limit", type=int, default=None, metavar="N",
                            help=gettext_lazy("delete at most N records this run"))

    def handle(self, *args, dry_run=False, limit=None, **options):
        done = records_purge(now=timezone.now(), dry_run=dry_run, limit=limit)
        line = (_("Would delete %(records)d shared records of %(partnerships)d partnerships.")
                if dry_run else
                _("Deleted %(records)d shared records of %(partnerships)d partnerships."))
        self.stdout.write(line % {"records": done.records, "partnerships": done.partnerships})
