"""`s2s demo [--if-empty]`: load demo LAs, schools, users of every role and a month of life."""

import logging
import time
from contextlib import contextmanager

from django.conf import settings
from django.core.management.base import CommandError
from django.test.utils import override_settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s.accounts.roles import Role
from s2s.core.commands import LanguageCommand
from s2s.directory.demo import DEMO_PASSWORD, demo_accounts, load_demo, two_factor_code
from s2s.directory.demo_month import MonthMade, load_month
from s2s.directory.models import Establishment, LocalAuthority
from s2s.transfers.storage import atomic_with_files


@contextmanager
def _tasks_inline_and_quiet():
    """Run the tasks the month asks for inline, and log only warnings while it is made.

    Queued, they would be hundreds of tasks (no-ops by the time they ran: the month's emails
    are marked sent) for `make run`'s worker to log over the accounts printed here; and each
    upload's stored file would log a line of its own.
    """
    loggers = [logging.getLogger(name) for name in ("django_tasks", "s2s")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        with override_settings(TASKS={"default": {
                "BACKEND": settings.TASK_BACKENDS["immediate"]}}):
            yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


class Command(LanguageCommand):
    help = gettext_lazy(
        "Load demo data: LAs in England and Wales with about 20 schools each, agencies, users "
        "of every role with one known password, and a month of files, lost pupils and "
        "messages; the accounts are printed at the end. Running it again brings the schools "
        "and accounts back (and the demo password) and adds no second month."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true",
            help=gettext_lazy("load nothing if the database already has a local authority"),
        )
        parser.add_argument(
            "--code", metavar="USERNAME",
            help=gettext_lazy("print the current two-factor code of a demo account's "
                              "authenticator (once its set-up page has shown it) instead of "
                              "loading anything"),
        )

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError(_("The demo's accounts share a known password: it is not "
                                 "loaded when S2S_MODE is production."))
        if options["code"]:
            self._print_code(options["code"])
            return
        if options["if_empty"] and LocalAuthority.objects.exists():
            self.stdout.write(_("The database already has data, so no demo data was loaded."))
        else:
            started = time.monotonic()
            with _tasks_inline_and_quiet(), atomic_with_files():
                load_demo()
                month = load_month()
            self._print_loaded(month, time.monotonic() - started)
        self._print_accounts()

    def _print_code(self, username: str) -> None:
        code = two_factor_code(username)
        if code is None:
            raise CommandError(_("%(username)s is not a demo account with an authenticator: "
                                 "sign in as it first, and the two-factor page sets one up.")
                               % {"username": username})
        self.stdout.write(code)

    def _print_loaded(self, month: MonthMade | None, seconds: float) -> None:
        self.stdout.write(self.style.SUCCESS(
            _("Demo data loaded in %(seconds)s s: %(las)d local authorities, %(schools)d "
              "establishments.") % {"seconds": f"{seconds:.0f}",
                                    "las": LocalAuthority.objects.count(),
                                    "schools": Establishment.objects.count()}))
        if month is None:
            self.stdout.write(_("The service already had files or messages, so no month of "
                                "demo activity was added."))
            return
        self.stdout.write(_(
            "A month of activity: %(files)d files, %(lost)d of them to the Lost Pupil Database, "
            "and %(messages)d messages. Its %(emails)d emails are marked as sent, not sent.") % {
            "files": month.files, "lost": month.lost_pupils, "messages": month.messages,
            "emails": month.emails})

    def _print_accounts(self) -> None:
        accounts = demo_accounts()
        if not accounts:
            self.stdout.write(_("No demo accounts with the demo password were found."))
            return
        rows = [(_("Username"), _("Role"), _("Scope"))] + [
            (account.username, str(Role(account.role).label), account.scope)
            for account in accounts
        ]
        widths = [max(len(row[column]) for row in rows) for column in range(3)]
        self.stdout.write("\n" + _("Demo accounts: sign in at %(url)s/ with the password "
                                   "%(password)s") % {"url": settings.SITE_URL,
                                                      "password": DEMO_PASSWORD})
        for index, row in enumerate(rows):
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths,
                                                                                  strict=True)))
            if index == 0:
                self.stdout.write("  ".join("-" * width for width in widths))
        self.stdout.write(_(
            "Every other open school has a school user too, named by its establishment number "
            "(8384512, for example), with the same password."))
        if settings.S2S_TWO_FACTOR_REQUIRED:
            self.stdout.write("\n" + _(
                "LA and national accounts set up two-factor sign-in (an authenticator app) at "
                "first sign-in. Without a phone, `s2s demo --code USERNAME` prints the code the "
                "app would show.") + "\n" + _(
                "To try the demo without it: S2S_TWO_FACTOR_REQUIRED=false make run"))
