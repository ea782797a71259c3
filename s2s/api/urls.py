"""URLs of API version 1, open to callers without a session: the bearer token is the check.

Endpoint patterns carry no names. The authorisation matrix (core) asks every named URL as a
signed-in person and expects a sign-in redirect for visitors; API endpoints answer 401 to a
missing token instead, and `api/tests/test_api_authorisation.py` asks each of them with a
token of every role. The OpenAPI document, its docs page and the root stay named (ninja
reverses the root to build the document's paths) and are public rows of the matrix.
"""

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, path
from django.views.generic import RedirectView

from s2s.api.v1 import api

PUBLIC_NAMES = {"openapi-json", "openapi-view"}

app_name = api.urls_namespace


def _open(pattern: URLPattern) -> URLPattern:
    """Return the pattern with its view let past LoginRequiredMiddleware and sign-in steps."""
    name = pattern.name if pattern.name in PUBLIC_NAMES else None
    return path(str(pattern.pattern), login_not_required(pattern.callback), name=name)


_patterns, _app, _namespace = api.urls
urlpatterns = [_open(p) for p in _patterns if p.name != "api-root"] + [
    # ninja's root answers 404 and only serves `reverse` to find the prefix: send people to
    # the docs instead.
    path("", login_not_required(RedirectView.as_view(pattern_name="api-v1:openapi-view")),
         name="api-root"),
]
