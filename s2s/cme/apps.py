"""Children missing education: signals computed from feeds over school calendars, and cases."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmeConfig(AppConfig):
    name = "s2s.cme"
    label = "cme"
    verbose_name = _("Children missing education")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        """Listen for pupils arriving on a roll: a CME case's child turning up (issue 14)."""
        from s2s.cme.cases import case_children_arrived
        from s2s.core.arrivals import arrival_listener

        arrival_listener(case_children_arrived)
