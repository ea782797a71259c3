"""Who may reach the account pages."""

from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from s2s.core.tests.matrix import ALL_ROLES, PAGE_ROLES, Row


def _activation_link(world):
    user = world.users["school"]
    return {"uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user)}


ROWS = [
    Row("accounts:sign-in", public=True),
    Row("accounts:sign-out", allowed=ALL_ROLES, method="post"),
    Row("accounts:password-change", allowed=PAGE_ROLES),
    Row("accounts:two-factor", allowed=PAGE_ROLES),
    Row("accounts:signed-out", public=True),
    Row("accounts:activate", public=True, kwargs=_activation_link, label="a valid link"),
    Row("accounts:activate", public=True, kwargs=lambda w: {"uidb64": "MTIzNDU", "token": "x-y"},
        label="a broken link"),
    Row("accounts:two-factor-verify", allowed=PAGE_ROLES),
    # Only people who may go without two-factor sign-in may turn it off.
    Row("accounts:two-factor-remove", allowed={"school", "agency"}, method="post"),
]
