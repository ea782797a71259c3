"""URLs of the secure messaging pages."""

from django.urls import path

from s2s.messaging import views, views_saved

app_name = "messaging"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>", views.read, name="read"),
    path("<int:pk>/delete", views.delete, name="delete"),
    path("sent", views.sent, name="sent"),
    path("sent/<int:pk>", views.sent_detail, name="sent-detail"),
    path("new", views.compose_page, name="compose"),
    path("new/preview", views.preview, name="preview"),
    # Templates, groups and the LA report (views_saved.py)
    path("templates", views_saved.templates, name="templates"),
    path("templates/add", views_saved.template_add, name="template-add"),
    path("templates/<int:pk>", views_saved.template_detail, name="template-detail"),
    path("templates/<int:pk>/edit", views_saved.template_edit, name="template-edit"),
    path("templates/<int:pk>/copy", views_saved.template_copy, name="template-copy"),
    path("templates/<int:pk>/delete", views_saved.template_delete, name="template-delete"),
    path("groups", views_saved.groups, name="groups"),
    path("groups/add", views_saved.group_add, name="group-add"),
    path("groups/<int:pk>/edit", views_saved.group_edit, name="group-edit"),
    path("groups/<int:pk>/delete", views_saved.group_delete, name="group-delete"),
    path("report", views_saved.report, name="report"),
    path("report.csv", views_saved.report_csv, name="report-csv"),
]
