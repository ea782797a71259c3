"""`s2s refresh_report_counts`: count the UK days closed since the last run, for the reports.

Scheduled nightly (`s2s/schedule.py`); safe to run at any time: a second run finds nothing
new, and two at once take turns. `--rebuild` counts every day again from the transfers (after
a school has moved to another LA, say). Each step is printed as it finishes: a rebuild over a
million transfers takes a while.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s.core.commands import LanguageCommand
from s2s.reports.rollup import report_counts_refresh


class Command(LanguageCommand):
    help = gettext_lazy(
        "Count uploads and first downloads on the UK days closed since the last run, so "
        "the national reports need not read every transfer."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--rebuild", action="store_true",
            help=gettext_lazy("count every day again, from the first transfer"),
        )

    def handle(self, *args, rebuild=False, **options):
        counted = report_counts_refresh(rebuild=rebuild, progress=self._progress)
        if counted is None:
            self.stdout.write(_("The report counts were up to date"))
            return
        first, last = counted
        line = (_("Counted the days from %(first)s to %(last)s") if first
                else _("Counted the days from the first transfer to %(last)s"))
        self.stdout.write(line % {"first": first and first.isoformat(),
                                  "last": last.isoformat()})

    def _progress(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()
