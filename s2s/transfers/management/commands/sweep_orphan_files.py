"""Delete stored objects that no row refers to: left by crashes or by rolled-back writes."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s.core.commands import LanguageCommand
from s2s.transfers.storage import ORPHAN_MIN_AGE, orphan_delete, orphan_paths


class Command(LanguageCommand):
    help = gettext_lazy(
        "Delete encrypted objects in the transfers storage that have no stored-file row and "
        "are more than an hour old (younger ones may belong to a write still committing)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true",
            help=gettext_lazy("list what would be deleted, delete nothing"),
        )
        parser.add_argument("--limit", type=int, default=None,
                            help=gettext_lazy("delete at most N objects"))

    def handle(self, *, dry_run: bool, limit: int | None, **options):
        found = deleted = 0
        for path in orphan_paths(min_age=ORPHAN_MIN_AGE):
            if limit is not None and found >= limit:
                break
            found += 1
            if dry_run:
                self.stdout.write(_("would delete %(path)s") % {"path": path})
            elif orphan_delete(path=path):
                deleted += 1
                self.stdout.write(_("deleted %(path)s") % {"path": path})
        if dry_run:
            self.stdout.write(_("%(count)d orphan objects would be deleted (dry run).")
                              % {"count": found})
        else:
            self.stdout.write(_("%(count)d orphan objects deleted.") % {"count": deleted})
