"""URLs of the secure messaging pages."""

from django.urls import path

from s2s.messaging import views, views_groups, views_report, views_templates

app_name = "messaging"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>", views.read, name="read"),
    path("<int:pk>/delete", views.delete, name="delete"),
    path("sent", views.sent, name="sent"),
    path("sent/<int:pk>", views.sent_detail, name="sent-detail"),
    path("new", views.compose_page, name="compose"),
    path("new/preview", views.preview, name="preview"),
    path("templates", views_templates.templates, name="templates"),
    path("templates/add", views_templates.template_add, name="template-add"),
    path("templates/<int:pk>", views_templates.template_detail, name="template-detail"),
    path("templates/<int:pk>/edit", views_templates.template_edit, name="template-edit"),
    path("templates/<int:pk>/copy", views_templates.template_copy, name="template-copy"),
    path("templates/<int:pk>/delete", views_templates.template_delete, name="template-delete"),
    path("groups", views_groups.groups, name="groups"),
    path("groups/add", views_groups.group_add, name="group-add"),
    path("groups/<int:pk>/edit", views_groups.group_edit, name="group-edit"),
    path("groups/<int:pk>/delete", views_groups.group_delete, name="group-delete"),
    path("report", views_report.report, name="report"),
    path("report.csv", views_report.report_csv, name="report-csv"),
]
