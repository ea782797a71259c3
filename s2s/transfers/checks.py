"""System checks for the encrypted store: the master keys must parse before anything runs."""

from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from s2s.transfers import crypto


@register()
def check_master_keys(app_configs, **kwargs) -> list[Error]:
    """Report a missing or malformed S2S_ENCRYPTION_KEY or S2S_ENCRYPTION_OLD_KEYS."""
    try:
        crypto.master_key_ring()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="transfers.E001")]
    return []
