"""URLs of the directory pages."""

app_name = "directory"
urlpatterns = []
