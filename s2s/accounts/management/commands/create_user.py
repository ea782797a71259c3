"""`s2s create_user USERNAME --role ROLE --scope CODE --email EMAIL`: add an account as the system.

It goes through the same service and rules as the Users page (unique case-sensitive username,
scope that fits the role, one LA school per LA, no personal webmail) and is audited as
"system". Without a password option the user gets the activation link and, apart, the
username by email; the link is never printed.
"""

import getpass
import sys

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s.accounts.roles import Role
from s2s.accounts.selectors import scope_from_code
from s2s.accounts.services import user_create
from s2s.core.commands import LanguageCommand
from s2s.core.errors import ServiceError


class Command(LanguageCommand):
    help = gettext_lazy(
        "Add a user with one role in one scope: national, a 3-digit LA number, a 7-digit "
        "establishment number or an agency reference. The user is emailed an activation link "
        "and, separately, the username."
    )

    def add_arguments(self, parser):
        parser.add_argument("username",
                            help=gettext_lazy("case-sensitive; letters, digits and @.+-_"))
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument(
            "--scope", required=True, metavar="CODE",
            help=gettext_lazy("national, an LA number (838), an establishment number (8383321) or "
                              "an agency reference (838HLTH)"),
        )
        parser.add_argument("--email", required=True,
                            help=gettext_lazy("a work address, not personal webmail"))
        parser.add_argument("--full-name", default="")
        password = parser.add_mutually_exclusive_group()
        password.add_argument(
            "--password-prompt", action="store_true",
            help=gettext_lazy("ask for a first password instead of emailing an activation link"),
        )
        password.add_argument(
            "--password-stdin", action="store_true",
            help=gettext_lazy("read a first password from the first line of standard input"),
        )

    def handle(self, *args, **options):
        password = self._password(options)
        try:
            user = user_create(
                by=None, username=options["username"], role=options["role"],
                scope=scope_from_code(options["scope"]), email=options["email"],
                full_name=options["full_name"], password=password,
            )
        except ServiceError as error:
            raise CommandError(self._explain(error)) from None
        self.stdout.write(_("Added %(username)s: %(role)s in %(scope)s.") % {
            "username": user.username, "role": user.get_role_display(),
            "scope": user.scope_code})
        if password:
            self.stdout.write(_("Emailed the username to %(email)s. The password you gave must "
                                "be changed at first sign-in.") % {"email": user.email})
        else:
            self.stdout.write(_("Emailed an activation link and, separately, the username to "
                                "%(email)s.") % {"email": user.email})

    @staticmethod
    def _explain(error: ServiceError) -> str:
        option = {"scope": "--scope", "role": "--role", "email": "--email",
                  "password": "password", "username": "USERNAME"}.get(error.field or "")
        return f"{option}: {error.message}" if option else error.message

    def _password(self, options) -> str | None:
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError(_("--password-stdin: standard input held no password."))
            return password
        if options["password_prompt"]:
            password = getpass.getpass(_("Password: "))
            if password != getpass.getpass(_("Password (again): ")):
                raise CommandError(_("The two passwords differ."))
            return password
        return None
