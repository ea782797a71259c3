"""`s2s partnership_reviews`: review reminders (30 and 7 days before) and lapsing, daily."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s.core.commands import LanguageCommand
from s2s.partnerships.jobs import partnerships_lapse, reminders_send


class Command(LanguageCommand):
    help = gettext_lazy("Remind each member's school users 30 and 7 days before an agreement's "
                        "review date, and stop sharing in partnerships whose review date has "
                        "passed.")

    def handle(self, *args, **options):
        today = timezone.localdate()
        reminded = reminders_send(today=today)
        lapsed = partnerships_lapse(today=today)
        self.stdout.write(_("Reminded %(reminded)d partnerships; %(lapsed)d lapsed.")
                          % {"reminded": reminded, "lapsed": lapsed})
