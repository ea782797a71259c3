"""The partnerships app: schools and colleges sharing what they teach in common (issue 16)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnershipsConfig(AppConfig):
    name = "s2s.partnerships"
    verbose_name = _("Partnerships")
    default_auto_field = "django.db.models.BigAutoField"
