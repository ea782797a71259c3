"""`s2s cme recompute [--school CODE] [--full]`: recompute CME signals from the feeds."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s.cme.services import signals_recompute_due
from s2s.core.commands import LanguageCommand
from s2s.directory.models import Establishment


class Command(LanguageCommand):
    help = gettext_lazy(
        "Recompute children-missing-education signals for the schools whose feeds changed "
        "since the last run (--full: every school with a roll; --school: one school)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        recompute = sub.add_parser("recompute", help=gettext_lazy("recompute signals"))
        recompute.add_argument("--school", metavar="CODE",
                               help=gettext_lazy("the school's 7-digit establishment number"))
        recompute.add_argument("--full", action="store_true",
                               help=gettext_lazy("every school with a roll"))

    def handle(self, *args, action, school=None, full=False, **options):
        if school and not Establishment.objects.filter(code=school).exists():
            raise CommandError(_("%(school)s: no such school") % {"school": school})
        schools, done = signals_recompute_due(full=full, school=school)
        self.stdout.write(_("%(schools)d schools recomputed: %(fired)d signals fired, "
                            "%(updated)d updated, %(withdrawn)d withdrawn") % {
            "schools": schools, "fired": done.fired, "updated": done.updated,
            "withdrawn": done.withdrawn})
