"""`s2s encompass_escalate`: escalate Operation Encompass notifications unread when due.

Scheduled every 5 minutes (`s2s/schedule.py`); safe to run at any time: each notification is
escalated once, claimed by a conditional update.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s.agencies.encompass import encompass_escalate_due
from s2s.core.commands import LanguageCommand


class Command(LanguageCommand):
    help = gettext_lazy("Escalate to the LA each Operation Encompass notification still unread "
                        "when due.")

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=1000)

    def handle(self, *args, **options):
        count = encompass_escalate_due(limit=options["limit"])
        self.stdout.write(_("Escalated %(count)d notification(s).") % {"count": count})
