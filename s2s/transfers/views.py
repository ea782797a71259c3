"""Pages of the file exchange: upload, the inbox, generic zips, one file, the outbox."""


from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from s2s.accounts.decorators import requires
from s2s.accounts.policy import Action, can, has_capability, transfer_box
from s2s.core.downloads import download_response
from s2s.core.errors import ServiceError
from s2s.core.forms import form_page, form_submit
from s2s.transfers import selectors, services
from s2s.transfers.findings import finding_texts
from s2s.transfers.forms import ReasonForm
from s2s.transfers.models import Transfer, TransferStatus
from s2s.transfers.refusals import refusal_headline

RESULTS_KEY = "transfers_upload_results"
WARNINGS_SHOWN = 20
PER_PAGE = 50


def _upload_one(request, upload) -> dict:
    try:
        result = services.transfer_upload(
            user=request.user, name=upload.name, content=upload, request=request
        )
    except ServiceError as error:
        return {"name": upload.name, "accepted": False, "message": error.message,
                "headline": refusal_headline(code=error.code, name=upload.name)}
    return {
        "name": result.transfer.name, "accepted": True, "id": result.transfer.pk,
        "notes": result.notes, "warning_count": len(result.warnings),
        "warnings": finding_texts(result.warnings, WARNINGS_SHOWN),
    }


@requires(Action.TRANSFER_FILES, Action.GENERIC_FILES)
def upload(request):
    """Upload one file or several; each is accepted or refused on its own (issue 4)."""
    error = None
    if request.method == "POST":
        files = request.FILES.getlist("files")
        if files:
            request.session[RESULTS_KEY] = [_upload_one(request, f) for f in files]
            return redirect("transfers:upload-results")
        error = _("Choose one or more files to upload")
    return render(request, "transfers/upload.html", {
        "error": error, "box": transfer_box(request.user),
        "can_generic": has_capability(request.user, Action.GENERIC_FILES),
        "can_ctf": has_capability(request.user, Action.TRANSFER_FILES),
    })


@requires(Action.TRANSFER_FILES, Action.GENERIC_FILES)
def upload_results(request):
    """Show what became of each file of the last upload."""
    results = request.session.get(RESULTS_KEY)
    if not results:
        return redirect("transfers:upload")
    accepted = sum(1 for result in results if result["accepted"])
    return render(request, "transfers/upload_results.html", {
        "results": results, "accepted": accepted, "refused": len(results) - accepted,
    })


@requires(Action.TRANSFER_FILES)
def inbox(request):
    """List the CTFs awaiting download, by type, to take one at a time or several as a zip."""
    groups = selectors.transfers_by_type(selectors.transfer_inbox(user=request.user))
    return render(request, "transfers/inbox.html", {
        "groups": groups,
        "any_downloaded": any(t.awaits_confirmation for _type, files in groups for t in files),
        "recent": selectors.transfer_recently_collected(user=request.user),
    })


@requires(Action.GENERIC_FILES)
def generic(request):
    """List the generic zips awaiting download; each is downloaded on its own (seed 003, 5.7)."""
    return render(request, "transfers/generic.html", {
        "files": selectors.transfer_inbox(user=request.user, generic=True),
        "recent": selectors.transfer_recently_collected(user=request.user, generic=True),
    })


@requires(Action.TRANSFER_FILES, Action.GENERIC_FILES)
def outbox(request):
    """List the files the user's school or mailbox sent, and what became of them.

    `?status=rejected` (or another status) lists only the files in that state.
    """
    status = request.GET.get("status")
    status = status if status in TransferStatus.values else None
    files = selectors.transfer_outbox(user=request.user, status=status)
    page = Paginator(files, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "transfers/outbox.html", {
        "page": page, "status_label": TransferStatus(status).label if status else None})


def _permissions(user, transfer: Transfer) -> dict:
    receiver = can(user, Action.RECEIVE_FILES, transfer)
    awaiting = transfer.status == TransferStatus.AWAITING
    return {
        "can_download": receiver and services.transfer_can_download(transfer),
        "can_collect": receiver and awaiting,
        "can_reject": receiver and awaiting,
        "can_delete": can(user, Action.WITHDRAW_FILES, transfer)
        and transfer.status in (TransferStatus.AWAITING, TransferStatus.REJECTED),
        "is_sender": transfer.source_code == transfer_box(user),
    }


