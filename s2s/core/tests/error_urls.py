"""The project's URLs plus one that fails, for the 500 page's test."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from s2s.urls import handler500  # noqa: F401
from s2s.urls import urlpatterns as project_urlpatterns


@login_not_required
def fail(request):
    """Fail, as a bug would."""
    raise RuntimeError("a bug")


urlpatterns = [*project_urlpatterns, path("fail-for-test", fail)]
