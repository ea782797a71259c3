"""Pages of LA monitoring (seed 003, 5.3), LA copies (3.9) and phase transfer (1.5)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from s2s.accounts.decorators import requires
from s2s.accounts.policy import Action, get_for
from s2s.core.downloads import download_response
from s2s.core.errors import ServiceError
from s2s.core.forms import form_page, form_submit
from s2s.messaging.compose import schools_of
from s2s.transfers import monitoring
from s2s.transfers.forms import ReasonForm
from s2s.transfers.forms_monitoring import (
    AllocationPickForm,
    AllocationUploadForm,
    ForwardForm,
    MonitoringFilterForm,
    SchoolFilterForm,
)
from s2s.transfers.models import Transfer, TransferStatus
from s2s.transfers.services.copies import transfer_copy_open
from s2s.transfers.services.forward import transfer_forward
from s2s.transfers.services.phase import phase_source, phase_transfer_split
from s2s.transfers.services.receive import transfer_delete

PER_PAGE = 50
FILES_PER_PAGE = 20  # the not-collected view lists every pupil of each file
PHASE_RESULTS_KEY = "transfers_phase_results"


@requires(Action.MONITOR_LA_FILES)
def la_monitoring(request):
    """Show one tab (within, incoming, outgoing): counts, then the files with their ages."""
    view = monitoring.monitoring_view(request.GET.get("view"))
    form = MonitoringFilterForm(request.GET or None, view=view.key,
                                schools=monitoring.la_schools(user=request.user))
    filters = form.filters()
    counts = monitoring.status_counts(monitoring.la_monitored(
        user=request.user, view=view.key, school=filters["school"]))
    files = monitoring.la_monitored(user=request.user, view=view.key, **filters)
    page = Paginator(files, PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = monitoring.with_ages(page.object_list)
    return render(request, "transfers/monitoring/monitoring.html", {
        "view": view, "views": monitoring.VIEWS.values(), "form": form, "counts": counts,
        "count_rows": [(value, words, counts[value]) for value, words in TransferStatus.choices],
        "page": page, "can_copies": monitoring.la_copies_open(request.user),
    })


@requires(Action.MONITOR_LA_FILES)
def la_not_collected(request):
    """List the files awaiting collection at the LA's places, with their pupils (audited)."""
    form = SchoolFilterForm(request.GET or None, schools=monitoring.la_schools(user=request.user))
    files = monitoring.la_not_collected(user=request.user, **form.filters())
    page = Paginator(files, FILES_PER_PAGE).get_page(request.GET.get("page"))
    rows = monitoring.with_ages(page.object_list)
    monitoring.not_collected_viewed(user=request.user, transfers=rows, request=request)
    allowed = monitoring.row_permissions(request.user, rows)
    return render(request, "transfers/monitoring/not_collected.html", {
        "form": form, "page": page, "rows": [(t, allowed[t.pk]) for t in rows],
    })


def _held(request, pk: int) -> Transfer:
    return get_for(request.user, Transfer.objects.select_related("destination_establishment"),
                   Action.MANAGE_LA_FILES, pk=pk)


def _held_page(request, form, transfer: Transfer, *, title: str, lead: str):
    """Render a form acting on a file held at the LA's place, with the file's summary."""
    return form_page(request, form, title=title, caption=transfer.name, lead=lead,
                     back_url=reverse("transfers:la-not-collected"),
                     back_label=_("Files not collected by schools"),
                     details="transfers/monitoring/_file_summary.html",
                     context={"transfer": transfer})


@requires(Action.MANAGE_LA_FILES)
def la_forward(request, pk):
    """Forward a file awaiting at one of the LA's places to another school."""
    transfer = _held(request, pk)
    form = ForwardForm(request.POST or None, schools=schools_of(request.user.la.number))
    if new := form_submit(request, form, lambda data: transfer_forward(
            user=request.user, transfer=transfer, request=request, **data)):
        messages.success(request, _("%(old)s forwarded as %(new)s.")
                         % {"old": transfer.name, "new": new.name})
        return redirect("transfers:la-not-collected")
    return _held_page(request, form, transfer, title=_("Forward this file"), lead=_(
        "The file is re-addressed (only its destination changes) and sent from your LA "
        "mailbox; this copy is deleted, and its sender is told where it went."))


