"""Version 1 of the API: its routers, its token authentication and its one error handler."""

from functools import partial

from ninja import NinjaAPI

from s2s.api.auth import BearerToken
from s2s.api.errors import HANDLED, error_response
from s2s.api.files import router as files_router
from s2s.api.reports import router as reports_router
from s2s.api.throttling import TokenRate


class _NinjaAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        """Name each operation by its function (`file_upload`), for generated clients."""
        return operation.view_func.__name__


api = _NinjaAPI(
    title="s2s API",
    version="1",
    description=(
        "The API for MIS connectors and schools: send Common Transfer Files and generic zips, "
        "list and collect what was sent to you. Every call needs `Authorization: Bearer "
        "<token>` (`s2s create_token USERNAME`); a token acts with its user's role and scope. "
        "Errors are `{\"message\", \"code\", \"field\"}`; a request that does not fit its "
        "schema is 400 `invalid`, its message each problem as `path: what is wrong`; messages "
        "come in Welsh with `Accept-Language: cy`, codes and paths never change; anything "
        "outside your scope is 404; "
        "over the token's rate limit (`S2S_API_RATE`, 600 a minute by default) 429 with "
        "`Retry-After`. 503 with `Retry-After` means nothing was kept and the same request "
        "sent again after that many seconds will be served: the service was busier than it "
        "can serve (`busy`), or could not reach its database or file store for a moment."
    ),
    auth=BearerToken(),
    throttle=[TokenRate()],
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
api.add_router("/files", files_router)
api.add_router("/reports", reports_router)
api.add_router("/lost-pupils", "s2s.api.lostpupils.router")
api.add_router("/messages", "s2s.api.messages.router")
api.add_router("/feeds", "s2s.api.feeds.router")
api.add_router("", "s2s.api.calendars.router")
api.add_router("/cme", "s2s.api.cme.router")
api.add_router("/cme/cases", "s2s.api.cme_cases.router")
api.add_router("/partnerships", "s2s.api.partnerships.router")
api.add_router("/encompass", "s2s.api.encompass.router")

for _exception in HANDLED:
    api.add_exception_handler(_exception, partial(error_response, api=api))
