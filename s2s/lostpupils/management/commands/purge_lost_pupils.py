"""`s2s purge_lost_pupils`: purge LPD records past statutory school leaving age (daily)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s.core.commands import LanguageCommand
from s2s.lostpupils.leaving import leaving_age_date
from s2s.lostpupils.services.purge import lost_pupil_purge, records_due


class Command(LanguageCommand):
    help = gettext_lazy(
        "Purge Lost Pupil Database records whose pupil is past statutory school leaving age "
        "(31 August of the school year in which the pupil turns S2S_LPD_LEAVING_AGE, 16): "
        "the stored file and the pupil's details go, an audit event keeps the fact. Prints "
        "what it did (or, with --dry-run, would do)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help=gettext_lazy("purge nothing"))
        parser.add_argument("--limit", type=int, default=None, metavar="N",
                            help=gettext_lazy("purge at most N records this run"))

    def handle(self, *args, dry_run=False, limit=None, **options):
        now = timezone.now()
        today = timezone.localdate(now)
        line = (_("Would purge %(file)s (record %(id)s, past leaving age on %(date)s)")
                if dry_run else
                _("Purged %(file)s (record %(id)s, past leaving age on %(date)s)"))
        count = 0
        for record in records_due(today=today):
            if limit is not None and count >= limit:
                break
            if dry_run or lost_pupil_purge(record=record, today=today, now=now):
                count += 1
                self.stdout.write(line % {
                    "file": record.transfer.name, "id": record.pk,
                    "date": f"{leaving_age_date(record.dob):%Y-%m-%d}"})
        done = (_("Would purge %(count)d lost pupil record(s).") if dry_run
                else _("Purged %(count)d lost pupil record(s)."))
        self.stdout.write(done % {"count": count})
