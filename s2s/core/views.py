"""The start page, the health and readiness checks, and the metrics for Prometheus."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4

from s2s.accounts.decorators import requires
from s2s.accounts.policy import Action
from s2s.core.health import readiness_down
from s2s.core.metrics import metrics_allowed, metrics_text
from s2s.core.navigation import menu_sections

# What needs the person, at the top of the start page: each a function of the request
# returning a list of {"count", "text", "url", "hint"} (empty when it is not for this user),
# counted by the apps' selectors, already narrowed by the policy.
START_NEEDS = [
    "s2s.transfers.startpage.waiting_files",
    "s2s.transfers.startpage.rejected_files",
    "s2s.messaging.startpage.unread_messages",
    "s2s.cme.panels.school_needs",
    "s2s.agencies.startpage.unread_notifications",
]
# Panels the apps put on the start page below that: each a function of the request returning
# a dict with its "template" (rendered with the dict as `panel`), or None when it is not for
# this user.
START_PANELS = ["s2s.reports.dashboard.la_start_panel", "s2s.feeds.panels.la_start_panel",
                "s2s.feeds.panels.school_start_panel", "s2s.cme.panels.school_start_panel"]


def _start_needs(request) -> list[dict]:
    return [item for path in START_NEEDS for item in import_string(path)(request)]


def _start_panels(request) -> list[dict]:
    panels = (import_string(path)(request) for path in START_PANELS)
    return [panel for panel in panels if panel is not None]


def _place(user) -> str:
    """Return the name of the school, LA or agency the user works for, with its number."""
    if user.establishment_id:
        return f"{user.establishment.name} ({user.establishment.code})"
    if user.la_id:
        return f"{user.la.name} ({user.la.number})"
    if user.agency_id:
        return user.agency.name
    return _("School to school secure transfer")


@requires(Action.USE_PAGES)
def start(request):
    """Show the signed-in user's start page: where they work, what needs them, what they can do."""
    return render(request, "core/start.html", {
        "place": _place(request.user), "needs": _start_needs(request),
        "panels": _start_panels(request),
        "sections": menu_sections(request.user, exclude=request.path)})


@login_not_required
@require_GET
def health(request):
    """Answer 200 "ok" while this process answers at all: no database, nothing else asked."""
    return HttpResponse("ok", content_type="text/plain")


@login_not_required
@require_GET
def ready(request):
    """Answer 200 when the database, file store and task queue answer, else 503 naming them.

    Nothing else is said: no versions, hosts or errors (those go to the log).
    """
    down = readiness_down()
    if down:
        response = JsonResponse({"status": "unavailable", "down": down}, status=503)
    else:
        response = JsonResponse({"status": "ok"})
    response["Cache-Control"] = "no-store"
    return response


@login_not_required
@require_GET
def metrics(request):
    """Give Prometheus the metrics, if the address or token may have them; else Not Found."""
    if not metrics_allowed(request):
        raise Http404
    response = HttpResponse(metrics_text(), content_type=CONTENT_TYPE_PLAIN_0_0_4)
    response["Cache-Control"] = "no-store"
    return response


@login_not_required
def robots(request):
    """Keep search engines away from every page."""
    return HttpResponse("User-agent: *\nDisallow: /\n", content_type="text/plain")


def server_error(request):
    """Show the styled 500 page, with the person's menu when it can still be drawn.

    The error may be the database itself, which the menu needs: then Django's own handler
    draws the same page without the request's context.
    """
    try:
        return render(request, "500.html", status=500)
    except Exception:
        return defaults.server_error(request)
