"""`s2s send_weekly_reminders`: the weekly reminder of files not yet downloaded (seed 003, 5.1).

Scheduled Mondays at 07:00 (`s2s/schedule.py`); safe to run at any time: each school and LA
is reminded at most once per ISO week, however often it runs.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from s2s.transfers.reminders import iso_week, reminder_send, reminder_sent, reminders_due


class Command(BaseCommand):
    help = (
        "Email each school and LA the list of files it has not yet downloaded, oldest first, "
        "once a week. Prints what it did (or, with --dry-run, would do)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="send nothing, record nothing")

    def handle(self, *args, dry_run=False, **options):
        now = timezone.now()
        reminded = emails = skipped = 0
        for reminder in reminders_due():
            what = f"{reminder.recipient}: {reminder.file_count} file(s)"
            if dry_run:
                if reminder_sent(reminder=reminder, now=now):
                    skipped += 1
                    continue
                reminded += 1
                emails += len(reminder.addresses)
                self.stdout.write(f"Would remind {what}, {len(reminder.addresses)} address(es)")
                continue
            sent = reminder_send(reminder=reminder, now=now)
            if sent is None:
                skipped += 1
                continue
            reminded += 1
            emails += sent
            self.stdout.write(f"Reminded {what}, {sent} email(s)")
        verb = "Would remind" if dry_run else "Reminded"
        self.stdout.write(
            f"{verb} {reminded} school(s) and LA(s) with {emails} email(s) for {iso_week(now)}; "
            f"{skipped} already reminded this week."
        )
