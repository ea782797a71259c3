"""Agencies at work: exchange agreements, named jobs and Operation Encompass notifications."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgenciesConfig(AppConfig):
    name = "s2s.agencies"
    label = "agencies"
    verbose_name = _("Agencies")
    default_auto_field = "django.db.models.BigAutoField"
