"""`s2s purge_feeds`: feed retention, daily (raw bodies; records older than last year)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, pgettext_lazy

from s2s.audit.services import audit_record
from s2s.core.commands import LanguageCommand
from s2s.ctf.words import Text
from s2s.feeds.retention import feeds_purge, kept_from

# What `feeds_purge` names, for people, after "Deleted 3 ..." (its names stay the audit's keys).
PURGED_WORDS = {
    "raw feed bodies": pgettext_lazy("feed records purged", "raw feed bodies"),
    "marks": pgettext_lazy("feed records purged", "marks"),
    "replaced marks": pgettext_lazy("feed records purged", "replaced marks"),
    "quarantined marks": pgettext_lazy("feed records purged", "quarantined marks"),
    "exclusions": pgettext_lazy("feed records purged", "exclusions"),
    "pupils": pgettext_lazy("feed records purged", "pupils"),
    "feeds": pgettext_lazy("feed records purged", "feeds"),
}

# The audit's words for what went: every kind `feeds_purge` names, in its order.
PURGED_AUDIT = gettext_noop(
    "%(raw)s raw feed bodies, %(marks)s marks, %(replaced)s replaced marks, %(quarantined)s "
    "quarantined marks, %(exclusions)s exclusions, %(pupils)s pupils, %(feeds)s feeds")
PURGED_KEYS = {"raw feed bodies": "raw", "marks": "marks", "replaced marks": "replaced",
               "quarantined marks": "quarantined", "exclusions": "exclusions",
               "pupils": "pupils", "feeds": "feeds"}


def _purged_words(done: list) -> Text:
    """Return what a run deleted as audit words."""
    return Text(PURGED_AUDIT, **{PURGED_KEYS[purged.name]: purged.count for purged in done})


class Command(LanguageCommand):
    help = gettext_lazy(
        "Delete feeds' raw bodies older than S2S_FEED_RETAIN_DAYS (30), and the marks, roll "
        "and exclusions older than the previous academic year. Prints what it did (or, with "
        "--dry-run, would do)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help=gettext_lazy("delete nothing"))
        parser.add_argument("--limit", type=int, default=None, metavar="N",
                            help=gettext_lazy("delete at most N of each kind this run"))

    def handle(self, *args, dry_run=False, limit=None, **options):
        now = timezone.now()
        line = _("Would delete %(count)d %(what)s.") if dry_run else _("Deleted %(count)d "
                                                                       "%(what)s.")
        done = feeds_purge(now=now, limit=limit, dry_run=dry_run)
        cutoff = kept_from(today=timezone.localdate(now))
        for purged in done:
            self.stdout.write(line % {"count": purged.count,
                                      "what": PURGED_WORDS.get(purged.name, purged.name)})
        self.stdout.write(_("Records are kept from %(date)s.") % {"date": f"{cutoff:%Y-%m-%d}"})
        if not dry_run and any(p.count for p in done):
            audit_record(action="feeds_purge", actor_username="system",
                         summary=_purged_words(done),
                         detail={p.name: p.count for p in done})
