"""`s2s send_lost_pupil_preview`: tell each LA what will be purged next month (monthly)."""

from datetime import date

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s.core.commands import LanguageCommand
from s2s.directory.models import LocalAuthority
from s2s.lostpupils.services.purge import due_in_month, next_month, purge_preview_send


class Command(LanguageCommand):
    help = gettext_lazy(
        "Email each LA how many Lost Pupil Database records uploaded by its schools will be "
        "purged next month (no pupil data; the email links to the LA's list)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", metavar="YYYY-MM",
                            help=gettext_lazy("the month to preview (default: next month)"))
        parser.add_argument("--dry-run", action="store_true", help=gettext_lazy("send nothing"))

    def handle(self, *args, month=None, dry_run=False, **options):
        try:
            when = (date.fromisoformat(f"{month}-01") if month
                    else next_month(timezone.localdate()))
        except ValueError:
            raise CommandError(_("--month must be YYYY-MM")) from None
        if dry_run:
            due = due_in_month(month=when)
            for la in LocalAuthority.objects.filter(pk__in=list(due)):
                self.stdout.write(_("Would tell %(la)s: %(count)d record(s) in %(month)s") % {
                    "la": la, "count": due[la.pk], "month": date_format(when, "F Y")})
            return
        sent = purge_preview_send(month=when)
        self.stdout.write(_("Told %(count)d LA(s) what goes in %(month)s.") % {
            "count": sent, "month": date_format(when, "F Y")})
