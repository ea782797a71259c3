"""Transfers: uploads, addressing, encrypted storage, downloads, rejects and retention."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransfersConfig(AppConfig):
    name = "s2s.transfers"
    label = "transfers"
    verbose_name = _("Transfers")

    def ready(self):
        # Registers the master-key check, so a malformed key stops `check`, `migrate` and
        # `runserver` before any file is written.
        from s2s.transfers import checks  # noqa: F401
