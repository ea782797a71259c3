"""The API while the database is away (issue 18): 503 with `Retry-After`, never a 500.

A restart or failover of PostgreSQL cuts every open session: the request that was using one
fails with `OperationalError` or `InterfaceError`, wherever it was (the token, the rate
count, the service). Its transaction is rolled back and `atomic_with_files` has deleted any
object it stored, so nothing of it remains and the client may simply send it again. This
middleware says so in the API's one error shape, and closes the broken connection so the
next request of this thread opens a fresh one.
"""

from django.db import InterfaceError, OperationalError, connections
from django.http import JsonResponse
from django.utils.translation import gettext as _

from s2s.api.errors import RETRY_AFTER


def database_unavailable_response() -> JsonResponse:
    """Answer 503 in the API's error shape, with the seconds to wait in `Retry-After`."""
    response = JsonResponse({
        "message": _("The service could not reach its database, so nothing was done. Try "
                     "again in %(wait)d seconds.") % {"wait": RETRY_AFTER},
        "code": "unavailable", "field": None,
    }, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    return response


class DatabaseUnavailableMiddleware:
    """Turn a lost database connection under /api/ into a retryable 503."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not request.path.startswith("/api/"):
            return None
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        for connection in connections.all(initialized_only=True):
            connection.close_if_unusable_or_obsolete()
        return database_unavailable_response()
