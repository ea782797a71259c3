"""Pages of the Lost Pupil Database: search, a record, attested download, forward, remove."""

from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from s2s.accounts.decorators import requires
from s2s.accounts.policy import Action, can, get_for, scope
from s2s.core.downloads import download_response
from s2s.core.errors import ServiceError
from s2s.core.forms import add_service_error, form_page, form_submit, posted
from s2s.lostpupils.forms import (
    AttestForm,
    ForwardForm,
    RemoveForm,
    SearchForm,
)
from s2s.lostpupils.models import LostPupilRecord
from s2s.lostpupils.services import records as services
from s2s.lostpupils.services.purge import next_month, records_going_in
from s2s.messaging.compose import schools_of

ATTESTED_KEY = "lostpupils_attested"  # records this session attested for, to download
DOWNLOADED_KEY = "lostpupils_downloaded"  # records this session downloaded, to confirm
PER_PAGE = 50


def _record(request, pk: int, action: str) -> LostPupilRecord:
    queryset = LostPupilRecord.objects.select_related(
        "transfer", "uploading_la", "uploading_school", "downloaded_la", "same_pupil_as__transfer")
    return get_for(request.user, queryset, action, pk=pk)


@requires(Action.SEARCH_LPD)
def search(request):
    """Search the LPD (seed 003, 4.1); each search is audited with its criteria."""
    form = SearchForm(request.GET if "search" in request.GET or "page" in request.GET else None)
    page = None
    if form.is_bound and form.is_valid():
        try:
            page = services.lost_pupil_search(
                user=request.user, criteria=form.criteria(), request=request,
                sort=form.cleaned_data["sort"] or "score", page=request.GET.get("page", 1))
        except ServiceError as error:
            add_service_error(form, error)
    return render(request, "lostpupils/search.html", {
        "form": form, "page": page, "sort": form.is_bound and form.data.get("sort") or "score",
        "can_la_records": can(request.user, Action.REMOVE_LPD),
    })


@requires(Action.SEARCH_LPD)
def record(request, pk):
    """Show the chosen record's further details (seed 003, 4.1); the view is audited."""
    found = _record(request, pk, Action.SEARCH_LPD)
    services.lost_pupil_view(user=request.user, record=found, request=request)
    return render(request, "lostpupils/record.html", {
        "record": found, "can_download": can(request.user, Action.DOWNLOAD_LPD, found),
        "can_remove": can(request.user, Action.REMOVE_LPD, found),
    })


def _in_session(request, key: str, pk: int) -> bool:
    return pk in request.session.get(key, [])


def _add_to_session(request, key: str, pk: int) -> None:
    if not _in_session(request, key, pk):
        request.session[key] = [*request.session.get(key, []), pk]


def _download_page(request, found: LostPupilRecord, form: AttestForm | None = None,
                   error: str = ""):
    return render(request, "lostpupils/download.html", {
        "record": found, "form": form or AttestForm(), "error": error,
        "attested": _in_session(request, ATTESTED_KEY, found.pk),
    })


@requires(Action.DOWNLOAD_LPD)
def download(request, pk):
    """Ask for the attestation; once given, offer the download, then its confirmation.

    Two steps on one page (issue 19): the file comes from `lostpupils:file`, a plain link, so
    the page stays as it is and its confirmation button is already there; nothing asks the
    person to reload.
    """
    found = _record(request, pk, Action.DOWNLOAD_LPD)
    form = AttestForm(posted(request))
    if request.method == "POST" and form.is_valid():
        _add_to_session(request, ATTESTED_KEY, found.pk)
        return redirect("lostpupils:download", pk=found.pk)
    return _download_page(request, found, form)


@requires(Action.DOWNLOAD_LPD)
def download_file(request, pk):
    """Send the file to a person who has attested for this record; audit the download."""
    found = _record(request, pk, Action.DOWNLOAD_LPD)
    if not _in_session(request, ATTESTED_KEY, found.pk):
        return redirect("lostpupils:download", pk=found.pk)
    try:
        name, stream = services.lost_pupil_open_for_download(
            user=request.user, record=found, request=request, attested=True)
    except ServiceError as error:
        return _download_page(request, found, error=error.message)
    _add_to_session(request, DOWNLOADED_KEY, found.pk)
    return download_response(stream, filename=name, content_type="application/xml")


