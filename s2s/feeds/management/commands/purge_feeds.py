"""`s2s purge_feeds`: feed retention, daily (raw bodies; records older than last year)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from s2s.audit.services import audit_record
from s2s.feeds.retention import feeds_purge, kept_from


class Command(BaseCommand):
    help = (
        "Delete feeds' raw bodies older than S2S_FEED_RETAIN_DAYS (30), and the marks, roll "
        "and exclusions older than the previous academic year. Prints what it did (or, with "
        "--dry-run, would do)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="delete nothing")
        parser.add_argument("--limit", type=int, default=None, metavar="N",
                            help="delete at most N of each kind this run")

    def handle(self, *args, dry_run=False, limit=None, **options):
        now = timezone.now()
        verb = "Would delete" if dry_run else "Deleted"
        done = feeds_purge(now=now, limit=limit, dry_run=dry_run)
        cutoff = kept_from(today=timezone.localdate(now))
        for purged in done:
            self.stdout.write(f"{verb} {purged.count} {purged.name}.")
        self.stdout.write(f"Records are kept from {cutoff:%Y-%m-%d}.")
        if not dry_run and any(p.count for p in done):
            audit_record(action="feeds_purge", actor_username="system",
                         summary=", ".join(f"{p.count} {p.name}" for p in done),
                         detail={p.name: p.count for p in done})
