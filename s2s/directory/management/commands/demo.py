"""`s2s demo [--if-empty]`: load demo LAs, schools, agencies and a user of every role."""

from django.conf import settings
from django.core.management.base import BaseCommand

from s2s.accounts.roles import Role
from s2s.directory.demo import demo_accounts, load_demo
from s2s.directory.models import Establishment, LocalAuthority


class Command(BaseCommand):
    help = (
        "Load demo data: LAs in England and Wales with about 20 schools each, agencies, and "
        "one user of every role with a known password, printed at the end. Running it again "
        "changes nothing but resets the demo passwords."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true",
            help="load nothing if the database already has a local authority",
        )

    def handle(self, *args, **options):
        if options["if_empty"] and LocalAuthority.objects.exists():
            self.stdout.write("The database already has data, so no demo data was loaded.")
        else:
            load_demo()
            self.stdout.write(self.style.SUCCESS(
                f"Demo data loaded: {LocalAuthority.objects.count()} local authorities, "
                f"{Establishment.objects.count()} establishments."
            ))
        self._print_accounts()

    def _print_accounts(self) -> None:
        accounts = demo_accounts()
        if not accounts:
            self.stdout.write("No demo accounts with their demo passwords were found.")
            return
        rows = [("Username", "Role", "Scope", "Password")] + [
            (account.username, str(Role(account.role).label), account.scope, account.password)
            for account in accounts
        ]
        widths = [max(len(row[column]) for row in rows) for column in range(4)]
        self.stdout.write("\nDemo accounts (sign in at http://127.0.0.1:8000/):")
        for index, row in enumerate(rows):
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths,
                                                                                  strict=True)))
            if index == 0:
                self.stdout.write("  ".join("-" * width for width in widths))
        if settings.S2S_TWO_FACTOR_REQUIRED:
            self.stdout.write(
                "\nLA and national accounts set up two-factor sign-in (an authenticator app) at "
                "first sign-in.\nTo try the demo without it: S2S_TWO_FACTOR_REQUIRED=false make run"
            )
