"""`s2s agency_agreement REF ...`: make an agency's exchange agreement as the system.

`s2s agency_agreement REF --direction in|out|both --with 838LLLL[,8383321] --purpose TEXT
--until DATE` (issue 16). The same service and rules as the LA DBA's page: the other ends
are the agency's LA mailbox or open schools of that LA, the end date today or later;
audited as "system".
"""

from datetime import date

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s.agencies.agreements import agreement_make
from s2s.agencies.models import Direction
from s2s.core.commands import LanguageCommand
from s2s.core.errors import ServiceError
from s2s.directory.models import Agency


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("--until: '%(text)s' is not a date like 2027-08-31.")
                           % {"text": text}) from None


class Command(LanguageCommand):
    help = gettext_lazy("Make an exchange agreement: which way an agency's files go, with whom, "
                        "until when.")

    def add_arguments(self, parser):
        parser.add_argument("reference", metavar="REF",
                            help=gettext_lazy("the agency, for example 838HLTH"))
        parser.add_argument("--direction", required=True, choices=Direction.values,
                            help=gettext_lazy("in: to the agency; out: from the agency; both"))
        parser.add_argument("--with", dest="ends", required=True,
                            help=gettext_lazy("the LA mailbox and/or school numbers, "
                                              "comma-separated"))
        parser.add_argument("--purpose", required=True)
        parser.add_argument("--until", required=True,
                            help=gettext_lazy("the last day in force, YYYY-MM-DD"))

    def handle(self, *args, **options):
        agency = Agency.objects.select_related("la").filter(
            reference=options["reference"].strip().upper()).first()
        if agency is None:
            raise CommandError(_("REF: there is no agency %(reference)s.")
                               % {"reference": options["reference"]})
        try:
            agreement = agreement_make(
                user=None, agency=agency, direction=options["direction"],
                ends=options["ends"].split(","), purpose=options["purpose"],
                until=_date(options["until"]))
        except ServiceError as error:
            option = {"direction": "--direction", "ends": "--with", "purpose": "--purpose",
                      "until": "--until"}.get(error.field or "")
            raise CommandError(f"{option}: {error.message}" if option else error.message) \
                from None
        self.stdout.write(_("Agreement %(id)s: %(reference)s %(direction)s with %(ends)s until "
                            "%(until)s.") % {
            "id": agreement.pk, "reference": agency.reference,
            "direction": agreement.get_direction_display().lower(),
            "ends": ", ".join(agreement.ends), "until": agreement.until.isoformat()})
