"""User administration pages (seed 003, 3.2-3.7): list, add, change role, delete, reset, review.

Each view: form → policy (`get_for`, `scope`) → service → redirect with a message. Anybody
outside the policy gets 404. No page ever shows a password or its hash.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from s2s.accounts import selectors, services
from s2s.accounts.decorators import requires
from s2s.accounts.forms_users import (
    ConfirmForm,
    UserCreateForm,
    UserFilterForm,
    UserRoleForm,
)
from s2s.accounts.models import User
from s2s.accounts.policy import Action, can, get_for
from s2s.accounts.twofactor import confirmed_device
from s2s.core.errors import ServiceError
from s2s.core.forms import form_page, form_submit, posted

PAGE_SIZE = 25
_USERS = User.objects.select_related("la", "establishment__la", "agency")


def _managed(request, pk: int) -> User:
    """Return the user this request may manage, or raise 404."""
    return get_for(request.user, _USERS, Action.MANAGE_USERS, pk=pk)


def _account_page(request, form, account: User, *, title: str, **text):
    """Render a form page about one user, with a way back to that user's page."""
    return form_page(request, form, title=title, back_label=account.username,
                     back_url=reverse("accounts:user-detail", args=[account.pk]), **text)


@requires(Action.VIEW_USERS)
def user_list(request):
    """List the users the signed-in user may see, with those due for the annual review."""
    form = UserFilterForm(request.user, request.GET)
    filters = form.filters() if form.is_valid() else {}
    users = selectors.user_list(user=request.user, **filters)
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    due = [
        (account, selectors.review_deadline(account),
         can(request.user, Action.MANAGE_USERS, account))
        for account in selectors.users_due_for_review(user=request.user)[:50]
    ]
    return render(request, "accounts/users/list.html", {
        "form": form, "page": page, "due": due,
        "can_add": can(request.user, Action.MANAGE_USERS),
    })


@requires(Action.VIEW_USERS)
def user_detail(request, pk: int):
    """Show one user: details, review date and, for a manager, what can be done to it."""
    account = get_for(request.user, _USERS, Action.VIEW_USERS, pk=pk)
    can_manage = can(request.user, Action.MANAGE_USERS, account)
    return render(request, "accounts/users/detail.html", {
        "account": account, "can_manage": can_manage,
        "has_two_factor": confirmed_device(account) is not None,
        "can_reset_two_factor": can(request.user, Action.RESET_TWO_FACTOR, account),
        "deadline": selectors.review_deadline(account),
        "tokens": selectors.api_tokens_of(account) if can_manage else [],
    })


@requires(Action.MANAGE_USERS)
def user_create(request):
    """Add a user; `?la=<number>&role=la_dba` fills in the form (from an LA's page)."""
    initial = {"scope": request.GET.get("la") or request.user.scope_code,
               "role": request.GET.get("role", "")}
    form = UserCreateForm(request.user, request.POST or None, initial=initial)
    if account := form_submit(request, form, lambda data: services.user_create(
            by=request.user, request=request, **data)):
        messages.success(request, _("%(username)s was added. The activation link and the "
                                    "username have been emailed to %(email)s, separately.")
                         % {"username": account.username, "email": account.email})
        return redirect("accounts:user-detail", pk=account.pk)
    return form_page(request, form, title=_("Add a user"), back_label=_("Users"),
                     back_url=reverse("accounts:user-list"),
                     lead=_("You do not choose a password. The user gets an email with a "
                            "one-time link to set one, and the username in a separate email."))


@requires(Action.MANAGE_USERS)
def user_role(request, pk: int):
    """Change a user's role (seed 003, 3.4); the user is told by email."""
    account = _managed(request, pk)
    form = UserRoleForm(request.user, account, request.POST or None)
    if form_submit(request, form, lambda data: services.user_change_role(
            by=request.user, user=account, role=data["role"], request=request)):
        messages.success(request, _("The role of %(username)s was changed.")
                         % {"username": account.username})
        return redirect("accounts:user-detail", pk=account.pk)
    return _account_page(request, form, account,
                         title=_("Change the role of %(username)s")
                         % {"username": account.username},
                         lead=_("The user is told by email."))


