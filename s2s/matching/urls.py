"""URLs of the matcher's pages: review of proposed pairs, and the runs."""

from django.urls import path

from s2s.matching import views

app_name = "matching"
urlpatterns = [
    path("", views.pairs, name="pairs"),
    path("<int:pk>/", views.pair, name="pair"),
    path("<int:pk>/accept/", views.accept, name="accept"),
    path("<int:pk>/reject/", views.reject, name="reject"),
    path("<int:pk>/forward/", views.forward, name="forward"),
    path("runs/", views.runs, name="runs"),
]
