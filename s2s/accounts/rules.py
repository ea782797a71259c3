"""Account rules (minimal stand-in: the sign-in engineer owns and completes this module)."""

from django.conf import settings
from django.utils.translation import gettext as _

from s2s.core.errors import ServiceError


def check_account_email(email: str) -> None:
    """Refuse an account email at a personal webmail domain (seed 003, 3.7)."""
    domain = email.rpartition("@")[2].strip().lower()
    if domain in {d.lower() for d in settings.PERSONAL_EMAIL_DOMAINS}:
        raise ServiceError(
            _("Use a work email address: personal email such as %(domain)s is not allowed.")
            % {"domain": domain},
            code="personal_email", field="email",
        )
