"""Accounts: users, roles, the policy, sign-in."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "s2s.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # Connect the audit of failed sign-ins (a signal is the only place Django reports them).
        from s2s.accounts import signin  # noqa: F401
