"""`s2s backup DIR`: the database, the encrypted files and their key ids, into a new directory."""

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s.core.commands import LanguageCommand
from s2s.core.errors import ServiceError
from s2s.core.progress import progress_printer
from s2s.transfers.backup import backup_write


class Command(LanguageCommand):
    help = gettext_lazy("Back up the database (a portable dumpdata), every stored file's "
                        "encrypted object and which master key wraps it into DIR, which must be "
                        "new or empty. The master keys are not copied: keep them apart "
                        "(README.md, \"Backups\").")

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, metavar="DIR")

    def handle(self, *args, directory: Path, **options):
        self.stdout.write(_("Backing up into %(directory)s: the database first, then the "
                            "files.") % {"directory": directory})
        try:
            summary = backup_write(directory=directory, stdout=self.stdout,
                                   progress=progress_printer(self.stdout, _("files")))
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        keys = ", ".join(f"{key_id} ({count})" for key_id, count in summary.keys.items())
        self.stdout.write(_("Backed up %(files)d files (%(bytes)d bytes), wrapped by master "
                            "key(s): %(keys)s.") % {"files": summary.objects,
                                                   "bytes": summary.bytes,
                                                   "keys": keys or _("none")})
        if summary.missing:
            self.stderr.write(_("%(count)d file(s) were deleted during the backup and are not "
                                "in it.") % {"count": len(summary.missing)})
