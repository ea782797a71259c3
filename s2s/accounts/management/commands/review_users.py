"""`s2s review_users`: the annual user review's daily job (seed 003, 1.6).

Accounts nobody confirmed for `USER_REVIEW_DISABLE_AFTER_DAYS` are disabled; before that, at
each of `USER_REVIEW_WARN_DAYS` days, the user and its LA's DBAs are warned, once per mark.
Safe to run as often as you like: a warning or a disabling is never done twice.
"""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s.accounts.selectors import review_deadline, users_to_disable, users_to_warn
from s2s.accounts.services import user_review_disable, user_review_warn
from s2s.core.commands import LanguageCommand


class Command(LanguageCommand):
    help = gettext_lazy(
        "Disable accounts not confirmed in the annual review, and warn users and their LA "
        "administrators before that. Prints what it did (or, with --dry-run, would do)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true",
                            help=gettext_lazy("change nothing, send nothing"))
        parser.add_argument("--limit", type=int, default=None, metavar="N",
                            help=gettext_lazy("do at most N things (disablings and warnings) this "
                                              "run"))

    def handle(self, *args, dry_run=False, limit=None, **options):
        self.now = timezone.now()
        self.dry_run = dry_run
        self.left = limit
        disabled = self._disable()
        warned = self._warn()
        if dry_run:
            done = _("Would disable %(disabled)d account(s); would warn about %(warned)d.")
        else:
            done = _("Disabled %(disabled)d account(s); warned about %(warned)d.")
        self.stdout.write(done % {"disabled": disabled, "warned": warned})

    def _room(self) -> bool:
        return self.left is None or self.left > 0

    def _spend(self) -> None:
        if self.left is not None:
            self.left -= 1

    def _disable(self) -> int:
        count = 0
        for user in users_to_disable(now=self.now).iterator():
            if not self._room():
                break
            if self.dry_run or user_review_disable(user=user):
                count += 1
                self._spend()
                line = (_("Would disable %(username)s (%(scope)s): last confirmed %(date)s")
                        if self.dry_run else
                        _("Disabled %(username)s (%(scope)s): last confirmed %(date)s"))
                self.stdout.write(line % {"username": user.username, "scope": user.scope_code,
                                          "date": f"{user.confirmed_at:%Y-%m-%d}"})
        return count

    def _warn(self) -> int:
        seen = set()
        # The nearest mark first, so a user late for several marks gets one warning.
        for days in sorted(settings.USER_REVIEW_WARN_DAYS):
            for user in users_to_warn(days=days, now=self.now).iterator():
                if not self._room():
                    return len(seen)
                if user.pk in seen:
                    continue
                if self.dry_run or user_review_warn(user=user, days=days, now=self.now):
                    seen.add(user.pk)
                    self._spend()
                    line = (_("Would warn about %(username)s (%(scope)s): disabled on "
                              "%(date)s unless confirmed") if self.dry_run else
                            _("Warned about %(username)s (%(scope)s): disabled on %(date)s "
                              "unless confirmed"))
                    self.stdout.write(line % {
                        "username": user.username, "scope": user.scope_code,
                        "date": f"{review_deadline(user):%Y-%m-%d}"})
        return len(seen)
