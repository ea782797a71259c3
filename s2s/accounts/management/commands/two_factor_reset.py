"""`s2s two_factor_reset USERNAME`: remove the authenticator of a user who lost their phone.

For the service's own people (a service administrator who cannot sign in, an LA with no other
DBA): audited as `system`, and the user is emailed, as from the user's page.
"""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s.accounts.models import User
from s2s.accounts.services import user_two_factor_reset
from s2s.core.commands import LanguageCommand
from s2s.core.errors import ServiceError


class Command(LanguageCommand):
    help = gettext_lazy("Reset a user's two-factor sign-in (a lost phone): their authenticator "
                        "stops working, they set up a new one at their next sign-in, and they are "
                        "emailed.")

    def add_arguments(self, parser):
        parser.add_argument("username", help=gettext_lazy("case-sensitive"))

    def handle(self, *args, **options):
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist:
            raise CommandError(
                _("There is no user %(username)s (usernames are case-sensitive).")
                % {"username": options["username"]}) from None
        try:
            user_two_factor_reset(by=None, user=user)
        except ServiceError as error:
            raise CommandError(error.message) from None
        self.stdout.write(_("Reset the two-factor sign-in of %(username)s; %(email)s has been "
                            "told.") % {"username": user.username, "email": user.email})
