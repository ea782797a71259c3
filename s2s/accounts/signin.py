"""Signing in and out: the steps a signed-in person still owes, the audit trail, lockouts.

After the password, a person may owe up to three steps before any other page opens, in this
order: the code from their authenticator (when they have one), a new password (when an
administrator created or reset the account), and setting up an authenticator (when their
role requires two-factor sign-in). `next_step` names the page of the first one owed; the
middleware sends every other request there.

Lockouts (issue 20, 5): an account is locked after `S2S_LOCKOUT_FAILURES` failures from any
address (django-axes). An address is locked only after `S2S_LOCKOUT_ADDRESS_FAILURES` failures
on usernames that exist, for `S2S_LOCKOUT_ADDRESS_MINUTES`: a whole school signs in from one
address, and made-up usernames from a pupil there must not lock its teachers out.
"""

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from django.conf import settings
from django.contrib.auth import get_user_model, logout, update_session_auth_hash
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from s2s.accounts.policy import Action, has_capability
from s2s.accounts.twofactor import confirmed_device, two_factor_required
from s2s.audit.services import audit_record
from s2s.core.addresses import client_address
from s2s.ctf.words import Text

STEP_VERIFY = "accounts:two-factor-verify"
STEP_PASSWORD = "accounts:password-change"
STEP_SET_UP = "accounts:two-factor"


def next_step(user) -> str | None:
    """Return the URL name of the sign-in step this signed-in user still owes, or None."""
    if not user.is_authenticated or not has_capability(user, Action.USE_PAGES):
        # API-only accounts never get a page anyway; nothing to send them through.
        return None
    # OTPMiddleware installs is_verified; without it, nobody counts as verified (the safe side).
    verified = getattr(user, "is_verified", lambda: False)()
    if not verified and confirmed_device(user) is not None:
        return STEP_VERIFY
    if user.must_change_password:
        return STEP_PASSWORD
    if not verified and two_factor_required(user):
        return STEP_SET_UP
    return None


def lockout_minutes() -> int:
    """Return how long an account's lockout lasts, in whole minutes."""
    return int(round(settings.AXES_COOLOFF_TIME * 60))


def _address_keys(address: str | None) -> tuple[str, str]:
    return f"signin-failures:{address}", f"signin-locked:{address}"


def address_locked(request: HttpRequest) -> bool:
    """Return whether sign-in from this request's address is in its cool-off."""
    return bool(cache.get(_address_keys(client_address(request))[1]))


def address_failure_count(*, request: HttpRequest, username: str) -> None:
    """Count a failed sign-in against its address if the username exists; lock it at the limit.

    The count lives in the cache every worker shares and is forgotten after a cool-off's
    pause without failures. (Redis counts atomically; the database cache may miss a failure
    of two that race, which a limit of tens can afford.)
    """
    if not username or not get_user_model().objects.filter(username=username).exists():
        return
    seconds = settings.S2S_LOCKOUT_ADDRESS_MINUTES * 60
    counter, locked = _address_keys(client_address(request))
    cache.add(counter, 0, timeout=seconds)
    try:
        failures = cache.incr(counter)
    except ValueError:  # expired between add and incr: this failure starts a new count
        cache.set(counter, failures := 1, timeout=seconds)
    cache.touch(counter, timeout=seconds)
    if failures >= settings.S2S_LOCKOUT_ADDRESS_FAILURES:
        cache.set(locked, True, timeout=seconds)
        cache.delete(counter)


class LockoutBackend(AxesStandaloneBackend):
    """Axes' lockout by account, after a lockout by address (which axes does not count)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        """Refuse a locked address before any password check, then ask axes about the account."""
        if request is not None and address_locked(request):
            request.axes_locked_out = request.s2s_address_locked = True
            request.s2s_refused_unchecked = True
            raise AxesBackendPermissionDenied("The address is in its cool-off")
        try:
            return super().authenticate(request, username=username, password=password,
                                        **kwargs)
        except AxesBackendPermissionDenied:
            request.s2s_refused_unchecked = True  # no password was checked: not a failure
            raise


def lockout_response(request, original_response=None, credentials=None):
    """Tell a locked-out person why and for how long, without saying whether the account exists."""
    if getattr(request, "s2s_address_locked", False):
        minutes = settings.S2S_LOCKOUT_ADDRESS_MINUTES
        message = _(
            "There have been too many failed attempts to sign in from this address. Signing in "
            "from here is blocked for %(minutes)d minutes. Wait and try again, or ask your LA "
            "s2s administrator for help."
        ) % {"minutes": settings.S2S_LOCKOUT_ADDRESS_MINUTES}
    else:
        minutes = lockout_minutes()
        message = _(
            "There have been too many failed attempts to sign in to this account. Signing in "
            "is blocked for %(minutes)d minutes. Wait and try again, or ask your LA s2s "
            "administrator for help."
        ) % {"minutes": lockout_minutes()}
    response = render(request, "accounts/locked_out.html", {"message": message}, status=429)
    # The whole lockout: the earliest a retry can succeed is no sooner than this.
    response["Retry-After"] = str(minutes * 60)
    return response


@receiver(user_login_failed, dispatch_uid="s2s.accounts.signin.record_failed_sign_in")
def record_failed_sign_in(sender, credentials, request=None, **kwargs):
    """Audit a failed sign-in with the username tried (Django has already hidden the password).

    A wrong password for a username that exists also counts against the address.
    """
    username = str(credentials.get("username") or "")[:150]
    locked_out = bool(getattr(request, "axes_locked_out", False))
    if request is not None and not getattr(request, "s2s_refused_unchecked", False):
        address_failure_count(request=request, username=username)
    audit_record(
        action="sign_in_failed",
        request=request,
        actor_username=username,
        summary=Text(gettext_noop("Sign-in refused: locked out") if locked_out
                     else gettext_noop("Wrong username or password")),
        detail={"reason": "locked_out" if locked_out else "wrong_credentials"},
    )


# Why a sign-in with a right password was refused (the audit's `reason`), in words.
REFUSED_WORDS = {"api_only": gettext_noop("the account may use only the API")}


def sign_in_refused(*, request: HttpRequest, user, reason: str) -> None:
    """Audit a sign-in refused after a right password (an API-only or blocked account)."""
    audit_record(action="sign_in_failed", actor=user, request=request,
                 summary=Text(gettext_noop("Sign-in refused: %(reason)s"),
                              reason=Text(REFUSED_WORDS[reason])),
                 detail={"reason": reason})


def sign_in_record(*, request: HttpRequest, user) -> None:
    """Audit a sign-in with a right password."""
    audit_record(action="sign_in", actor=user, request=request,
                 summary=Text(gettext_noop("Signed in")))


def sign_out(*, request: HttpRequest) -> None:
    """Audit the sign-out, then end the session."""
    user = request.user
    if user.is_authenticated:
        audit_record(action="sign_out", actor=user, request=request,
                     summary=Text(gettext_noop("Signed out")))
    logout(request)


def password_set(*, request: HttpRequest, user, password: str, action: str) -> None:
    """Give the user a new (already validated) password and clear the must-change flag.

    `action` is the audit action: "password_change" when a signed-in person changes their own,
    "account_activated" when a new person chooses theirs from the activation link. A signed-in
    person stays signed in.
    """
    with transaction.atomic():
        user.set_password(password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        summary = Text(gettext_noop("Activated the account") if action == "account_activated"
                       else gettext_noop("Changed password"))
        audit_record(action=action, actor=user, obj=user, request=request, summary=summary)
    if request.user.is_authenticated and request.user.pk == user.pk:
        update_session_auth_hash(request, user)
