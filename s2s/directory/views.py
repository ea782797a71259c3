"""Pages of the directory: local authorities, their schools, and agencies."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from s2s.accounts.decorators import requires
from s2s.accounts.policy import Action, can
from s2s.core.forms import form_page, form_submit
from s2s.directory import selectors, services
from s2s.directory.forms import (
    AgencyCreateForm,
    EstablishmentForm,
    LocalAuthorityCreateForm,
    LocalAuthorityForm,
    SchoolSearchForm,
    SuccessorForm,
)

SCHOOLS_PER_PAGE = 50
# The user pages belong to the accounts app; linked as a plain path so each app stands alone.
ADD_USER_PATH = "/account/users/new"


def _save(request, form, service, **objects):
    """Post the form and call the service as this user, with the objects and the form's data."""
    return form_submit(request, form, lambda data: service(
        user=request.user, request=request, **objects, **data))


@requires(Action.MANAGE_LAS)
def la_list(request):
    """List every local authority, for the service administrator."""
    return render(request, "directory/la_list.html", {"las": selectors.la_list(user=request.user)})


@requires(Action.MANAGE_LAS)
def la_create(request):
    """Add a local authority."""
    form = LocalAuthorityCreateForm(request.POST or None)
    if la := _save(request, form, services.la_create):
        messages.success(request, _("Local authority %(la)s added.") % {"la": la})
        return redirect("directory:la-detail", number=la.number)
    return form_page(request, form, title=_("Add a local authority"),
                     back_url=reverse("directory:la-list"))


@requires(Action.MANAGE_LAS)
def la_detail(request, number):
    """Show one local authority, with links to its schools and to add its DBA."""
    la = selectors.la_get(user=request.user, number=number)
    return render(request, "directory/la_detail.html", {
        "la": la,
        "can_edit": can(request.user, Action.MANAGE_LA, la),
        "school_count": la.establishments.count(),
        "add_dba_url": f"{ADD_USER_PATH}?la={la.number}&role=la_dba",
    })


def _edit_la(request, la, *, done_url: str):
    initial = {"name": la.name, "email": la.email, "receive_ctf_copies": la.receive_ctf_copies}
    form = LocalAuthorityForm(request.POST or None, initial=initial)
    if _save(request, form, services.la_update, la=la):
        messages.success(request, _("The details of %(la)s have been updated.") % {"la": la})
        return redirect(done_url)
    return form_page(request, form, title=_("Change LA details"), caption=str(la),
                     back_url=done_url)


@requires(Action.MANAGE_LAS)
def la_edit(request, number):
    """Change any LA's details (service administrator)."""
    la = selectors.la_get(user=request.user, number=number, action=Action.MANAGE_LA)
    return _edit_la(request, la, done_url=reverse("directory:la-detail", args=[la.number]))


@requires(Action.VIEW_LA)
def my_la(request):
    """Show the user's own LA details (seed 003, 3.9); the service goes to the list of LAs."""
    if request.user.la_id is None:
        return redirect("directory:la-list")
    la = selectors.own_la(user=request.user)
    return render(request, "directory/my_la.html", {
        "la": la, "can_edit": can(request.user, Action.MANAGE_LA, la),
    })


@requires(Action.MANAGE_LA)
def my_la_edit(request):
    """Change the user's own LA details: name, email and the copies switch."""
    la = selectors.own_la(user=request.user, action=Action.MANAGE_LA)
    return _edit_la(request, la, done_url=reverse("directory:my-la"))


@requires(Action.VIEW_SCHOOLS)
def school_list(request):
    """List the schools the user may see, searchable by number or name, a page at a time."""
    las = selectors.school_filter_las(user=request.user)
    form = SchoolSearchForm(request.GET or None, las=las)
    search = form.cleaned_data if form.is_valid() else {}
    schools = selectors.school_list(
        user=request.user, la_number=search.get("la", ""), query=search.get("q", ""),
    )
    page = Paginator(schools, SCHOOLS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "directory/school_list.html", {"form": form, "page": page})


@requires(Action.VIEW_SCHOOLS)
def school_detail(request, code):
    """Show one school's details; those who may change them get the links to do so."""
    school = selectors.school_get(user=request.user, code=code)
    successor = school.successor
    return render(request, "directory/school_detail.html", {
        "school": school,
        "can_edit": can(request.user, Action.MANAGE_SCHOOLS, school),
        "can_set_successor": can(request.user, Action.MANAGE_ESTABLISHMENTS, school),
        "successor_visible": successor is not None
        and can(request.user, Action.VIEW_SCHOOLS, successor),
        "predecessors": selectors.school_predecessors(user=request.user, school=school),
    })


@requires(Action.MANAGE_SCHOOLS)
def school_edit(request, code):
    """Change a school's name, telephone, email, town and whether it is active (seed 003, 3.8)."""
    school = selectors.school_get(user=request.user, code=code, action=Action.MANAGE_SCHOOLS)
    form = EstablishmentForm(request.POST or None, initial={
        "name": school.name, "phone": school.phone, "email": school.email,
        "town": school.town, "active": school.active,
        "safeguarding_email": school.safeguarding_email,
    })
    if _save(request, form, services.establishment_update, establishment=school):
        messages.success(request, _("The details of %(school)s have been updated.")
                         % {"school": school.code})
        return redirect("directory:school-detail", code=school.code)
    return form_page(request, form, title=_("Change school details"), caption=str(school),
                     back_url=reverse("directory:school-detail", args=[school.code]))


@requires(Action.MANAGE_ESTABLISHMENTS)
def school_successor(request, code):
    """Set or clear the school that took over this one (academy conversion, merger)."""
    school = selectors.school_get(
        user=request.user, code=code, action=Action.MANAGE_ESTABLISHMENTS,
    )
    initial = {"successor": school.successor.code if school.successor else ""}
    form = SuccessorForm(request.POST or None, initial=initial)
    if _save(request, form, services.establishment_set_successor, establishment=school):
        messages.success(request, _("The successor of %(school)s has been saved.")
                         % {"school": school.code})
        return redirect("directory:school-detail", code=school.code)
    return form_page(request, form, title=_("Successor school"), caption=str(school),
                     back_url=reverse("directory:school-detail", args=[school.code]))


@requires(Action.VIEW_AGENCIES)
def agency_list(request):
    """List the agencies the user's LA shares files with (all of them for the service)."""
    agencies = selectors.agency_list(user=request.user)
    return render(request, "directory/agency_list.html", {
        "agencies": agencies, "can_add": can(request.user, Action.MANAGE_AGENCIES)})


@requires(Action.MANAGE_AGENCIES)
def agency_create(request):
    """Add an agency of the DBA's LA."""
    form = AgencyCreateForm(request.POST or None)
    if agency := _save(request, form, services.agency_create):
        messages.success(request, _("Agency %(agency)s added.") % {"agency": agency})
        return redirect("directory:agency-list")
    return form_page(request, form, title=_("Add an agency"),
                     back_url=reverse("directory:agency-list"),
                     lead=_("An agency exchanges files with your LA and its schools only "
                            "under an exchange agreement, made next."))
