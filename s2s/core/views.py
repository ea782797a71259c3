"""The start page and the service's health check."""

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.module_loading import import_string
from django.views.decorators.http import require_GET

from s2s.accounts.decorators import requires
from s2s.accounts.policy import Action
from s2s.core.navigation import menu_for

# Panels the apps put on the start page: each a function of the request returning a dict with
# its "template" (rendered with the dict as `panel`), or None when it is not for this user.
START_PANELS = ["s2s.reports.dashboard.la_start_panel", "s2s.feeds.panels.la_start_panel",
                "s2s.feeds.panels.school_start_panel"]


def _start_panels(request) -> list[dict]:
    panels = (import_string(path)(request) for path in START_PANELS)
    return [panel for panel in panels if panel is not None]


@requires(Action.USE_PAGES)
def start(request):
    """Show the signed-in user's start page: its apps' panels and what their role can do."""
    entries = [item for item in menu_for(request.user) if item["url"] != request.path]
    return render(request, "core/start.html",
                  {"entries": entries, "panels": _start_panels(request)})


@login_not_required
@require_GET
def health(request):
    """Answer 200 when the service and its database are up (for load balancers)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_not_required
def robots(request):
    """Keep search engines away from every page."""
    return HttpResponse("User-agent: *\nDisallow: /\n", content_type="text/plain")
