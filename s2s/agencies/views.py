"""Pages of agencies at work: exchange agreements and Operation Encompass notifications."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from s2s.accounts.decorators import requires
from s2s.accounts.policy import Action, can, get_for, scope
from s2s.agencies import agreements, encompass
from s2s.agencies.forms import AgreementForm, EncompassForm
from s2s.agencies.models import ExchangeAgreement
from s2s.core.errors import ServiceError
from s2s.core.forms import form_page, form_submit
from s2s.directory.models import Agency


def _agreements(user):
    return scope(user, ExchangeAgreement.objects.select_related("agency", "made_by"),
                 Action.VIEW_AGREEMENTS)


@requires(Action.VIEW_AGREEMENTS)
def agreement_list(request):
    """List the exchange agreements of the user's agency, or of its LA's agencies."""
    return render(request, "agencies/agreement_list.html", {
        "agreements": _agreements(request.user), "today": agreements._today(),
        "can_manage": can(request.user, Action.MANAGE_AGREEMENTS),
    })


@requires(Action.MANAGE_AGREEMENTS)
def agreement_create(request):
    """Make an exchange agreement for one of the LA's agencies."""
    agencies = list(scope(request.user, Agency.objects.filter(active=True),
                          Action.MANAGE_AGREEMENTS))
    form = AgreementForm(request.POST or None, agencies=agencies)
    made = form_submit(request, form, lambda data: agreements.agreement_make(
        user=request.user, request=request, **data))
    if made:
        messages.success(request, _("Agreement made for %(agency)s.")
                         % {"agency": made.agency.reference})
        return redirect("agencies:agreement-list")
    return form_page(request, form, title=_("Make an exchange agreement"),
                     back_url=reverse("agencies:agreement-list"),
                     lead=_("Files go to and from an agency only under an agreement in force: "
                            "which way, with whom, why, and until when."))


@require_POST
@requires(Action.MANAGE_AGREEMENTS)
def agreement_end(request, pk):
    """End an agreement now."""
    agreement = get_for(request.user, ExchangeAgreement.objects.select_related("agency"),
                        Action.MANAGE_AGREEMENTS, pk=pk)
    try:
        agreements.agreement_end(user=request.user, agreement=agreement, request=request)
        messages.success(request, _("The agreement has ended."))
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("agencies:agreement-list")


_ENCOMPASS = (Action.SEND_ENCOMPASS, Action.READ_ENCOMPASS, Action.FOLLOW_ENCOMPASS)


@requires(*_ENCOMPASS)
def encompass_list(request):
    """List Operation Encompass notifications: sent, received, or the LA's schools'."""
    return render(request, "agencies/encompass_list.html", {
        "notifications": encompass.encompass_list(user=request.user)[:200],
        "can_send": can(request.user, Action.SEND_ENCOMPASS),
        "is_la": can(request.user, Action.FOLLOW_ENCOMPASS),
    })


@requires(Action.SEND_ENCOMPASS)
def encompass_create(request):
    """Send a notification to a school (police agencies)."""
    form = EncompassForm(request.POST or None)
    sent = form_submit(request, form, lambda data: encompass.encompass_send(
        user=request.user, request=request, **data))
    if sent:
        messages.success(request, _("Notification sent to %(code)s.")
                         % {"code": sent.establishment.code})
        return redirect("agencies:encompass-list")
    return form_page(request, form, title=_("Send an Operation Encompass notification"),
                     back_url=reverse("agencies:encompass-list"),
                     lead=_("The school's safeguarding lead is told by email, with a link: the "
                            "details stay on s2s."))


@requires(*_ENCOMPASS)
def encompass_detail(request, pk):
    """Show one notification; its details to the school (the read receipt) and the sender."""
    notification = encompass.encompass_get(user=request.user, pk=pk)
    show_details = not can(request.user, Action.FOLLOW_ENCOMPASS)
    details = encompass.encompass_details(user=request.user, notification=notification,
                                          request=request) if show_details else None
    return render(request, "agencies/encompass_detail.html", {
        "notification": notification, "details": details, "show_details": show_details})
