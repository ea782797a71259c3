"""URLs of the file exchange pages."""

from django.urls import path

from s2s.transfers import views

app_name = "transfers"
urlpatterns = [
    path("inbox", views.inbox, name="inbox"),
    path("upload", views.upload, name="upload"),
    path("upload/results", views.upload_results, name="upload-results"),
    path("generic", views.generic, name="generic"),
    path("sent", views.outbox, name="outbox"),
    path("download.zip", views.download_zip, name="download-zip"),
    path("collected", views.collect_many, name="collect-many"),
    path("<int:pk>", views.detail, name="detail"),
    path("<int:pk>/download", views.download, name="download"),
    path("<int:pk>/collected", views.collect, name="collect"),
    path("<int:pk>/reject", views.reject, name="reject"),
    path("<int:pk>/delete", views.delete, name="delete"),
]
