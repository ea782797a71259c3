"""The project's URLs: one include per app."""

from django.contrib.auth.decorators import login_not_required
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView


class _AssetRedirect(RedirectView):
    """GOV.UK Frontend's compiled CSS asks for fonts and images under /assets/."""

    def get_redirect_url(self, *args, **kwargs):
        return static(f"govuk/assets/{kwargs['path']}")


urlpatterns = [
    # First: Django tries each pattern in turn, and core's empty prefix takes every path into
    # its own list; an MIS connector's request was resolving 100-odd page patterns first.
    path("api/v1/", include("s2s.api.urls")),
    path("", include("s2s.core.urls")),
    path("account/", include("s2s.accounts.urls")),
    path("directory/", include("s2s.directory.urls")),
    path("audit/", include("s2s.audit.urls")),
    path("files/", include("s2s.transfers.urls")),
    path("lost-pupils/", include("s2s.lostpupils.urls")),
    path("matches/", include("s2s.matching.urls")),
    path("messages/", include("s2s.messaging.urls")),
    path("reports/", include("s2s.reports.urls")),
    path("feeds/", include("s2s.feeds.urls")),
    path("calendars/", include("s2s.calendars.urls")),
    path("cme/", include("s2s.cme.urls")),
    path("partnerships/", include("s2s.partnerships.urls")),
    path("agencies/", include("s2s.agencies.urls")),
    path("assets/<path:path>", login_not_required(_AssetRedirect.as_view(permanent=True))),
]

# 400, 403 and 404 are Django's handlers drawing core's templates; 500 tries the menu too.
handler500 = "s2s.core.views.server_error"
