"""URLs of the CME pages."""

from django.urls import path

from s2s.cme import views

app_name = "cme"
urlpatterns = [
    path("", views.signals, name="signals"),
]
