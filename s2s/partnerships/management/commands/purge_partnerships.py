"""`s2s purge_partnerships`: shared records past their agreement's retention days, daily."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from s2s.partnerships.jobs import records_purge


class Command(BaseCommand):
    help = ("Delete shared partnership records older than their agreement's retention days. "
            "Prints what it did (or, with --dry-run, would do).")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="delete nothing")
        parser.add_argument("--limit", type=int, default=None, metavar="N",
                            help="delete at most N records this run")

    def handle(self, *args, dry_run=False, limit=None, **options):
        done = records_purge(now=timezone.now(), dry_run=dry_run, limit=limit)
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(f"{verb} {done.records} shared records of {done.partnerships} "
                          "partnerships.")
