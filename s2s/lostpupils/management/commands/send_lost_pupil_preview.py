"""`s2s send_lost_pupil_preview`: tell each LA what will be purged next month (monthly)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from s2s.directory.models import LocalAuthority
from s2s.lostpupils.services.purge import due_in_month, next_month, purge_preview_send


class Command(BaseCommand):
    help = (
        "Email each LA how many Lost Pupil Database records uploaded by its schools will be "
        "purged next month (no pupil data; the email links to the LA's list)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", metavar="YYYY-MM",
                            help="the month to preview (default: next month)")
        parser.add_argument("--dry-run", action="store_true", help="send nothing")

    def handle(self, *args, month=None, dry_run=False, **options):
        try:
            when = (date.fromisoformat(f"{month}-01") if month
                    else next_month(timezone.localdate()))
        except ValueError:
            raise CommandError("--month must be YYYY-MM") from None
        if dry_run:
            due = due_in_month(month=when)
            for la in LocalAuthority.objects.filter(pk__in=list(due)):
                self.stdout.write(f"Would tell {la}: {due[la.pk]} record(s) in {when:%B %Y}")
            return
        sent = purge_preview_send(month=when)
        self.stdout.write(f"Told {sent} LA(s) what goes in {when:%B %Y}.")
