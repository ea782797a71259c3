"""`s2s create_agency REF --name NAME --kind KIND --email EMAIL`: add an agency as the system.

The same service and rules as the LA DBA's page (issue 16): the reference is the LA number
and four capital letters or digits (838HLTH), of an LA that exists; audited as "system".
"""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s.core.commands import LanguageCommand, worded
from s2s.core.errors import ServiceError
from s2s.directory.models import AgencyKind
from s2s.directory.services import agency_create


class Command(LanguageCommand):
    help = gettext_lazy("Add an agency of an LA: its reference is the LA number and 4 letters or "
                        "digits.")

    def add_arguments(self, parser):
        parser.add_argument("reference", metavar="REF", help=gettext_lazy("for example 838HLTH"))
        parser.add_argument("--name", required=True)
        parser.add_argument("--kind", required=True,
                            help=worded(gettext_lazy("one of %(kinds)s"),
                                        kinds=", ".join(AgencyKind.values)))
        parser.add_argument("--email", required=True,
                            help=gettext_lazy("the agency's work contact address"))

    def handle(self, *args, **options):
        try:
            agency = agency_create(user=None, reference=options["reference"],
                                   name=options["name"], kind=options["kind"],
                                   email=options["email"])
        except ServiceError as error:
            option = {"reference": "REF", "name": "--name", "kind": "--kind",
                      "email": "--email"}.get(error.field or "")
            raise CommandError(f"{option}: {error.message}" if option else error.message) \
                from None
        self.stdout.write(_("Added agency %(reference)s %(name)s (%(kind)s) of LA %(la)s.") % {
            "reference": agency.reference, "name": agency.name,
            "kind": agency.get_kind_display(), "la": agency.la.number})
