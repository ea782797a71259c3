"""The feeds pages: a feed's report, and the LA's feed health."""

from django.urls import path

from s2s.feeds import views

app_name = "feeds"

urlpatterns = [
    path("health/", views.health, name="health"),
    path("<int:pk>/", views.report, name="report"),
]
