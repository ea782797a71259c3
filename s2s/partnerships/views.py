"""The partnerships pages: parse, ask the policy (through selectors and services), render."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from s2s.accounts.decorators import requires
from s2s.accounts.policy import Action
from s2s.core.downloads import csv_download
from s2s.core.errors import ServiceError
from s2s.core.forms import form_page, form_submit, posted
from s2s.partnerships import selectors, services
from s2s.partnerships.forms import EndForm, RenewForm
from s2s.partnerships.models import Kind, Membership, Status

CSV_HEADER = ["kind", "date", "school", "session", "lesson", "code", "minutes_late",
              "subject", "aspect", "result", "type", "points", "description"]


@requires(Action.PARTNERSHIPS)
def partnership_list(request):
    """List the partnerships the user's institution is a member of."""
    return render(request, "partnerships/list.html",
                  {"partnerships": selectors.partnership_list(user=request.user)})


@requires(Action.PARTNERSHIPS)
def detail(request, pk: int):
    """Show a partnership: members and their signatures, the agreement, the sign button."""
    partnership = selectors.partnership_get(user=request.user, partnership_id=pk)
    members = (Membership.objects.filter(partnership=partnership)
               .select_related("establishment").order_by("establishment__code"))
    return render(request, "partnerships/detail.html", {
        "partnership": partnership, "agreement": partnership.agreement, "members": members,
        "kinds": [Kind(k).label for k in partnership.agreement.kinds],
        "sharing": selectors.sharing_open(partnership),
        "can_sign": services.can_sign(request.user, partnership),
        "open": partnership.status != Status.ENDED})


@require_POST
@requires(Action.PARTNERSHIPS)
def sign(request, pk: int):
    """Sign the agreement for the user's institution, then show the partnership."""
    try:
        services.partnership_sign(user=request.user, partnership_id=pk, request=request)
        messages.success(request, _("You signed the agreement."))
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("partnerships:detail", pk=pk)


@requires(Action.PARTNERSHIPS)
def renew(request, pk: int):
    """Renew the agreement to a new review date; every member must then sign it again."""
    partnership = selectors.partnership_get(user=request.user, partnership_id=pk)
    form = RenewForm(request.POST or None)
    if form_submit(request, form, lambda data: services.partnership_renew(
            user=request.user, partnership_id=pk, review_date=data["review_date"],
            request=request)):
        messages.success(request, _("You renewed the agreement. Every member must now sign it "
                                    "again before sharing starts."))
        return redirect("partnerships:detail", pk=pk)
    return form_page(request, form, title=_("Renew the agreement"),
                     caption=partnership.name,
                     back_url=reverse("partnerships:detail", kwargs={"pk": pk}),
                     lead=_("The renewed agreement has a new review date. Every member signs "
                            "it again: sharing pauses until all have signed, then runs to the "
                            "new review date."))


@requires(Action.PARTNERSHIPS)
def end(request, pk: int):
    """End the partnership after a confirmation: every shared record is deleted."""
    partnership = selectors.partnership_get(user=request.user, partnership_id=pk)
    form = EndForm(posted(request))
    if form_submit(request, form, lambda data: services.partnership_end_by(
            user=request.user, partnership_id=pk, request=request)):
        messages.success(request, _("You ended the partnership. Its shared records are "
                                    "deleted."))
        return redirect("partnerships:detail", pk=pk)
    return form_page(request, form, title=_("End the partnership"), caption=partnership.name,
                     back_url=reverse("partnerships:detail", kwargs={"pk": pk}),
                     warning=_("Sharing stops for every member and every shared record is "
                               "deleted. This cannot be undone."))


@requires(Action.PARTNERSHIP_RECORDS)
def pupils(request, pk: int):
    """List the pupils linked to the user's institution, with their settings (audited)."""
    partnership, places = services.pupils_read(user=request.user, partnership_id=pk,
                                               request=request)
    return render(request, "partnerships/pupils.html",
                  {"partnership": partnership, "places": places,
                   "sharing": selectors.sharing_open(partnership)})


@requires(Action.PARTNERSHIP_RECORDS)
def pupil(request, pk: int, upn: str):
    """Show one pupil's combined view: attendance by setting, assessment, behaviour (audited)."""
    view = services.pupil_view_read(user=request.user, partnership_id=pk, upn=upn,
                                    request=request)
    summary = view["summary"]
    return render(request, "partnerships/pupil.html", {
        **view,
        "settings": [*({"school": code, **summary.row(counts)}
                       for code, counts in sorted(summary.by_setting.items())),
                     summary.row(summary.combined)],  # no school: the row of all settings
        "lessons": [{"school": code, **summary.row(counts)}
                    for code, counts in sorted(summary.lessons.items())],
        "title": _("Pupil %(upn)s") % {"upn": upn}})


@requires(Action.PARTNERSHIP_RECORDS)
def pupil_csv(request, pk: int, upn: str):
    """Download the pupil's records the user may read as CSV, one row a record (audited)."""
    view = services.pupil_view_read(user=request.user, partnership_id=pk, upn=upn,
                                    request=request, export=True)
    rows = ([record.get(column, "") if record.get(column) is not None else ""
             for column in CSV_HEADER] for kind in Kind.values for record in view[kind])
    return csv_download(filename=f"partnership-{pk}-{upn}.csv", header=CSV_HEADER, rows=rows)
