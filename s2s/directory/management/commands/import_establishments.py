"""`s2s import_establishments FILE.csv`: bring the directory in line with the national register."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s.core.commands import LanguageCommand
from s2s.directory.importer import ImportFailed, ImportReport, import_establishments


class Command(LanguageCommand):
    help = gettext_lazy(
        "Import the national register's all-establishments CSV: create missing LAs, add and "
        "update schools in place, and report what was added, changed and closed. Safe to run "
        "again on the same file."
    )

    def add_arguments(self, parser):
        parser.add_argument("file",
                            help=gettext_lazy("the all-establishments CSV (Windows-1252 or UTF-8)"))
        parser.add_argument(
            "--links", metavar="LINKS.csv",
            help=gettext_lazy("the register's links file (URN, LinkURN, LinkType), for successors"),
        )
        parser.add_argument(
            "--remove-missing", action="store_true",
            help=gettext_lazy("delete schools of the file's LAs that the file no longer lists, "
                              "unless anything refers to them (those are closed instead)"),
        )
        parser.add_argument(
            "--progress-every", type=int, default=5000, metavar="N",
            help=gettext_lazy("on a terminal, print a progress line every N rows (default 5000)"),
        )
        parser.add_argument(
            "--list-limit", type=int, default=50, metavar="N",
            help=gettext_lazy("list at most N schools of each kind (default 50; verbosity 2 lists "
                              "all)"),
        )

    def handle(self, *args, **options):
        progress = self._progress if self.stdout.isatty() else None
        try:
            report = import_establishments(
                options["file"], links_path=options["links"],
                remove_missing=options["remove_missing"], progress=progress,
                progress_every=max(1, options["progress_every"]),
            )
        except ImportFailed as error:
            raise CommandError(str(error)) from error
        limit = None if options["verbosity"] >= 2 else options["list_limit"]
        self._print_report(report, limit)

    def _progress(self, rows: int) -> None:
        self.stdout.write(_("  … %(rows)s rows read") % {"rows": f"{rows:,}"})

    def _print_list(self, title: str, items: list[str], limit: int | None, style=None) -> None:
        if not items:
            return
        self.stdout.write((style or (lambda text: text))(f"{title} ({len(items)}):"))
        for item in items[:limit]:
            self.stdout.write(f"  {item}")
        if limit is not None and len(items) > limit:
            self.stdout.write(_("  … and %(count)d more (use -v 2 to list them all)")
                              % {"count": len(items) - limit})

    def _print_report(self, report: ImportReport, limit: int | None) -> None:
        self._print_list(_("Local authorities created"), report.las_created, limit)
        self._print_list(_("Added"), report.added, limit)
        self._print_list(_("Changed"), report.changed, limit)
        self._print_list(_("Closed"), report.closed, limit)
        self._print_list(_("Successors set"), report.successors, limit)
        self._print_list(_("Removed (not in the register)"), report.removed, limit)
        self._print_list(_("Kept (not in the register)"), report.kept, limit)
        self._print_list(_("Warnings"), report.warnings, limit, self.style.WARNING)
        self._print_list(_("Malformed rows, not imported"), report.errors, None,
                         self.style.ERROR)
        counts = {name: f"{count:,}" for name, count in report.counts().items()}
        self.stdout.write(self.style.SUCCESS(_(
            "Read %(rows)s rows (%(encoding)s): %(added)s added, %(changed)s changed, "
            "%(closed)s closed, %(unchanged)s unchanged, %(skipped)s without an establishment "
            "number skipped, %(malformed)s malformed; %(las_created)s LAs created, "
            "%(successors)s successors set.") % {**counts, "encoding": report.encoding}))
