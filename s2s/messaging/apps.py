"""Secure messaging: inbox, sent items, templates, groups, notices and retention (issue 6)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "s2s.messaging"
    label = "messaging"
    verbose_name = _("Secure messaging")
