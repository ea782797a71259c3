"""URLs of the Lost Pupil Database pages."""

from django.urls import path

from s2s.lostpupils import views

app_name = "lostpupils"
urlpatterns = [
    path("", views.search, name="search"),
    path("our-schools/", views.la_records, name="la-records"),
    path("<int:pk>/", views.record, name="record"),
    path("<int:pk>/download/", views.download, name="download"),
    path("<int:pk>/download/file/", views.download_file, name="file"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
    path("<int:pk>/forward/", views.forward, name="forward"),
    path("<int:pk>/remove/", views.remove, name="remove"),
]
