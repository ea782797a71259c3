"""The LA message report (seed 003, 7.7): which schools have unread messages, as a page and CSV."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from s2s.accounts.decorators import requires
from s2s.accounts.policy import Action, scope
from s2s.core.downloads import csv_download
from s2s.directory.models import LocalAuthority
from s2s.messaging import selectors
from s2s.messaging.forms import ReportForm


def _report_la(request):
    """Return the LAs the user may report on, and the one asked for (the first by default).

    An LA asked for that is unknown or outside the user's scope answers 404, as elsewhere.
    """
    las = list(scope(request.user, LocalAuthority.objects.all(), Action.MESSAGE_REPORT))
    wanted = request.GET.get("la")
    if not wanted:
        return las, las[0] if las else None
    chosen = next((la for la in las if la.number == wanted), None)
    if chosen is None:
        raise Http404
    return las, chosen


@requires(Action.MESSAGE_REPORT)
def report(request):
    """Show which of an LA's schools have unread messages, and how many: no content, no sender."""
    las, la = _report_la(request)
    rows = selectors.unread_by_school(la=la) if la else []
    return render(request, "messaging/report.html", {
        "la": la, "rows": rows, "form": ReportForm(initial={"la": la and la.number}, las=las),
        "show_picker": len(las) > 1,
    })


@requires(Action.MESSAGE_REPORT)
def report_csv(request):
    """Download the message report as CSV."""
    las, la = _report_la(request)
    rows = selectors.unread_by_school(la=la) if la else []
    return csv_download(
        filename=f"s2s-messages-{la.number if la else 'none'}.csv",
        header=["establishment_number", "school", "unread_messages", "oldest_unread"],
        rows=([r["code"], r["name"], r["unread"],
               timezone.localtime(r["oldest"]).date().isoformat()] for r in rows))
