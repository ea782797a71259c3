"""URLs of the calendar pages."""

from django.urls import path

from s2s.calendars import views

app_name = "calendars"
urlpatterns = [
    path("", views.my_calendar, name="mine"),
    path("schools/<str:code>", views.school_calendar, name="school"),
    path("las/<str:number>", views.la_calendar, name="la"),
]
