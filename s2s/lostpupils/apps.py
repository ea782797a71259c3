"""The Lost Pupil Database app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LostPupilsConfig(AppConfig):
    name = "s2s.lostpupils"
    label = "lostpupils"
    verbose_name = _("Lost Pupil Database")

    def ready(self):
        # The lost pupil reports (seed 003, 7.4-7.5) join the report registry.
        from s2s.lostpupils import reports  # noqa: F401
