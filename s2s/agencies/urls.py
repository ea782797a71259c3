"""URLs of the agencies pages."""

from django.urls import path

from s2s.agencies import views

app_name = "agencies"
urlpatterns = [
    path("agreements/", views.agreement_list, name="agreement-list"),
    path("agreements/new", views.agreement_create, name="agreement-create"),
    path("agreements/<int:pk>/end", views.agreement_end, name="agreement-end"),
    path("encompass/", views.encompass_list, name="encompass-list"),
    path("encompass/new", views.encompass_create, name="encompass-create"),
    path("encompass/<int:pk>", views.encompass_detail, name="encompass-detail"),
]