@requires(Action.MANAGE_USERS)
def user_delete(request, pk: int):
    """Ask, then delete a user (seed 003, 3.5); its audit history stays."""
    account = _managed(request, pk)
    form = ConfirmForm(posted(request), button=_("Delete user"), warning=True)
    if form_submit(request, form, lambda data: services.user_delete(
            by=request.user, user=account, request=request)):
        messages.success(request, _("%(username)s was deleted.") % {"username": account.username})
        return redirect("accounts:user-list")
    return _account_page(request, form, account,
                         title=_("Delete %(username)s?") % {"username": account.username},
                         warning=_("The account cannot be restored. What it did stays in the "
                                   "audit trail."))


@requires(Action.MANAGE_USERS)
def user_reset(request, pk: int):
    """Ask, then reset a user's password: the user gets a one-time link by email (seed 003, 3.6)."""
    account = _managed(request, pk)
    form = ConfirmForm(posted(request), button=_("Reset password"))
    if form_submit(request, form, lambda data: services.user_reset_password(
            by=request.user, user=account, request=request)):
        messages.success(request, _("The password of %(username)s was reset. A link to set a "
                                    "new one has been emailed to %(email)s.")
                         % {"username": account.username, "email": account.email})
        return redirect("accounts:user-detail", pk=account.pk)
    return _account_page(
        request, form, account,
        title=_("Reset the password of %(username)s?") % {"username": account.username},
        lead=_("The current password stops working now. A one-time link to set a new password "
               "is emailed to %(email)s. Nobody, you included, ever sees the password.")
        % {"email": account.email})


def _back(request, account: User):
    """Redirect to the page the button was on, when it is one of ours, else the user's page."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect("accounts:user-detail", pk=account.pk)


@requires(Action.MANAGE_USERS)
@require_POST
def user_confirm(request, pk: int):
    """Confirm in the annual review that the user is still needed."""
    account = _managed(request, pk)
    services.user_confirm_still_valid(by=request.user, user=account, request=request)
    messages.success(request, _("%(username)s is confirmed for another year.")
                     % {"username": account.username})
    return _back(request, account)


@requires(Action.MANAGE_USERS)
@require_POST
def user_active(request, pk: int):
    """Disable a user, or enable it again (`active` is "true" or "false")."""
    account = _managed(request, pk)
    active = request.POST.get("active")
    if active not in {"true", "false"}:
        messages.error(request, _("Choose whether to enable or disable the account."))
        return _back(request, account)
    message = _("%(username)s was enabled.") if active == "true" else _(
        "%(username)s was disabled.")
    try:
        services.user_set_active(by=request.user, user=account, active=active == "true",
                                 request=request)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, message % {"username": account.username})
    return _back(request, account)


@requires(Action.RESET_TWO_FACTOR)
def user_two_factor_reset(request, pk: int):
    """Ask, then remove the authenticator of a user who lost their phone; the user is emailed."""
    account = get_for(request.user, _USERS, Action.RESET_TWO_FACTOR, pk=pk)
    form = ConfirmForm(posted(request), button=_("Reset two-factor sign-in"))
    if form_submit(request, form, lambda data: services.user_two_factor_reset(
            by=request.user, user=account, request=request)):
        messages.success(request, _("The two-factor sign-in of %(username)s was reset, and "
                                    "%(email)s has been told.")
                         % {"username": account.username, "email": account.email})
        return redirect("accounts:user-detail", pk=account.pk)
    return _account_page(
        request, form, account,
        title=_("Reset the two-factor sign-in of %(username)s?") % {"username": account.username},
        lead=_("Do this when the person has lost the phone or app that gives their sign-in "
               "codes, and you are sure it is them asking: call them back on a number you "
               "already know. Codes from their old authenticator stop working now; they set up "
               "a new one at their next sign-in, after their password. An email telling them "
               "goes to %(email)s.") % {"email": account.email})
