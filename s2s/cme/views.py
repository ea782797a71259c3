"""The CME pages: parse, ask the policy (through the selectors), render."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from s2s.accounts.decorators import requires
from s2s.accounts.policy import Action, can, get_for, has_capability
from s2s.audit.services import english_words
from s2s.cme import dashboard, returns, selectors, services
from s2s.cme.models import Signal
from s2s.cme.signals import Kind
from s2s.core.downloads import csv_download
from s2s.core.errors import ServiceError
from s2s.ctf.words import Text

SHOWN = 200  # open signals listed on the page; the API pages through them all


def _kind(request) -> str | None:
    return request.GET.get("kind") if request.GET.get("kind") in Kind.values else None


@requires(Action.CME_DASHBOARD)
def signals(request):
    """Show the LA's dashboard, then the open signals of one kind (audited)."""
    kind = _kind(request)
    open_signals = selectors.signal_list(user=request.user, status="open")
    shown = list(open_signals.filter(kind=kind)[:SHOWN]) if kind else []
    if shown:
        services.signals_viewed(user=request.user, shown=shown, request=request,
                                filters={"kind": kind, "status": "open"},
                                summary=Text(gettext_noop("%(count)s open signals: %(kind)s"),
                                             count=len(shown),
                                             kind=english_words(Kind(kind).label)))
    tables = dashboard.dashboard_tables(user=request.user)
    return render(request, "cme/signals.html", {
        "tables": tables, "kinds": Kind.choices, "kind": kind,
        "kind_label": Kind(kind).label if kind else "", "shown": shown,
        "total": open_signals.filter(kind=kind).count() if kind else 0, "limit": SHOWN})


@requires(Action.CME_DASHBOARD)
def table_csv(request, slug):
    """Download one of the dashboard's lists as CSV (audited); `signals` needs a kind."""
    if slug == "signals":
        kind = _kind(request)
        if kind is None:
            raise Http404
        shown = list(selectors.signal_list(user=request.user, status="open", kind=kind))
        header, rows = dashboard.signal_rows(shown)
        dashboard.dashboard_downloaded(user=request.user, slug=slug, signals=shown,
                                       filters={"kind": kind}, request=request)
        return csv_download(filename=f"cme-open-{kind}.csv", header=header, rows=rows)
    table = dashboard.dashboard_table(user=request.user, slug=slug)
    dashboard.dashboard_downloaded(user=request.user, slug=slug, filters={}, request=request)
    return csv_download(filename=f"cme-{slug}.csv", header=table.header, rows=table.rows)


@requires(Action.VIEW_CME_SIGNALS)
def signal(request, pk):
    """Show one signal: the pupil, the rule met and what the hub found (audited)."""
    shown = get_for(request.user, Signal.objects.select_related("establishment__la"),
                    Action.VIEW_CME_SIGNALS, pk=pk)
    services.signals_viewed(user=request.user, shown=[shown], request=request,
                            filters={"signal": shown.pk},
                            summary=Text(gettext_noop("signal %(number)s"), number=shown.pk))
    found = shown.detail.get("found") or {}
    return render(request, "cme/signal.html", {
        "signal": shown, "lpd": found.get("lpd", []), "inboxes": found.get("inboxes", []),
        "back": "cme:signals" if has_capability(request.user, Action.CME_DASHBOARD)
        else "cme:school" if request.user.establishment_id else None})


@requires(Action.VIEW_CME_SIGNALS)
def school(request):
    """Show a school its own open signals and the returns it owes its LA (audited)."""
    if not request.user.establishment_id:
        raise Http404
    open_signals = list(selectors.signal_list(user=request.user, status="open")[:SHOWN])
    owed = list(returns.return_list(user=request.user, status=returns.OUTSTANDING))
    services.signals_viewed(user=request.user, shown=open_signals, request=request,
                            filters={"status": "open"},
                            summary=Text(gettext_noop("the school's open signals")))
    returns.returns_viewed(user=request.user, shown=owed, request=request,
                           filters={"status": "outstanding"},
                           summary=Text(gettext_noop("the school's returns")))
    return render(request, "cme/school.html", {
        "signals": open_signals, "owed": [returns.return_summary(item) for item in owed]})


@requires(Action.CME_DASHBOARD)
def return_list(request):
    """Show the LA's outstanding returns, each with its button to mark it received (audited)."""
    owed = list(returns.return_list(user=request.user, status=returns.OUTSTANDING)[:SHOWN])
    returns.returns_viewed(user=request.user, shown=owed, request=request,
                           filters={"status": "outstanding"},
                           summary=Text(gettext_noop("outstanding returns")))
    return render(request, "cme/returns.html", {
        "owed": [returns.return_summary(item) for item in owed], "limit": SHOWN,
        "can_receive": can(request.user, Action.RECEIVE_CME_RETURNS),
        "today": timezone.localdate()})


@require_POST
@requires(Action.RECEIVE_CME_RETURNS)
def return_received(request, pk):
    """Mark a return received, then go back to the list with what was done."""
    try:
        item = returns.return_receive(user=request.user, pk=pk, request=request)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The return for %(upn)s is marked received.")
                         % {"upn": item.upn})
    return redirect("cme:returns")
