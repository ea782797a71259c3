"""URLs of the directory pages."""

from django.urls import path

from s2s.directory import views

app_name = "directory"
urlpatterns = [
    path("las/", views.la_list, name="la-list"),
    path("las/new", views.la_create, name="la-create"),
    path("las/<str:number>", views.la_detail, name="la-detail"),
    path("las/<str:number>/edit", views.la_edit, name="la-edit"),
    path("la/", views.my_la, name="my-la"),
    path("la/edit", views.my_la_edit, name="my-la-edit"),
    path("schools/", views.school_list, name="school-list"),
    path("schools/<str:code>", views.school_detail, name="school-detail"),
    path("schools/<str:code>/edit", views.school_edit, name="school-edit"),
    path("schools/<str:code>/successor", views.school_successor, name="school-successor"),
    path("agencies/", views.agency_list, name="agency-list"),
    path("agencies/new", views.agency_create, name="agency-create"),
]
