"""`s2s end_partnership ID`: end a partnership and delete every record it shared."""

from django.core.management.base import BaseCommand, CommandError

from s2s.partnerships.models import Partnership, Status
from s2s.partnerships.services import partnership_end


class Command(BaseCommand):
    help = "End a partnership: sharing stops and all its shared records are deleted."

    def add_arguments(self, parser):
        parser.add_argument("partnership_id", type=int)
        parser.add_argument("--dry-run", action="store_true", help="change nothing")

    def handle(self, *args, partnership_id, dry_run=False, **options):
        partnership = Partnership.objects.filter(pk=partnership_id).first()
        if partnership is None or partnership.status == Status.ENDED:
            raise CommandError(f"No open partnership {partnership_id}.")
        if dry_run:
            self.stdout.write(f"Would end {partnership.name}.")
            return
        deleted = partnership_end(partnership=partnership)
        self.stdout.write(f"Ended {partnership.name}; deleted {deleted} shared records.")
