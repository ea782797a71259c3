"""Forward: the LA sends a CTF its school or mailbox has not collected on to another school.

Seed 003, 5.3 ("delete or forward as applicable") and 1.5 (a pupil who changes school after
the CTF went). The file is re-addressed (only its header's destination changes), delivered
from the LA's mailbox through the upload service, so the addressing and successor rules apply,
and the old file is deleted with a reason that names the new one.
"""

import io

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from s2s.accounts.policy import Action, get_for, transfer_box
from s2s.audit.services import audit_record
from s2s.core.errors import ServiceError
from s2s.ctf.errors import CTFError
from s2s.ctf.names import PlaceKind, format_name, parse_name, parse_place
from s2s.ctf.words import Text
from s2s.ctf.writer import readdress
from s2s.transfers.deleted import FORWARDED, delete_reason
from s2s.transfers.models import Transfer, TransferStatus
from s2s.transfers.services.receive import transfer_delete
from s2s.transfers.services.upload import transfer_upload
from s2s.transfers.storage import atomic_with_files, stored_file_open


def _refuse(message: str, code: str, field: str = "to") -> ServiceError:
    return ServiceError(message, code=code, field=field)


def school_code(to: str) -> str:
    """Return a destination school's establishment number, or refuse anything else."""
    code = (to or "").strip().upper()
    try:
        place = parse_place(code=code, role="destination")
    except CTFError:
        place = None
    if place is None or place.kind is not PlaceKind.SCHOOL:
        raise _refuse(_("Enter the 7-digit establishment number of the school, for example "
                        "8384512."), "not_a_school")
    return code


def stored_content(transfer: Transfer) -> bytes:
    """Return the file's verified plaintext."""
    with stored_file_open(transfer.stored_file) as reader:
        return b"".join(reader)


def forwarded_name(*, box: str, destination: str, original: str, file_type: str = "CTF") -> str:
    """Return `333LLLL_CTF<dest>_NNN.XML`, keeping the original's sequence number NNN."""
    try:
        sequence = parse_name(name=original).sequence
    except CTFError:
        sequence = None
    return format_name(source=box, destination=destination, file_type=file_type,
                       sequence=1 if sequence is None else sequence)


def readdressed(*, content: bytes, destination: str) -> bytes:
    """Return the CTF with only its header's destination changed, or refuse saying why."""
    try:
        return readdress(content=content, destination=destination).content
    except CTFError as error:
        raise _refuse(_("The file cannot be re-addressed: %(problem)s")
                      % {"problem": error.words(_)}, "readdress_failed", "file") from None


def transfer_forward(*, user, transfer: Transfer, to: str, request=None) -> Transfer:
    """Send a CTF awaiting at one of the LA's places on to school `to`; return the new file.

    The new file goes from the user's LA mailbox (`333LLLL_CTF<dest>_NNN.XML`) through
    `transfer_upload`; the old one is deleted, its reason naming the new file. The audit
    record `transfer_forward` keeps both files and the UPNs. All of it happens, or none.
    """
    to = school_code(to)
    box = transfer_box(user)
    if box is None:
        raise _refuse(_("Your account has no mailbox to forward files from."), "no_mailbox")
    with atomic_with_files():
        old = get_for(user, Transfer.objects.select_for_update(), Action.MANAGE_LA_FILES,
                      pk=transfer.pk)
        if old.status != TransferStatus.AWAITING or old.stored_file_id is None:
            raise _refuse(_("Only a file awaiting collection can be forwarded; %(name)s is "
                            "%(status)s.") % {"name": old.name,
                                              "status": old.get_status_display().lower()},
                          "not_awaiting", "file")
        if old.destination_establishment_id and old.destination_establishment.code == to:
            raise _refuse(_("%(name)s is already at %(code)s.") % {"name": old.name, "code": to},
                          "same_destination")
        content = readdressed(content=stored_content(old), destination=to)
        name = forwarded_name(box=box, destination=to, original=old.name,
                              file_type=old.file_type)
        new = transfer_upload(user=user, name=name, content=io.BytesIO(content),
                              request=request).transfer
        upns = list(old.pupils.exclude(upn="").values_list("upn", flat=True))
        transfer_delete(user=user, transfer=old, request=request,
                        reason=delete_reason(FORWARDED, code=to, name=name))
        audit_record(action="transfer_forward", actor=user, obj=new, request=request,
                     summary=Text(gettext_noop("%(old)s forwarded to %(to)s as %(new)s"),
                                  old=old.name, to=str(to), new=new.name),
                     detail={"from_transfer": old.pk, "from_name": old.name, "name": new.name,
                             "to": new.delivered_code, "upns": upns})
    return new
