"""The CME pages: parse, ask the policy (through the selectors), render."""

from django.db.models import Count
from django.shortcuts import render

from s2s.accounts.decorators import requires
from s2s.accounts.policy import Action
from s2s.cme import selectors, services
from s2s.cme.signals import Kind

SHOWN = 200  # open signals listed on the page; the API pages through them all


@requires(Action.CME_DASHBOARD)
def signals(request):
    """Show the LA's open signals: how many of each kind, then those of one kind (audited)."""
    kind = request.GET.get("kind") if request.GET.get("kind") in Kind.values else None
    open_signals = selectors.signal_list(user=request.user, status="open")
    counts = dict(open_signals.values_list("kind").annotate(n=Count("pk")).order_by())
    shown = list(open_signals.filter(kind=kind)[:SHOWN]) if kind else []
    if shown:
        services.signals_viewed(user=request.user, shown=shown, request=request,
                                filters={"kind": kind, "status": "open"},
                                summary=f"{len(shown)} open {kind} signals")
    kinds = [{"value": value, "label": label, "count": counts.get(value, 0)}
             for value, label in Kind.choices]
    return render(request, "cme/signals.html", {
        "kinds": kinds, "kind": kind, "kind_label": Kind(kind).label if kind else "",
        "shown": shown, "total": counts.get(kind, 0) if kind else 0, "limit": SHOWN})
