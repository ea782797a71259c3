"""The CME officer's case pages: the caseload, a case, opening one, acting on one (issue 14)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from s2s.accounts.decorators import requires
from s2s.accounts.policy import Action, get_for
from s2s.cme import cases, services
from s2s.cme.case_forms import CaseActForm, CaseOpenForm, ConfirmForm
from s2s.cme.models import CaseState, Signal
from s2s.core.forms import form_page, form_submit, posted
from s2s.ctf.words import Text

CLOSED_SHOWN = 200  # closed cases listed on the page, latest first; the API pages them all


@requires(Action.MANAGE_CME_CASES)
def caseload(request):
    """List the LA's cases by state: overdue first, then longest in their state (audited)."""
    state = request.GET.get("state") if request.GET.get("state") in CaseState.values else None
    every = cases.case_list(user=request.user)
    counts = {value: 0 for value in CaseState.values}
    for value in every.values_list("state", flat=True):
        counts[value] += 1
    if state == CaseState.CLOSED:
        shown = list(every.filter(state=state).order_by("-closed_at", "-pk")[:CLOSED_SHOWN])
    else:
        shown = list(every.filter(state=state) if state else every.exclude(state="closed"))
    rows = cases.caseload(shown)
    if shown:
        cases.cases_viewed(user=request.user, shown=shown, request=request,
                           filters={"state": state or "open"})
    return render(request, "cme/cases/list.html", {
        "rows": rows, "state": state, "state_label": CaseState(state).label if state else "",
        "states": [{"value": v, "label": label, "count": counts[v]}
                   for v, label in CaseState.choices],
        "overdue": sum(1 for _case, timer in rows if timer.overdue)})


@requires(Action.MANAGE_CME_CASES)
def case(request, pk):
    """Show a case: the child, its signals, the checklist, the timeline, the actions (audited)."""
    found = cases.case_read(user=request.user, case_id=pk, request=request)
    return render(request, "cme/cases/case.html", {
        "case": found, "timer": cases.case_timers([found])[found.pk],
        "signals": cases.case_signals(user=request.user, case=found),
        "checklist": cases.case_checklist(found), "events": list(found.events.all()),
        "event_labels": cases.EVENT_LABELS, "actions": cases.case_actions_open(found.state)})


@requires(Action.MANAGE_CME_CASES)
def case_open(request):
    """Open a case by UPN, for a child on no school's roll."""
    form = CaseOpenForm(posted(request))
    opened = form_submit(request, form, lambda data: cases.case_open(
        user=request.user, upn=data["upn"], surname=data["surname"],
        forename=data["forename"], dob=data["dob"], request=request))
    if opened:
        return redirect("cme:case", pk=opened.pk)
    return form_page(request, form, title=_("Open a case"), back_url=reverse("cme:cases"),
                     back_label=_("Cases"), lead=_(
                         "For a child on no school's roll, not recorded as home educated or "
                         "gone abroad. For a child with a signal, open the case from the "
                         "signal."))


@requires(Action.MANAGE_CME_CASES)
def case_open_from_signal(request, pk):
    """Open a case from one of the LA's signals."""
    signal = get_for(request.user, Signal.objects.select_related("establishment"),
                     Action.VIEW_CME_SIGNALS, pk=pk)
    if request.method == "GET":
        services.signals_viewed(user=request.user, shown=[signal], request=request,
                                filters={"signal": signal.pk},
                                summary=Text(gettext_noop("1 signal")))
    form = ConfirmForm(posted(request), submit=_("Open the case"))
    opened = form_submit(request, form, lambda data: cases.case_open(
        user=request.user, signal_id=signal.pk, request=request))
    if opened:
        return redirect("cme:case", pk=opened.pk)
    return form_page(request, form, title=_("Open a case from this signal"),
                     back_url=reverse("cme:signals") + f"?kind={signal.kind}",
                     back_label=_("Signals"), details="cme/cases/_signal.html",
                     context={"signal": signal})


@requires(Action.MANAGE_CME_CASES)
def case_act(request, pk, action):
    """Record one action on a case; a refused one is shown on the form, saying why."""
    if action not in cases.ACTION_LABELS:
        raise Http404
    found = cases.case_get(user=request.user, case_id=pk, action=Action.MANAGE_CME_CASES)
    label = cases.ACTION_LABELS[action]
    form = CaseActForm(posted(request), action=action, submit=label)
    if form_submit(request, form, lambda data: cases.case_act(
            user=request.user, case_id=found.pk, action=action, request=request, **data)):
        messages.success(request, _("Recorded: %(action)s.") % {"action": label})
        return redirect("cme:case", pk=found.pk)
    return form_page(request, form, title=label, caption=_("Case %(id)s") % {"id": found.pk},
                     back_url=reverse("cme:case", kwargs={"pk": found.pk}),
                     back_label=_("Case %(id)s") % {"id": found.pk},
                     details="cme/cases/_summary.html", context={"case": found})
