"""Write the emails of accepted uploads whose notification task has not run."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s.core.commands import LanguageCommand
from s2s.transfers.services.notify import SWEEP_LIMIT, transfers_notify_pending


class Command(LanguageCommand):
    help = gettext_lazy(
        "Write to the outbox the emails of uploads more than a minute old whose notification "
        "task was lost or failed. Safe to run at any time: each upload's emails are written "
        "once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=SWEEP_LIMIT,
                            help=gettext_lazy("at most this many uploads (default %(default)s)"))

    def handle(self, *, limit: int, **options):
        written = transfers_notify_pending(limit=limit)
        self.stdout.write(_("%(count)d emails written for uploads not yet notified.")
                          % {"count": written})
