"""Two-factor sign-in with time-based codes (TOTP): who needs it, setting it up, checking codes.

Each person has at most one confirmed `TOTPDevice`. Setting one up creates an unconfirmed
device whose secret the person scans; a correct code confirms it.
"""

import re
from base64 import b32encode

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_noop
from django_otp.plugins.otp_totp.models import TOTPDevice

from s2s.accounts.roles import TWO_FACTOR_REQUIRED
from s2s.audit.services import audit_record
from s2s.ctf.words import Text

DEVICE_NAME = "authenticator app"


def two_factor_required(user) -> bool:
    """Return whether this user must use two-factor sign-in (LA and national roles)."""
    return bool(settings.S2S_TWO_FACTOR_REQUIRED) and user.role in TWO_FACTOR_REQUIRED


def confirmed_device(user) -> TOTPDevice | None:
    """Return the user's confirmed authenticator, or None."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def pending_device(user) -> TOTPDevice:
    """Return the unconfirmed authenticator the user is setting up, creating it if needed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_for_people(device: TOTPDevice) -> str:
    """Return the device's secret in base32, in groups of four, for typing into an app."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """Return an inline SVG QR code of the device's otpauth:// address."""
    image = qrcode.make(
        device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=2
    )
    svg = image.to_string(encoding="unicode")
    # Drop any XML declaration so the SVG can sit inside the page.
    return re.sub(r"^<\?xml[^>]*\?>\s*", "", svg)


def _check(device: TOTPDevice, code: str) -> bool:
    with transaction.atomic():
        # Lock the row so two requests cannot both use the same code or dodge the throttle.
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        return device.verify_token(code)


def two_factor_confirm(*, request: HttpRequest, device: TOTPDevice, code: str) -> bool:
    """Confirm the authenticator being set up when the code is right, and mark the session.

    Any other unconfirmed device of the user is removed. Return whether the code was right.
    """
    user = request.user
    if device.user_id != user.pk or device.confirmed or not _check(device, code):
        audit_record(action="two_factor_failed", actor=user, request=request,
                     summary=Text(gettext_noop("Wrong code while setting up two-factor sign-in")))
        return False
    with transaction.atomic():
        device.refresh_from_db()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        audit_record(action="two_factor_added", actor=user, obj=user, request=request,
                     summary=Text(gettext_noop("Set up two-factor sign-in")))
    django_otp.login(request, device)
    return True


def two_factor_verify(*, request: HttpRequest, code: str) -> bool:
    """Check a signed-in user's code against their authenticator; on success mark the session."""
    user = request.user
    device = confirmed_device(user)
    if device is None or not _check(device, code):
        audit_record(action="two_factor_failed", actor=user, request=request,
                     summary=Text(gettext_noop("Wrong two-factor code at sign-in")))
        return False
    device.refresh_from_db()
    django_otp.login(request, device)
    audit_record(action="two_factor_verified", actor=user, request=request,
                 summary=Text(gettext_noop("Entered a two-factor code at sign-in")))
    return True


def two_factor_remove(*, request: HttpRequest, code: str) -> bool:
    """Remove the user's own authenticator after a right code; return whether it was removed.

    Callers check `two_factor_required` first: people who must use two-factor cannot remove it.
    """
    user = request.user
    device = confirmed_device(user)
    if device is None or not _check(device, code):
        audit_record(action="two_factor_failed", actor=user, request=request,
                     summary=Text(gettext_noop("Wrong code while removing two-factor sign-in")))
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        audit_record(action="two_factor_removed", actor=user, obj=user, request=request,
                     summary=Text(gettext_noop("Removed two-factor sign-in")))
    return True


def verify_is_throttled(user) -> bool:
    """Return whether an authenticator of the user refuses codes for now after wrong ones."""
    return any(not device.verify_is_allowed()[0] for device in TOTPDevice.objects.filter(user=user))
