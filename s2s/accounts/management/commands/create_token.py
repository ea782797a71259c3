"""`s2s create_token USERNAME`: issue an API token and print it on the last line.

The token is stored hashed (SHA-256) and shown only this once. `--revoke PREFIX` stops a
token working instead; `--list` shows the user's working tokens by their prefixes.
"""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s.accounts.models import User
from s2s.accounts.selectors import api_tokens_of
from s2s.accounts.services import api_token_create, api_token_revoke
from s2s.core.commands import LanguageCommand
from s2s.core.errors import ServiceError


class Command(LanguageCommand):
    help = gettext_lazy(
        "Issue an API token for a user and print it on the last line (it is stored hashed and "
        "never shown again), or revoke one by its prefix."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help=gettext_lazy("case-sensitive"))
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--revoke", metavar="PREFIX",
                            help=gettext_lazy("revoke the user's token whose prefix this is"))
        action.add_argument("--list", action="store_true",
                            help=gettext_lazy("list the prefixes of the user's working tokens"))

    def handle(self, *args, **options):
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist:
            raise CommandError(
                _("There is no user %(username)s (usernames are case-sensitive).")
                % {"username": options["username"]}) from None
        try:
            if options["revoke"]:
                self._revoke(user, options["revoke"])
            elif options["list"]:
                for token in api_tokens_of(user):
                    self.stdout.write(_("%(prefix)s  issued %(when)s") % {
                        "prefix": token.prefix, "when": f"{token.created_at:%Y-%m-%d %H:%M}"})
            else:
                key = api_token_create(by=None, user=user)
                self.stdout.write(_("API token for %(username)s (shown once; store it now):")
                                  % {"username": user.username})
                self.stdout.write(key)
        except ServiceError as error:
            raise CommandError(error.message) from None

    def _revoke(self, user: User, prefix: str) -> None:
        prefix = prefix.removeprefix("s2s_")[:8]
        tokens = list(api_tokens_of(user).filter(prefix=prefix))
        if len(tokens) != 1:
            raise CommandError(_("%(username)s has no working token starting %(prefix)s.")
                               % {"username": user.username, "prefix": prefix})
        api_token_revoke(by=None, token=tokens[0])
        self.stdout.write(_("Revoked token %(prefix)s… of %(username)s.")
                          % {"prefix": prefix, "username": user.username})
