"""`s2s audit verify`: check the audit trail's hash chain and name the first row that breaks it."""

from django.core.management.base import BaseCommand, CommandError

from s2s.audit.chain import chain_verify


class Command(BaseCommand):
    help = ("Check the audit trail's hash chain (audit/chain.py). Exits non-zero, naming the "
            "first row that was changed, inserted or deleted, if the chain does not hold.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="check every row's hash and link, in order")

    def handle(self, *args, action, **options):
        checked, problem = chain_verify()
        if problem is not None:
            raise CommandError(f"{problem.message} ({checked} rows before it hold.)")
        self.stdout.write(f"The audit chain holds: {checked} rows checked.")
