"""`s2s audit verify`: check the audit trail's hash chain and name the first row that breaks it.

`s2s audit follow` links the rows written since the follower last ran (chain.py); `verify`
runs it first, unless `--no-follow` (a check that writes nothing, for a monitor: it names the
rows a stopped follower left).
"""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s.audit.chain import chain_follow, chain_verify
from s2s.core.commands import LanguageCommand


class Command(LanguageCommand):
    help = gettext_lazy("Check the audit trail's hash chain (audit/chain.py). Exits non-zero, "
                        "naming the first row that was changed, inserted or deleted, if the "
                        "chain does not hold.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help=gettext_lazy(
            "check every row's hash and link, in order"))
        verify.add_argument("--no-follow", action="store_true", help=gettext_lazy(
            "check only: do not link the rows waiting for the follower first (rows waiting "
            "over a minute are then named)"))
        sub.add_parser("follow", help=gettext_lazy(
            "link the rows written since the follower last ran into the chain"))

    def handle(self, *args, action, no_follow=False, **options):
        if action == "follow":
            self.stdout.write(_("Linked %(count)d audit rows into the chain.")
                              % {"count": chain_follow()})
            return
        checked, problem = chain_verify(follow=not no_follow)
        if problem is not None:
            raise CommandError(_("%(problem)s (%(count)d rows before it hold.)")
                               % {"problem": problem.message, "count": checked})
        self.stdout.write(_("The audit chain holds: %(count)d rows checked.")
                          % {"count": checked})
