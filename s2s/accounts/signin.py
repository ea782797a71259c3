"""Sign-in rules: what a locked-out user is told."""

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_response(request, credentials, *args, **kwargs):
    """Tell a locked-out user why, and for how long, without saying whether the account exists."""
    minutes = int(settings.AXES_COOLOFF_TIME * 60)
    message = _(
        "Too many failed sign-in attempts. Signing in is blocked for this account and this "
        "address for %(minutes)d minutes. Ask your LA s2s administrator if you need help sooner."
    ) % {"minutes": minutes}
    return render(request, "accounts/locked_out.html", {"message": message}, status=429)