@requires(Action.DOWNLOAD_LPD)
def confirm(request, pk):
    """Record that the file downloaded correctly: the record is downloaded by this LA.

    Refused, the person stays on the download page, told what to do, with both steps there.
    """
    found = _record(request, pk, Action.DOWNLOAD_LPD)
    if request.method != "POST":
        return redirect("lostpupils:download", pk=found.pk)
    if not _in_session(request, DOWNLOADED_KEY, found.pk):
        return _download_page(request, found, error=_(
            "Download the file in step 1 before you confirm that it downloaded correctly."))
    services.lost_pupil_confirm_download(user=request.user, record=found, request=request)
    for key in (ATTESTED_KEY, DOWNLOADED_KEY):
        request.session[key] = [p for p in request.session.get(key, []) if p != found.pk]
    messages.success(request, _("%(name)s is marked downloaded by your LA; the LA that sent it "
                                "has been told.") % {"name": found.transfer.name})
    return redirect("lostpupils:search")


@requires(Action.DOWNLOAD_LPD)
def forward(request, pk):
    """Send the record's CTF to a school of the user's LA in one step (seed 003, 4.2)."""
    found = _record(request, pk, Action.DOWNLOAD_LPD)
    form = ForwardForm(posted(request),
                       schools=schools_of(request.user.la.number))
    if new := form_submit(request, form, lambda data: services.lost_pupil_forward(
            user=request.user, record=found, request=request, **data)):
        messages.success(request, _("The CTF was sent to %(school)s as %(name)s.")
                         % {"school": new.destination_code, "name": new.name})
        return redirect("lostpupils:search")
    return form_page(
        request, form, title=_("Send the CTF to a school in your LA"),
        caption=found.transfer.name, back_url=reverse("lostpupils:record", args=[found.pk]),
        back_label=_("The record"), lead=_(
            "The CTF is re-addressed to the school and sent from your LA mailbox; the school "
            "is told as for any CTF. The record is marked downloaded by your LA and the LA "
            "that sent it is told the case is resolved."))


@requires(Action.REMOVE_LPD)
def la_records(request):
    """List the records the LA's schools uploaded, second files flagged, to remove them."""
    records = scope(request.user, LostPupilRecord.objects.select_related(
        "transfer", "uploading_school", "same_pupil_as__transfer"), Action.REMOVE_LPD)
    if request.GET.get("flagged"):
        records = records.filter(same_pupil_as__isnull=False)
    purge_month = _month(request.GET.get("purge"))
    if purge_month is not None:
        records = records_going_in(records, month=purge_month)
    page = Paginator(records.order_by("-uploaded_at", "-pk"), PER_PAGE).get_page(
        request.GET.get("page"))
    services.lost_pupil_list_viewed(user=request.user, records=page.object_list,
                                    request=request)
    return render(request, "lostpupils/la_records.html", {
        "page": page, "purge_month": purge_month,
        "next_month": f"{next_month(timezone.localdate()):%Y-%m}"})


def _month(text: str | None) -> date | None:
    """Return the first day of a YYYY-MM month (the preview email's link), or None."""
    try:
        return date.fromisoformat(f"{text}-01") if text else None
    except ValueError:
        return None


@requires(Action.REMOVE_LPD)
def remove(request, pk):
    """Remove a record the LA's school uploaded, once the destination is known (seed 003, 1.3)."""
    found = _record(request, pk, Action.REMOVE_LPD)
    form = RemoveForm(posted(request))
    if form_submit(request, form, lambda data: services.lost_pupil_remove(
            user=request.user, record=found, request=request, **data)):
        messages.success(request, _("%(name)s was removed from the Lost Pupil Database.")
                         % {"name": found.transfer.name})
        return redirect("lostpupils:la-records")
    return form_page(
        request, form, title=_("Remove a lost pupil record"), caption=found.transfer.name,
        back_url=reverse("lostpupils:la-records"), back_label=_("Files your schools sent"),
        lead=_("Remove the record once the pupil's destination is known."),
        warning=_("The file and the pupil's details are deleted; this cannot be undone."))
