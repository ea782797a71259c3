"""Children missing education: signals computed from feeds over school calendars."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmeConfig(AppConfig):
    name = "s2s.cme"
    label = "cme"
    verbose_name = _("Children missing education")
    default_auto_field = "django.db.models.BigAutoField"
