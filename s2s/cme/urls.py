"""URLs of the CME pages."""

from django.urls import path

from s2s.cme import views

app_name = "cme"
urlpatterns = [
    path("", views.signals, name="signals"),
    path("csv/<slug:slug>", views.table_csv, name="csv"),
    path("signals/<int:pk>/", views.signal, name="signal"),
    path("school/", views.school, name="school"),
    path("returns/", views.return_list, name="returns"),
    path("returns/<int:pk>/received", views.return_received, name="return-received"),
]
