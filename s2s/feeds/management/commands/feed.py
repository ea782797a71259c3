"""`s2s feed load KIND FILE --school CODE`: load a feed an LA received by another route."""

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s.core.commands import LanguageCommand
from s2s.core.errors import ServiceError
from s2s.feeds.checks import findings_worded
from s2s.feeds.models import FeedKind
from s2s.feeds.services import feed_receive

CONTENT_TYPES = {".json": "application/json", ".csv": "text/csv", ".xml": "application/xml"}


class Command(LanguageCommand):
    help = gettext_lazy(
        "Load a roll, attendance or exclusions feed from a file (JSON, CSV, or a CTF for the "
        "roll and attendance; by its extension) as the system, and print its report. Exits "
        "1 when the feed is refused."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help=gettext_lazy("load one feed file"))
        load.add_argument("kind", choices=FeedKind.values)
        load.add_argument("file", type=Path)
        load.add_argument("--school", required=True, metavar="CODE",
                          help=gettext_lazy("the school's 7-digit establishment number"))
        load.add_argument("--full", action="store_true",
                          help=gettext_lazy("a CSV roll is the whole roll"))

    def handle(self, *args, action, kind, file, school, full=False, **options):
        content_type = CONTENT_TYPES.get(file.suffix.lower())
        if content_type is None:
            raise CommandError(_("%(file)s: the file must end .json, .csv or .xml")
                               % {"file": file})
        try:
            feed = feed_receive(user=None, kind=kind, content=file.read_bytes(),
                                content_type=content_type, school=school, full=full)
        except (OSError, ServiceError) as exc:
            raise CommandError(f"{file}: {getattr(exc, 'message', exc)}") from None
        self.stdout.write(_(
            "Feed %(id)s (%(kind)s, %(school)s): %(status)s; %(received)d received, %(changed)d "
            "changed, %(held)d held, %(errors)d errors, %(warnings)d warnings") % {
            "id": feed.pk, "kind": str(feed.get_kind_display()).lower(),
            "school": feed.establishment.code,
            "status": str(feed.get_status_display()).lower(), "received": feed.received,
            "changed": feed.changed, "held": feed.quarantined, "errors": feed.error_count,
            "warnings": feed.warning_count})
        for label, findings in ((_("error"), findings_worded(feed.errors)),
                                (_("warning"), findings_worded(feed.warnings))):
            for finding in findings:
                where = f"[{finding['index']}] " if finding["index"] is not None else ""
                self.stdout.write(f"{label}: {where}{finding['code']}: {finding['message']}")
        if feed.status == "refused":
            raise SystemExit(1)
