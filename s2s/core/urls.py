"""URLs of the core pages."""

from django.urls import path

from s2s.core import views

app_name = "core"
urlpatterns = [
    path("", views.start, name="start"),
    path("healthz", views.health, name="health"),
    path("readyz", views.ready, name="ready"),
    path("metrics", views.metrics, name="metrics"),
    path("robots.txt", views.robots, name="robots"),
]
