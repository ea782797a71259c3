"""The partnerships pages: a school's partnerships, one partnership, its pupils, a pupil."""

from django.urls import path

from s2s.partnerships import views

app_name = "partnerships"

urlpatterns = [
    path("", views.partnership_list, name="list"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/sign/", views.sign, name="sign"),
    path("<int:pk>/renew/", views.renew, name="renew"),
    path("<int:pk>/end/", views.end, name="end"),
    path("<int:pk>/pupils/", views.pupils, name="pupils"),
    path("<int:pk>/pupils/<str:upn>/", views.pupil, name="pupil"),
    path("<int:pk>/pupils/<str:upn>/csv/", views.pupil_csv, name="pupil-csv"),
]
