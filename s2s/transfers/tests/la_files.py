"""Files for the LA monitoring, forward and phase transfer tests, sent through the service."""

import io
from datetime import timedelta

from django.utils import timezone

from s2s.transfers.models import Transfer
from s2s.transfers.services import transfer_upload
from s2s.transfers.tests.ctfs import ctf

_seeds = iter(range(1000, 10**6))


def send(user, source: str, destination: str, *, sequence: int = 1, pupils: int = 2,
         content: bytes | None = None) -> Transfer:
    """Upload a CTF from source to destination as user; return its transfer."""
    glue = "" if source.endswith("LLLL") and destination.isdigit() else "_"
    name = f"{source}_CTF{glue}{destination}_{sequence:03d}.XML"
    content = content or ctf(source, destination, pupils=pupils, seed=next(_seeds))
    return transfer_upload(user=user, name=name, content=io.BytesIO(content)).transfer


def set_state(transfer: Transfer, *, status: str | None = None, days_ago: int = 0,
              took_days: int | None = None) -> Transfer:
    """Backdate a file and give it a state, as if time had passed (test data only)."""
    uploaded = timezone.now() - timedelta(days=days_ago, minutes=5)
    fields = {"uploaded_at": uploaded}
    if status is not None:
        fields["status"] = status
    if status == "collected":
        fields["collected_at"] = uploaded + timedelta(days=took_days or 0, minutes=1)
    if status == "rejected":
        fields["rejected_at"] = uploaded + timedelta(days=took_days or 0, minutes=1)
    Transfer.objects.filter(pk=transfer.pk).update(**fields)
    transfer.refresh_from_db()
    return transfer
