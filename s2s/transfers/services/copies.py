"""LA copies: the LA downloads a copy of a CTF its schools sent or received (seed 003, 3.9).

A copy is for the LA's tracking of pupil movements; downloading one changes nothing about the
file (not collected, not counted as its destination's download). Only while the LA's switch
`receive_ctf_copies` is on; audited as `copy_download` with the file's UPNs.
"""

from collections.abc import Iterator

from django.db import transaction
from django.utils.translation import gettext as _

from s2s.accounts.policy import Action, get_for
from s2s.audit.services import audit_record
from s2s.core.errors import ServiceError
from s2s.transfers.models import Transfer
from s2s.transfers.storage import stored_file_open


def transfer_copy_open(*, user, transfer: Transfer, request=None) -> tuple[str, Iterator[bytes]]:
    """Return the file's name and verified content for the LA's copy, auditing the download.

    Raises Http404 outside the LA's copies (another LA, the switch off); refuses a file whose
    content is gone (deleted, or purged after collection).
    """
    with transaction.atomic():
        transfer = get_for(user, Transfer.objects.select_related("stored_file"),
                           Action.LA_COPIES, pk=transfer.pk)
        if transfer.stored_file is None:
            raise ServiceError(_("%(name)s is no longer held on s2s.") % {"name": transfer.name},
                               code="deleted", field="file")
        upns = list(transfer.pupils.exclude(upn="").values_list("upn", flat=True))
        audit_record(action="copy_download", actor=user, obj=transfer, request=request,
                     summary=transfer.name, detail={"name": transfer.name, "upns": upns})
        reader = stored_file_open(transfer.stored_file)  # last: nothing after it can fail
    return transfer.name, reader
