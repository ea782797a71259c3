"""Pages for signing in and out, activation, changing a password and two-factor sign-in."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from s2s.accounts import selectors, signin, twofactor
from s2s.accounts.decorators import requires
from s2s.accounts.forms_signin import ActivationForm, CodeForm, PasswordChangeForm, SignInForm
from s2s.accounts.policy import Action, has_capability


def _next_or(request, default: str) -> str:
    """Return the safe `next` address the request carries, or the default (a URL name)."""
    url = request.POST.get("next") or request.GET.get("next")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


class SignInView(auth_views.LoginView):
    """Sign in with a case-sensitive username and a password (seed 003, 2.1)."""

    template_name = "accounts/sign_in.html"
    form_class = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        signin.sign_in_record(request=self.request, user=form.get_user())
        return response

    def form_invalid(self, form):
        if form.get_user() is not None:
            # The password was right, yet the account may not use the pages (API only).
            signin.sign_in_refused(request=self.request, user=form.get_user(), reason="api_only")
        return super().form_invalid(form)


@require_http_methods(["GET", "POST"])
def sign_out(request):
    """Ask to confirm (GET), then end the session (POST) (seed 003, 8)."""
    if request.method == "POST":
        signin.sign_out(request=request)
        return redirect("accounts:signed-out")
    return render(request, "accounts/sign_out.html")


@login_not_required
def signed_out(request):
    """Say that the session has ended."""
    return render(request, "accounts/signed_out.html")


@method_decorator(requires(Action.USE_PAGES), name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password; forced at first sign-in after an administrator's reset."""

    template_name = "accounts/password_change.html"
    form_class = PasswordChangeForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(forced=self.request.user.must_change_password, **kwargs)

    def form_valid(self, form):
        signin.password_set(request=self.request, user=form.user,
                            password=form.cleaned_data["new_password1"], action="password_change")
        messages.success(self.request, _("Your password has been changed"))
        return redirect(_next_or(self.request, "core:start"))


class ActivateView(auth_views.PasswordResetConfirmView):
    """Choose a first password from the one-time link in the activation email."""

    template_name = "accounts/activate.html"
    form_class = ActivationForm
    post_reset_login = False

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        if user is not None and not has_capability(user, Action.USE_PAGES):
            return None  # disabled and API-only accounts have nothing to activate here
        return user

    def form_valid(self, form):
        signin.password_set(request=self.request, user=form.user,
                            password=form.cleaned_data["new_password1"], action="account_activated")
        self.request.session.pop(auth_views.INTERNAL_RESET_SESSION_TOKEN, None)
        messages.success(self.request, _(
            "Your password is set. Sign in with your username, which was sent to you "
            "separately, and your new password."
        ))
        return redirect("accounts:sign-in")


def _try_code(request, form: CodeForm, check) -> bool:
    """Run `check(code)` for a valid form; on failure put the right message on the form."""
    if not form.is_valid():
        return False
    if twofactor.verify_is_throttled(request.user):
        form.too_many()
        return False
    if check(form.cleaned_data["code"]):
        return True
    form.wrong_code()
    return False


@requires(Action.USE_PAGES)
def two_factor(request):
    """Show two-factor sign-in: set up an authenticator app, or see that it is on."""
    user = request.user
    required = twofactor.two_factor_required(user)
    if twofactor.confirmed_device(user) is not None:
        form = CodeForm(button=_("Remove two-factor sign-in"))
        return render(request, "accounts/two_factor_on.html", {"form": form, "required": required})
    device = twofactor.pending_device(user)
    form = CodeForm(request.POST or None, button=_("Turn on two-factor sign-in"))
    if request.method == "POST" and _try_code(request, form, lambda code: (
        twofactor.two_factor_confirm(request=request, device=device, code=code)
    )):
        messages.success(request, _("Two-factor sign-in is on. You will need a code each time "
                                    "you sign in."))
        return redirect(_next_or(request, "core:start"))
    return render(request, "accounts/two_factor_set_up.html", {
        "form": form, "required": required, "qr_svg": twofactor.qr_code_svg(device),
        "secret": twofactor.secret_for_people(device),
    })


@requires(Action.USE_PAGES)
@require_POST
def two_factor_remove(request):
    """Turn two-factor sign-in off, for people who may go without it, after a right code."""
    if twofactor.two_factor_required(request.user):
        raise Http404
    if twofactor.confirmed_device(request.user) is None:
        return redirect("accounts:two-factor")
    form = CodeForm(request.POST, button=_("Remove two-factor sign-in"))
    if _try_code(request, form, lambda code: (
        twofactor.two_factor_remove(request=request, code=code)
    )):
        messages.success(request, _("Two-factor sign-in is off"))
        return redirect("accounts:two-factor")
    return render(request, "accounts/two_factor_on.html", {"form": form, "required": False})


@requires(Action.USE_PAGES)
def two_factor_verify(request):
    """Ask for the code from the authenticator app after the password."""
    if request.user.is_verified() or twofactor.confirmed_device(request.user) is None:
        return redirect(_next_or(request, "core:start"))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and _try_code(request, form, lambda code: (
        twofactor.two_factor_verify(request=request, code=code)
    )):
        return redirect(_next_or(request, "core:start"))
    return render(request, "accounts/two_factor_verify.html", {"form": form})


@login_not_required
@require_GET
def administrators(request):
    """Say who to ask when a person cannot sign in, lost their phone, or needs an account.

    Signed in (or half way, before the two-factor code): their own LA's DBAs by name, or the
    service's administrators. Signed out: every LA's s2s contact address.
    """
    user = request.user
    if user.is_authenticated:
        return render(request, "accounts/administrators.html",
                      {"mine": selectors.administrators_for(user)})
    return render(request, "accounts/administrators.html", {"las": selectors.la_contacts()})
