"""The feeds app: MIS feeds of rolls, attendance marks and exclusions into the hub."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedsConfig(AppConfig):
    name = "s2s.feeds"
    verbose_name = _("MIS feeds")
    default_auto_field = "django.db.models.BigAutoField"
