"""`s2s purge_lost_pupils`: purge LPD records past statutory school leaving age (daily)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from s2s.lostpupils.leaving import leaving_age_date
from s2s.lostpupils.services.purge import lost_pupil_purge, records_due


class Command(BaseCommand):
    help = (
        "Purge Lost Pupil Database records whose pupil is past statutory school leaving age "
        "(31 August of the school year in which the pupil turns S2S_LPD_LEAVING_AGE, 16): "
        "the stored file and the pupil's details go, an audit event keeps the fact. Prints "
        "what it did (or, with --dry-run, would do)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="purge nothing")
        parser.add_argument("--limit", type=int, default=None, metavar="N",
                            help="purge at most N records this run")

    def handle(self, *args, dry_run=False, limit=None, **options):
        now = timezone.now()
        today = timezone.localdate(now)
        verb = "Would purge" if dry_run else "Purged"
        count = 0
        for record in records_due(today=today):
            if limit is not None and count >= limit:
                break
            if dry_run or lost_pupil_purge(record=record, today=today, now=now):
                count += 1
                self.stdout.write(
                    f"{verb} {record.transfer.name} (record {record.pk}, past leaving age "
                    f"on {leaving_age_date(record.dob):%Y-%m-%d})"
                )
        self.stdout.write(f"{verb} {count} lost pupil record(s).")
