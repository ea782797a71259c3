"""`s2s end_partnership ID`: end a partnership and delete every record it shared."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s.core.commands import LanguageCommand
from s2s.partnerships.models import Partnership, Status
from s2s.partnerships.services import partnership_end


class Command(LanguageCommand):
    help = gettext_lazy("End a partnership: sharing stops and all its shared records are deleted.")

    def add_arguments(self, parser):
        parser.add_argument("partnership_id", type=int)
        parser.add_argument("--dry-run", action="store_true", help=gettext_lazy("change nothing"))

    def handle(self, *args, partnership_id, dry_run=False, **options):
        partnership = Partnership.objects.filter(pk=partnership_id).first()
        if partnership is None or partnership.status == Status.ENDED:
            raise CommandError(_("No open partnership %(id)s.") % {"id": partnership_id})
        if dry_run:
            self.stdout.write(_("Would end %(name)s.") % {"name": partnership.name})
            return
        deleted = partnership_end(partnership=partnership)
        self.stdout.write(_("Ended %(name)s; deleted %(count)d shared records.")
                          % {"name": partnership.name, "count": deleted})
