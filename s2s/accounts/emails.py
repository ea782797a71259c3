"""The emails user administration sends: one small function per email, queued in the outbox.

Seed 003, 3.7: a username and a secret never travel in the same email, so the activation and
reset emails carry a one-time link and no username, and the username goes in its own email.
Nothing here logs a link or a token.
"""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from s2s.core.outbox import email_queue_templated


def activation_link(user) -> str:
    """Return the one-time link with which the user sets a password (the page is `activate`)."""
    path = reverse("accounts:activate", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    })
    return settings.SITE_URL + path


def _send(name: str, to: list[str], context: dict) -> None:
    email_queue_templated(name=name, to=to, context=context)


def send_activation(*, email: str, full_name: str, link: str) -> None:
    """Send a new user the link that sets a first password: no username in it."""
    _send("activation", [email], {"full_name": full_name, "link": link})


def send_username(*, email: str, full_name: str, username: str) -> None:
    """Send a new user its username, without any link or secret."""
    _send("username", [email], {"full_name": full_name, "username": username})


def send_password_reset(*, email: str, full_name: str, link: str) -> None:
    """Send the link that sets a new password after an administrator reset it."""
    _send("password-reset", [email], {"full_name": full_name, "link": link})


def send_role_changed(*, email: str, full_name: str, role: str) -> None:
    """Tell a user its role changed (seed 003, 3.4)."""
    _send("role-changed", [email], {"full_name": full_name, "role": role})


def send_review_warning(*, to: list[str], username: str, days: int, disable_on) -> None:
    """Warn a user and its LA administrators that the account is about to be disabled."""
    _send("review-warning", to, {"username": username, "days": days, "disable_on": disable_on})


def send_review_disabled(*, to: list[str], username: str) -> None:
    """Tell a user and its LA administrators that the annual review disabled the account."""
    _send("review-disabled", to, {"username": username})


def send_two_factor_reset(*, email: str, full_name: str, required: bool) -> None:
    """Tell a user an administrator removed their authenticator (a lost phone); no secret."""
    _send("two-factor-reset", [email], {"full_name": full_name, "required": required})
