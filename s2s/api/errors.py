"""The API's one error shape, `{"message", "code", "field"}`, and the one handler that makes it.

Services raise `ServiceError` with a message a person can act on; the API answers with that
same message, so a connector shows its user exactly what the upload page would.

Language (issue 17): LocaleMiddleware activates the request's `Accept-Language` for /api/ as
for the pages (a token user's account language is not used: the calling program says what its
person reads). Services gettext their messages when they raise, so they come out in that
language; this module's own messages are worded when the refusal is answered, never at
import, and so are pydantic's schema errors (`schema_errors.py`, by their type code).
"""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from s2s.api.schema_errors import problem_words
from s2s.core.errors import NotFound, ServiceError

# Refusals for size answer 413, so a client can tell "too big" from "wrong" without parsing.
TOO_LARGE_CODES = frozenset({"zip_too_large", "too_large"})
# Refusals for something the service lacks for a moment (the store, the database) answer 503
# with Retry-After: nothing was kept, and the same request sent again later may well succeed.
UNAVAILABLE_CODES = frozenset({"storage_unavailable", "unavailable"})
RETRY_AFTER = 5  # seconds: a database restart or a store's hiccup takes a few


class ErrorOut(Schema):
    """Why a request was refused."""

    message: str
    code: str
    field: str | None = None


# The error answers every endpoint may give, for the OpenAPI document.
# 503: from the load shedder in front of Django (core/shedding.py), or the API's middleware when
# the database or the file store is briefly out of reach; the same shape either way.
ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 429: ErrorOut, 503: ErrorOut}


def _from_validation(exc: ValidationError) -> ServiceError:
    """Turn ninja's list of schema errors into one refusal naming the first field at fault.

    Each problem reads "where: what", the field's path as the schema names it (the same in
    every language) and pydantic's error worded in the request's language (`schema_errors`).
    """
    problems, field = [], None
    for error in exc.errors:
        where = [str(part) for part in error.get("loc", ())[1:]]  # drop "body"/"query"/"path"
        field = field or (where[-1] if where else None)
        problems.append(f"{'.'.join(where) or _request()}: {problem_words(error)}")
    return ServiceError("; ".join(problems) or _("The request is not valid."), code="invalid",
                        field=field)


def _request() -> str:
    return _("request")


def _ninja_words(message: str) -> str:
    # ninja's own refusal of a body it cannot parse (the one it words itself), in our words.
    if message.startswith("Cannot parse request body"):
        return _("The request body cannot be read: send valid JSON.")
    return message


def _too_many(exc: Throttled) -> ServiceError:
    limit, period = settings.S2S_API_RATE
    return ServiceError(
        _("Too many requests with this token: at most %(limit)d in %(period)d seconds. Try "
          "again in %(wait)d seconds.") % {"limit": limit, "period": period, "wait": exc.wait},
        code="rate_limited")


def _status_and_error(exc: Exception) -> tuple[int, ServiceError]:
    if isinstance(exc, AuthenticationError):
        return 401, ServiceError(
            _("Send a working API token: Authorization: Bearer <token>."), code="unauthorized")
    if isinstance(exc, Throttled):
        return 429, _too_many(exc)
    if isinstance(exc, Http404 | NotFound):
        return 404, NotFound(_("Not found."))
    if isinstance(exc, ValidationError):
        return 400, _from_validation(exc)
    if isinstance(exc, HttpError):
        return exc.status_code, ServiceError(_ninja_words(exc.message), code="http_error")
    assert isinstance(exc, ServiceError)
    if exc.code in UNAVAILABLE_CODES:
        return 503, exc
    return (413 if exc.code in TOO_LARGE_CODES else 400), exc


def error_response(request: HttpRequest, exc: Exception, *, api) -> HttpResponse:
    """Answer any refusal as `{"message", "code", "field"}` with its HTTP status."""
    status, error = _status_and_error(exc)
    response = api.create_response(request, error.as_dict(), status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="s2s"'
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER)
    return response


# The exceptions `error_response` answers; anything else is a bug and stays a 500.
HANDLED = (ServiceError, Http404, ValidationError, HttpError)
