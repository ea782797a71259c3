"""The API app: token-authenticated endpoints over the same services as the pages."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "s2s.api"
    label = "api"
    verbose_name = "API"
