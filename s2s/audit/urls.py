"""URLs of the audit pages."""

app_name = "audit"
urlpatterns = []