@requires(Action.VIEW_TRANSFERS)
def detail(request, pk):
    """Show one file: who sent it, where to, its state and warnings, and what can be done."""
    transfer = selectors.transfer_get(user=request.user, pk=pk)
    return render(request, "transfers/detail.html", {
        "transfer": transfer, "warnings": finding_texts(transfer.warnings),
        "redownload_until": services.redownload_until(transfer),
        **_permissions(request.user, transfer),
    })


@requires(Action.RECEIVE_FILES)
def download(request, pk):
    """Send one file to its destination, counting and auditing the download."""
    transfer = selectors.transfer_get(user=request.user, pk=pk, action=Action.RECEIVE_FILES)
    try:
        name, stream = services.transfer_open_for_download(
            user=request.user, transfer=transfer, request=request
        )
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("transfers:detail", pk=transfer.pk)
    kind = "application/zip" if transfer.is_generic else "application/xml"
    return download_response(stream, filename=name, content_type=kind)


@require_POST
@requires(Action.TRANSFER_FILES)
def download_zip(request):
    """Send the chosen CTFs as one zip, streamed."""
    chosen = selectors.transfers_chosen(user=request.user, ids=request.POST.getlist("ids"))
    try:
        name, stream = services.transfers_zip_stream(
            user=request.user, transfers=chosen, request=request
        )
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("transfers:inbox")
    return download_response(stream, filename=name, content_type="application/zip")


@require_POST
@requires(Action.TRANSFER_FILES)
def collect_many(request):
    """Mark the chosen files as downloaded correctly."""
    chosen = selectors.transfers_chosen(user=request.user, ids=request.POST.getlist("ids"))
    try:
        done = services.transfers_confirm_download(user=request.user, transfers=chosen,
                                                   request=request)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, ngettext("%(count)s file marked as collected.",
                                           "%(count)s files marked as collected.", len(done))
                         % {"count": len(done)})
    return redirect("transfers:inbox")


@require_POST
@requires(Action.RECEIVE_FILES)
def collect(request, pk):
    """Mark one downloaded file as downloaded correctly (seed 003, 5.2)."""
    transfer = selectors.transfer_get(user=request.user, pk=pk, action=Action.RECEIVE_FILES)
    try:
        services.transfers_confirm_download(user=request.user, transfers=[transfer],
                                            request=request)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("transfers:detail", pk=transfer.pk)
    messages.success(request, _("%(name)s marked as collected.") % {"name": transfer.name})
    return redirect("transfers:generic" if transfer.is_generic else "transfers:inbox")


def _reason_page(request, transfer, *, service, submit: str, title: str, done: str):
    """Post the reason to the service; None once done, else the form page (refusal shown)."""
    form = ReasonForm(request.POST or None, submit=submit)
    if form_submit(request, form, lambda data: service(
            user=request.user, transfer=transfer, request=request, **data)):
        messages.success(request, done % {"name": transfer.name})
        return None
    back = reverse("transfers:detail", args=[transfer.pk])
    return form_page(request, form, title=title, caption=transfer.name, back_url=back,
                     back_label=transfer.name)


@requires(Action.RECEIVE_FILES)
def reject(request, pk):
    """Refuse a file with a reason the sender is told."""
    transfer = selectors.transfer_get(user=request.user, pk=pk, action=Action.RECEIVE_FILES)
    page = _reason_page(request, transfer, service=services.transfer_reject,
                        submit=_("Reject the file"), title=_("Reject this file"),
                        done=_("%(name)s rejected. The sender will be told why."))
    return page or redirect("transfers:generic" if transfer.is_generic else "transfers:inbox")


@requires(Action.WITHDRAW_FILES)
def delete(request, pk):
    """Withdraw a file the user's place sent that has not been collected."""
    transfer = selectors.transfer_get(user=request.user, pk=pk, action=Action.WITHDRAW_FILES)
    page = _reason_page(request, transfer, service=services.transfer_delete,
                        submit=_("Delete the file"), title=_("Delete this file"),
                        done=_("%(name)s deleted."))
    return page or redirect("transfers:outbox")
