"""The audit pages: the trail the user may see, filtered, paginated, and as CSV."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from s2s.accounts.decorators import requires
from s2s.accounts.policy import Action
from s2s.audit.forms import AuditFilterForm
from s2s.audit.selectors import audit_events_for
from s2s.core.downloads import csv_download

PAGE_SIZE = 50


@requires(Action.VIEW_AUDIT)
def audit_list(request):
    """List who did what, when and from where, newest first."""
    form = AuditFilterForm(request.user, request.GET)
    filters = form.filters() if form.is_valid() else {}
    events = audit_events_for(user=request.user, **filters)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/list.html", {"form": form, "page": page})


@requires(Action.VIEW_AUDIT)
def audit_export(request):
    """Download the filtered trail as CSV."""
    form = AuditFilterForm(request.user, request.GET)
    filters = form.filters() if form.is_valid() else {}
    events = audit_events_for(user=request.user, **filters).iterator(chunk_size=2000)
    rows = ([timezone.localtime(e.at).isoformat(), e.actor_username, e.action, e.object_type,
             e.object_id, e.summary, e.ip_address] for e in events)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return csv_download(
        filename=f"s2s-audit-{stamp}.csv", rows=rows,
        header=["at", "who", "action", "object_type", "object_id", "summary", "ip_address"])
