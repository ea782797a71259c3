"""URLs of the report pages: each report at a stable address, and its CSV beside it."""

from django.urls import path

from s2s.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_index, name="index"),
    path("<slug:name>.csv", views.report_csv, name="csv"),
    path("<slug:name>/", views.report_page, name="report"),
]
