"""`s2s two_factor_reset USERNAME`: remove the authenticator of a user who lost their phone.

For the service's own people (a service administrator who cannot sign in, an LA with no other
DBA): audited as `system`, and the user is emailed, as from the user's page.
"""

from django.core.management.base import BaseCommand, CommandError

from s2s.accounts.models import User
from s2s.accounts.services import user_two_factor_reset
from s2s.core.errors import ServiceError


class Command(BaseCommand):
    help = ("Reset a user's two-factor sign-in (a lost phone): their authenticator stops "
            "working, they set up a new one at their next sign-in, and they are emailed.")

    def add_arguments(self, parser):
        parser.add_argument("username", help="case-sensitive")

    def handle(self, *args, **options):
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist:
            raise CommandError(
                f"There is no user {options['username']} (usernames are case-sensitive)."
            ) from None
        try:
            user_two_factor_reset(by=None, user=user)
        except ServiceError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"Reset the two-factor sign-in of {user.username}; "
                          f"{user.email} has been told.")
