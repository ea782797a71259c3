"""Plumbing shared by every app: errors, base templates, navigation."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "s2s.core"
    label = "core"
