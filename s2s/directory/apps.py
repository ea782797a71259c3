"""The directory: local authorities, establishments and agencies."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "s2s.directory"
    label = "directory"
    verbose_name = _("Directory")
