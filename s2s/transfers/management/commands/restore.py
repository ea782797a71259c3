"""`s2s restore DIR [--force]`: put a backup back into the database and the file store."""

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s.audit.chain import chain_verify
from s2s.core.commands import LanguageCommand
from s2s.core.errors import ServiceError
from s2s.core.progress import progress_printer
from s2s.transfers.backup import backup_restore


class Command(LanguageCommand):
    help = gettext_lazy("Restore a backup made by `s2s backup` into this service's database "
                        "(migrated first) and file store. Needs every master key the backup names "
                        "in S2S_ENCRYPTION_KEY/S2S_ENCRYPTION_OLD_KEYS. Refuses a database that "
                        "holds data unless --force, which empties it first.")

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, metavar="DIR")
        parser.add_argument("--force", action="store_true",
                            help=gettext_lazy("empty a database that holds data, and replace "
                                              "differing objects in the file store"))

    def handle(self, *args, directory: Path, force: bool, **options):
        self.stdout.write(_("Restoring from %(directory)s: the files first, then the "
                            "database.") % {"directory": directory})
        try:
            summary = backup_restore(directory=directory, force=force, stdout=self.stdout,
                                     progress=progress_printer(self.stdout, _("files")))
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(_("Restored %(files)d files (%(bytes)d bytes) and the database.")
                          % {"files": summary.objects, "bytes": summary.bytes})
        checked, problem = chain_verify()
        if problem is not None:
            raise CommandError(_("Restored, but the audit chain does not hold: %(problem)s")
                               % {"problem": problem.message})
        self.stdout.write(_("The audit chain holds: %(count)d rows checked.")
                          % {"count": checked})
