"""`s2s send_weekly_reminders`: the weekly reminder of files not yet downloaded (seed 003, 5.1).

Scheduled Mondays at 07:00 (`s2s/schedule.py`); safe to run at any time: each school and LA
is reminded at most once per ISO week, however often it runs.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s.core.commands import LanguageCommand
from s2s.transfers.reminders import iso_week, reminder_send, reminder_sent, reminders_due


class Command(LanguageCommand):
    help = gettext_lazy(
        "Email each school and LA the list of files it has not yet downloaded, oldest first, "
        "once a week. Prints what it did (or, with --dry-run, would do)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true",
                            help=gettext_lazy("send nothing, record nothing"))

    def handle(self, *args, dry_run=False, **options):
        now = timezone.now()
        reminded = emails = skipped = 0
        for reminder in reminders_due():
            values = {"recipient": reminder.recipient, "files": reminder.file_count,
                      "addresses": len(reminder.addresses)}
            if dry_run:
                if reminder_sent(reminder=reminder, now=now):
                    skipped += 1
                    continue
                reminded += 1
                emails += len(reminder.addresses)
                self.stdout.write(_("Would remind %(recipient)s: %(files)d file(s), "
                                    "%(addresses)d address(es)") % values)
                continue
            sent = reminder_send(reminder=reminder, now=now)
            if sent is None:
                skipped += 1
                continue
            reminded += 1
            emails += sent
            self.stdout.write(_("Reminded %(recipient)s: %(files)d file(s), %(emails)d "
                                "email(s)") % {**values, "emails": sent})
        done = (_("Would remind %(reminded)d school(s) and LA(s) with %(emails)d email(s) for "
                  "%(week)s; %(skipped)d already reminded this week.") if dry_run else
                _("Reminded %(reminded)d school(s) and LA(s) with %(emails)d email(s) for "
                  "%(week)s; %(skipped)d already reminded this week."))
        self.stdout.write(done % {"reminded": reminded, "emails": emails,
                                  "week": iso_week(now), "skipped": skipped})
