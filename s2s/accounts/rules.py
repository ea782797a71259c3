"""Account rules that more than one surface needs: which email addresses an account may have."""

from django.conf import settings
from django.utils.translation import gettext as _

from s2s.core.errors import ServiceError


def _domain_of(email: str) -> str:
    return email.rpartition("@")[2].strip().rstrip(".").lower()


def is_personal_email(email: str) -> bool:
    """Return whether the address is at a personal webmail domain, or a subdomain of one."""
    domain = _domain_of(email)
    if not domain:
        return False
    for personal in settings.PERSONAL_EMAIL_DOMAINS:
        personal = personal.strip().lower()
        if personal and (domain == personal or domain.endswith("." + personal)):
            return True
    return False


def check_account_email(email: str) -> None:
    """Refuse an account email at a personal webmail domain (seed 003, 3.7).

    Raise ServiceError with field "email"; return None when the address may be used.
    """
    if is_personal_email(email):
        raise ServiceError(
            _(
                "Use a work email address: personal email services such as %(domain)s cannot "
                "be used for an s2s account"
            ) % {"domain": _domain_of(email)},
            code="personal_email",
            field="email",
        )
