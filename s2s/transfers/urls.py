"""URLs of the file exchange pages."""

from django.urls import path

from s2s.transfers import views, views_monitoring

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
    # LA monitoring, LA copies and phase transfer (views_monitoring.py)
    path("la/monitoring", views_monitoring.la_monitoring, name="la-monitoring"),
    path("la/not-collected", views_monitoring.la_not_collected, name="la-not-collected"),
    path("la/<int:pk>/forward", views_monitoring.la_forward, name="la-forward"),
    path("la/<int:pk>/delete", views_monitoring.la_delete, name="la-delete"),
    path("la/copies", views_monitoring.la_copies, name="la-copies"),
    path("la/copies/<int:pk>", views_monitoring.la_copy_download, name="la-copy-download"),
    path("la/<int:pk>/phase-transfer", views_monitoring.phase_transfer, name="phase-transfer"),
    path("la/<int:pk>/phase-transfer/results", views_monitoring.phase_transfer_results,
         name="phase-transfer-results"),
]
