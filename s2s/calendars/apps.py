"""School and LA calendars: terms, closures and bank holidays (issue 13)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarsConfig(AppConfig):
    name = "s2s.calendars"
    label = "calendars"
    verbose_name = _("Calendars")
