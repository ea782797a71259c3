"""`s2s partnership_reviews`: review reminders (30 and 7 days before) and lapsing, daily."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from s2s.partnerships.jobs import partnerships_lapse, reminders_send


class Command(BaseCommand):
    help = ("Remind each member's school users 30 and 7 days before an agreement's review "
            "date, and stop sharing in partnerships whose review date has passed.")

    def handle(self, *args, **options):
        today = timezone.localdate()
        reminded = reminders_send(today=today)
        lapsed = partnerships_lapse(today=today)
        self.stdout.write(f"Reminded {reminded} partnerships; {lapsed} lapsed.")
