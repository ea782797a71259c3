"""Pages of the matcher: the pairs to review, one pair side by side, and the runs (issue 15)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from s2s.accounts.decorators import requires
from s2s.accounts.policy import Action, can, get_for
from s2s.core.errors import ServiceError
from s2s.matching import selectors, services
from s2s.matching.models import Band, MatchPair, PairStatus, RunStatus
from s2s.matching.words import STEP_WORDS

PER_PAGE = 50


@requires(Action.REVIEW_MATCHES)
def pairs(request):
    """List the pairs to review, most likely first, by band and school; show the progress."""
    band = request.GET.get("band", "") if request.GET.get("band") in Band.values else ""
    status = request.GET.get("status", PairStatus.PROPOSED)
    status = status if status in PairStatus.values else ""
    school = request.GET.get("school", "")
    page = Paginator(selectors.pairs_for(request.user, band=band, school=school, status=status),
                     PER_PAGE).get_page(request.GET.get("page"))
    services.match_pairs_listed(user=request.user, pairs=page.object_list, request=request)
    return render(request, "matching/pairs.html", {
        "page": page, "band": band, "school": school, "status": status,
        "bands": Band.choices, "statuses": PairStatus.choices,
        "schools": selectors.pair_schools(request.user),
        "progress": selectors.review_progress(request.user),
    })


def _pair(request, pk: int) -> MatchPair:
    return get_for(request.user, MatchPair.objects.select_related(
        "lost_pupil__transfer", "lost_pupil__uploading_la", "lost_pupil__uploading_school",
        "roll_record__establishment", "reviewed_by"), Action.REVIEW_MATCHES, pk=pk)


@requires(Action.REVIEW_MATCHES)
def pair(request, pk):
    """Show one pair side by side, field by field, with its reason and weights; audited."""
    found = _pair(request, pk)
    services.match_pair_view(user=request.user, pair=found, request=request)
    weights, chart = selectors.pair_weights(found)
    return render(request, "matching/pair.html", {
        "pair": found, "rows": selectors.pair_rows(found), "weights": weights, "chart": chart,
        "can_decide": services.may_decide(request.user, found),
        "can_forward": (found.status == PairStatus.ACCEPTED
                        and can(request.user, Action.DOWNLOAD_LPD, found.lost_pupil)),
    })


def _decide(request, pk, service, done: str):
    found = _pair(request, pk)
    try:
        service(user=request.user, pair=found, request=request)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("matching:pair", pk=found.pk)
    messages.success(request, done)
    return redirect("matching:pair", pk=found.pk)


@require_POST
@requires(Action.REVIEW_MATCHES)
def accept(request, pk):
    """Accept the pair: the lost pupil is found at the school; the uploading LA is told."""
    return _decide(request, pk, services.match_pair_accept, _(
        "Match accepted. The record is marked found by your LA and the LA that sent the file "
        "has been told."))


@require_POST
@requires(Action.REVIEW_MATCHES)
def reject(request, pk):
    """Reject the pair: it is never proposed again."""
    return _decide(request, pk, services.match_pair_reject,
                   _("Match rejected. This pair will not be proposed again."))


@require_POST
@requires(Action.DOWNLOAD_LPD)
def forward(request, pk):
    """Send an accepted pair's file to the school that has the child, in one step."""
    found = _pair(request, pk)
    try:
        new = services.match_pair_forward(user=request.user, pair=found, request=request)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("matching:pair", pk=found.pk)
    messages.success(request, _("The CTF was sent to %(school)s as %(name)s.")
                     % {"school": new.destination_code, "name": new.name})
    return redirect("matching:pair", pk=found.pk)


@requires(Action.MATCH_RUNS)
def runs(request):
    """Show the runs, their figures and progress, and the current model; start a full run."""
    if request.method == "POST":
        try:
            services.match_run_start(user=request.user, request=request)
            messages.success(request, _("A full match run has been queued."))
        except ServiceError as error:
            messages.error(request, error.message)
        return redirect("matching:runs")
    page = Paginator(selectors.runs(), PER_PAGE).get_page(request.GET.get("page"))
    running = selectors.runs().filter(status=RunStatus.RUNNING).first()
    model, chart = selectors.current_model()
    return render(request, "matching/runs.html", {
        "page": page, "running": running, "model": model, "chart": chart,
        "running_step": running and STEP_WORDS.get(running.progress_step,
                                                    running.progress_step),
    })