@requires(Action.MANAGE_LA_FILES)
def la_delete(request, pk):
    """Delete a file awaiting at one of the LA's places, with the reason its sender is told."""
    transfer = _held(request, pk)
    form = ReasonForm(request.POST or None, submit=_("Delete the file"))
    if form_submit(request, form, lambda data: transfer_delete(
            user=request.user, transfer=transfer, request=request, **data)):
        messages.success(request, _("%(name)s deleted.") % {"name": transfer.name})
        return redirect("transfers:la-not-collected")
    return _held_page(request, form, transfer, title=_("Delete this file"), lead=_(
        "Delete a file only when its pupil's new school already has the CTF, or it was sent "
        "in error. Its sender reads the reason."))


@requires(Action.LA_COPIES)
def la_copies(request):
    """List the CTFs the LA's schools sent and received, to download copies (switch on)."""
    if not monitoring.la_copies_open(request.user):
        raise Http404
    form = SchoolFilterForm(request.GET or None, schools=monitoring.la_schools(user=request.user))
    files = monitoring.la_copies(user=request.user, **form.filters())
    page = Paginator(files, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "transfers/monitoring/copies.html", {"form": form, "page": page})


@requires(Action.LA_COPIES)
def la_copy_download(request, pk):
    """Send the LA a copy of one of its schools' CTFs; the file's state does not change."""
    transfer = get_for(request.user, Transfer.objects.all(), Action.LA_COPIES, pk=pk)
    try:
        name, stream = transfer_copy_open(user=request.user, transfer=transfer, request=request)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("transfers:la-copies")
    return download_response(stream, filename=name, content_type="application/xml")


def _phase_forms(request, source):
    pupils = list(source.pupils.order_by("position"))
    how = request.POST.get("how") if request.method == "POST" else None
    upload = AllocationUploadForm(request.POST if how == "csv" else None,
                                  request.FILES if how == "csv" else None,
                                  upns=[p.upn.strip().upper() for p in pupils if p.upn])
    pick = AllocationPickForm(request.POST if how == "pick" else None, pupils=pupils,
                              schools=monitoring.la_schools(user=request.user))
    return pupils, upload, pick


def _allocation(form) -> dict[str, str]:
    """Return the UPN -> establishment allocation of the valid form that was posted."""
    if isinstance(form, AllocationUploadForm):
        return form.cleaned_data["allocation"]
    return form.allocation()


@requires(Action.MANAGE_LA_FILES)
def phase_transfer(request, pk):
    """Split a bulk CTF at the LA mailbox by a CSV or by school picked per pupil, and send."""
    source = phase_source(user=request.user, pk=pk)
    pupils, upload, pick = _phase_forms(request, source)
    posted = upload if upload.is_bound else pick
    if result := form_submit(request, posted, lambda data: phase_transfer_split(
            user=request.user, transfer=source, allocation=_allocation(posted),
            request=request)):
        request.session[PHASE_RESULTS_KEY] = result.as_dict()
        return redirect("transfers:phase-transfer-results", pk=source.pk)
    monitoring.pupils_viewed(user=request.user, transfer=source, pupils=pupils, request=request)
    return render(request, "transfers/monitoring/phase_transfer.html", {
        "source": source, "upload": upload, "pick": pick,
    })


@requires(Action.MANAGE_LA_FILES)
def phase_transfer_results(request, pk):
    """Show the files a phase split sent, those refused, and the pupils not placed."""
    source = phase_source(user=request.user, pk=pk)
    result = request.session.get(PHASE_RESULTS_KEY)
    if not result or result.get("source_id") != source.pk:
        return redirect("transfers:phase-transfer", pk=source.pk)
    return render(request, "transfers/monitoring/phase_results.html",
                  {"source": source, "result": result})
