"""`s2s create_token USERNAME`: issue an API token and print it on the last line.

The token is stored hashed (SHA-256) and shown only this once. `--revoke PREFIX` stops a
token working instead; `--list` shows the user's working tokens by their prefixes.
"""

from django.core.management.base import BaseCommand, CommandError

from s2s.accounts.models import User
from s2s.accounts.selectors import api_tokens_of
from s2s.accounts.services import api_token_create, api_token_revoke
from s2s.core.errors import ServiceError


class Command(BaseCommand):
    help = (
        "Issue an API token for a user and print it on the last line (it is stored hashed and "
        "never shown again), or revoke one by its prefix."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="case-sensitive")
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--revoke", metavar="PREFIX",
                            help="revoke the user's token whose prefix this is")
        action.add_argument("--list", action="store_true",
                            help="list the prefixes of the user's working tokens")

    def handle(self, *args, **options):
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist:
            raise CommandError(
                f"There is no user {options['username']} (usernames are case-sensitive)."
            ) from None
        try:
            if options["revoke"]:
                self._revoke(user, options["revoke"])
            elif options["list"]:
                for token in api_tokens_of(user):
                    self.stdout.write(f"{token.prefix}  issued {token.created_at:%Y-%m-%d %H:%M}")
            else:
                key = api_token_create(by=None, user=user)
                self.stdout.write(f"API token for {user.username} (shown once; store it now):")
                self.stdout.write(key)
        except ServiceError as error:
            raise CommandError(error.message) from None

    def _revoke(self, user: User, prefix: str) -> None:
        prefix = prefix.removeprefix("s2s_")[:8]
        tokens = list(api_tokens_of(user).filter(prefix=prefix))
        if len(tokens) != 1:
            raise CommandError(f"{user.username} has no working token starting {prefix}.")
        api_token_revoke(by=None, token=tokens[0])
        self.stdout.write(f"Revoked token {prefix}… of {user.username}.")
