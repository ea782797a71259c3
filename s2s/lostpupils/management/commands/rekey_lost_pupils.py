"""`s2s rekey_lost_pupils`: rewrite the LPD's stored search keys after the key changes."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s.core.commands import LanguageCommand
from s2s.lostpupils.services.rekey import lost_pupil_keys_recompute


class Command(LanguageCommand):
    help = gettext_lazy(
        "Rewrite the sound-alike keys of every held Lost Pupil Database record (its surname "
        "variants and name rows, its forename key) whose stored keys differ from what the "
        "current code writes. Run after a change to the sound-alike key; migrations that "
        "change it run it themselves. Prints how many records it rewrote (or, with --dry-run, "
        "would rewrite)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help=gettext_lazy("rewrite nothing"))

    def handle(self, *args, dry_run=False, **options):
        count = lost_pupil_keys_recompute(dry_run=dry_run)
        done = (_("Would rewrite the keys of %(count)d lost pupil record(s).") if dry_run
                else _("Rewrote the keys of %(count)d lost pupil record(s)."))
        self.stdout.write(done % {"count": count})
