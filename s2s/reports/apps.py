"""The reports app."""

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "s2s.reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self):
        # The built-in reports register themselves when their modules are imported.
        from s2s.reports import la_reports, service_reports  # noqa: F401
