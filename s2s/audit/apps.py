"""The audit trail: who saw or changed what, append-only."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "s2s.audit"
    label = "audit"
    verbose_name = _("Audit")
