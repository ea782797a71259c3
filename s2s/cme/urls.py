"""URLs of the CME pages."""

from django.urls import path

from s2s.cme import case_views, views

app_name = "cme"
urlpatterns = [
    path("", views.signals, name="signals"),
    # CME cases (issue 14): cme/case_views.py
    path("cases/", case_views.caseload, name="cases"),
    path("cases/open/", case_views.case_open, name="case-open"),
    path("cases/<int:pk>/", case_views.case, name="case"),
    path("cases/<int:pk>/<slug:action>/", case_views.case_act, name="case-act"),
    path("signals/<int:pk>/case/", case_views.case_open_from_signal, name="case-open-signal"),
    path("csv/<slug:slug>", views.table_csv, name="csv"),
    path("signals/<int:pk>/", views.signal, name="signal"),
    path("school/", views.school, name="school"),
    path("returns/", views.return_list, name="returns"),
    path("returns/<int:pk>/received", views.return_received, name="return-received"),
]
