"""`s2s audit verify`: check the audit trail's hash chain and name the first row that breaks it."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s.audit.chain import chain_verify
from s2s.core.commands import LanguageCommand


class Command(LanguageCommand):
    help = gettext_lazy("Check the audit trail's hash chain (audit/chain.py). Exits non-zero, "
                        "naming the first row that was changed, inserted or deleted, if the "
                        "chain does not hold.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help=gettext_lazy("check every row's hash and link, in order"))

    def handle(self, *args, action, **options):
        checked, problem = chain_verify()
        if problem is not None:
            raise CommandError(_("%(problem)s (%(count)d rows before it hold.)")
                               % {"problem": problem.message, "count": checked})
        self.stdout.write(_("The audit chain holds: %(count)d rows checked.")
                          % {"count": checked})
