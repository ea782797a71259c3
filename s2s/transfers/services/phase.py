"""Phase transfer: an LA splits a bulk CTF from its LLLL mailbox into one CTF per school.

Seed 003, 1.5: schools send the LA bulk CTFs (infant to junior, primary to secondary); the LA
allocates each pupil to the school that offered a place and forwards each school its pupils.
The allocation is UPN -> destination establishment number, from a CSV or picked on a page.
Each school's CTF goes from the LA mailbox (`333LLLL_CTF<dest>_NNN.XML`) through the upload
service, so addressing and successor rules apply; each is accepted or refused on its own, and
the pupils the hub could not place are reported.
"""

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from s2s.accounts.policy import Action, can, get_for, transfer_box
from s2s.audit.services import audit_record
from s2s.core.errors import ServiceError
from s2s.ctf.errors import CTFError
from s2s.ctf.words import Text
from s2s.ctf.writer import split_ctf
from s2s.directory.models import Establishment
from s2s.transfers.models import Mailbox, Transfer, TransferStatus
from s2s.transfers.services.forward import forwarded_name, school_code, stored_content
from s2s.transfers.services.receive import transfer_collect
from s2s.transfers.services.upload import transfer_upload

MAX_ROWS = 20_000
MAX_ERRORS_SHOWN = 20
UPN_LENGTH = 13


class AllocationError(ServiceError):
    """An allocation the hub cannot use, with one line per problem ("Line 4: ...")."""

    def __init__(self, problems: list[str]):
        shown = problems[:MAX_ERRORS_SHOWN]
        if len(problems) > len(shown):
            more = len(problems) - len(shown)
            shown.append(ngettext("... and %(count)s more problem.",
                                  "... and %(count)s more problems.", more) % {"count": more})
        super().__init__(" ".join(shown), code="bad_allocation", field="allocation")
        self.problems = shown


@dataclass(frozen=True, slots=True)
class Delivered:
    """One school's CTF, accepted for delivery."""

    name: str
    destination: str
    pupils: int
    transfer_id: int
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Refused:
    """One school's CTF the upload service refused, and why; its pupils were not placed."""

    name: str
    destination: str
    pupils: int
    message: str


@dataclass(frozen=True, slots=True)
class NotPlaced:
    """A pupil of the bulk file that no school's CTF holds."""

    position: int
    upn: str
    name: str
    reason: str


@dataclass(frozen=True, slots=True)
class SplitResult:
    """What a phase split did: the files delivered and refused, the pupils not placed."""

    source_id: int
    source_name: str
    delivered: list[Delivered]
    refused: list[Refused]
    unplaced: list[NotPlaced]
    collected: bool

    def as_dict(self) -> dict:
        """Return the result as plain data (for the session and the API)."""
        return asdict(self)


def phase_source(*, user, pk: int) -> Transfer:
    """Return a CTF at the user's own LLLL mailbox that it may split, or raise Http404."""
    mailbox = Transfer.objects.filter(destination_kind="la_mailbox",
                                      destination_mailbox=Mailbox.LLLL, file_type="CTF")
    transfer = get_for(user, mailbox.select_related("stored_file"), Action.MANAGE_LA_FILES,
                       pk=pk)
    if not can(user, Action.RECEIVE_FILES, transfer):
        raise Http404
    return transfer


def _rows(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    return list(csv.reader(io.StringIO(text)))


def _is_heading(row: list[str]) -> bool:
    return bool(row) and "UPN" in row[0].upper() and len(row[0].strip()) != UPN_LENGTH


def _row_problem(line: int, row: list[str], upns: set[str], schools: set[str]) -> str | None:
    """Return what is wrong with one allocation row, or None."""
    if len(row) < 2 or not row[0].strip() or not row[1].strip():
        return _("Line %(line)s: give a UPN and a destination establishment number, separated "
                 "by a comma.") % {"line": line}
    upn, code = row[0].strip().upper(), row[1].strip()
    if len(upn) != UPN_LENGTH or not upn.isalnum():
        return _("Line %(line)s: %(upn)s is not a UPN (13 letters and digits).") % {
            "line": line, "upn": upn}
    if upn not in upns:
        return _("Line %(line)s: UPN %(upn)s is not in this file.") % {"line": line, "upn": upn}
    if len(code) != 7 or not code.isdigit():
        return _("Line %(line)s: %(code)s is not an establishment number (7 digits, for "
                 "example 8384512).") % {"line": line, "code": code}
    if code not in schools:
        return _("Line %(line)s: there is no establishment %(code)s on s2s.") % {
            "line": line, "code": code}
    return None


def allocation_from_csv(*, content: bytes, upns: Iterable[str]) -> dict[str, str]:
    """Return the UPN -> establishment allocation a CSV gives, or refuse it line by line.

    Two columns, UPN then destination establishment number; a heading row and blank lines
    are allowed. Lines are counted as a spreadsheet shows them, from 1.
    """
    rows = _rows(content)
    if len(rows) > MAX_ROWS:
        raise AllocationError([_("The file has more than %(count)s lines.") % {"count": MAX_ROWS}])
    codes = {row[1].strip() for row in rows if len(row) > 1}
    schools = set(Establishment.objects.filter(code__in=codes).values_list("code", flat=True))
    wanted, allocation, first_line, problems = set(upns), {}, {}, []
    for line, row in enumerate(rows, start=1):
        if not any(cell.strip() for cell in row) or (line == 1 and _is_heading(row)):
            continue
        problem = _row_problem(line, row, wanted, schools)
        upn = row[0].strip().upper() if row else ""
        if problem is None and allocation.get(upn, row[1].strip()) != row[1].strip():
            problem = _("Line %(line)s: UPN %(upn)s is already allocated to %(code)s on line "
                        "%(first)s.") % {"line": line, "upn": upn, "code": allocation[upn],
                                         "first": first_line[upn]}
        if problem:
            problems.append(problem)
            continue
        allocation[upn] = row[1].strip()
        first_line.setdefault(upn, line)
    if problems:
        raise AllocationError(problems)
    if not allocation:
        raise AllocationError([_("The file has no allocation rows: give one line per pupil, "
                                 "UPN then destination establishment number.")])
    return allocation


def _checked_allocation(allocation: Mapping[str, str]) -> dict[str, str]:
    plan = {}
    for upn, destination in allocation.items():
        if not destination:
            continue
        try:
            plan[upn.strip().upper()] = school_code(destination)
        except ServiceError:
            raise AllocationError([_("UPN %(upn)s: %(code)s is not a school's establishment "
                                     "number.") % {"upn": upn, "code": destination}]) from None
    if not plan:
        raise AllocationError([_("Choose a destination school for at least one pupil.")])
    return plan


def _deliver(*, user, source: Transfer, split, request) -> Delivered | Refused:
    name = forwarded_name(box=transfer_box(user), destination=split.destination,
                          original=source.name)
    try:
        result = transfer_upload(user=user, name=name, content=io.BytesIO(split.content),
                                 request=request)
    except ServiceError as error:
        return Refused(name, split.destination, split.pupils, error.message)
    return Delivered(result.transfer.name, split.destination, split.pupils, result.transfer.pk,
                     list(result.notes))


def _not_placed(pupil, refused: dict[str, str]) -> NotPlaced:
    if pupil.upn in refused:
        reason = refused[pupil.upn]
    elif not pupil.upn:
        reason = _("The pupil has no UPN.")
    else:
        reason = _("No destination school was given for this UPN.")
    name = ", ".join(part for part in (pupil.surname, pupil.forename) if part)
    return NotPlaced(pupil.position, pupil.upn or "", name, reason)


def _split(source: Transfer, plan: dict[str, str]):
    if source.status not in (TransferStatus.AWAITING, TransferStatus.COLLECTED) or (
        source.stored_file_id is None
    ):
        raise ServiceError(_("%(name)s is %(status)s and can no longer be split.")
                           % {"name": source.name, "status": source.get_status_display().lower()},
                           code="not_splittable", field="file")
    try:
        return split_ctf(content=stored_content(source), allocation=plan)
    except CTFError as error:
        raise ServiceError(_("The file cannot be split: %(problem)s")
                           % {"problem": error.words(_)}, code="split_failed",
                           field="file") from None


def phase_transfer_split(*, user, transfer: Transfer, allocation: Mapping[str, str],
                         request=None) -> SplitResult:
    """Split a bulk CTF at the user's LLLL mailbox by allocation and deliver each school's part.

    Each school's CTF is uploaded on its own, from the LA mailbox, so one refused (a closed
    school with no successor, an identical file still awaiting) leaves the others delivered;
    its pupils are reported with the pupils the allocation did not place. The bulk file is
    marked collected once every pupil in it has been delivered. Audited as
    `transfer_phase_split`, with the UPNs delivered.
    """
    source = phase_source(user=user, pk=transfer.pk)
    plan = _checked_allocation(allocation)
    split = _split(source, plan)
    outcomes = [_deliver(user=user, source=source, split=part, request=request)
                for part in split.files]
    delivered = [o for o in outcomes if isinstance(o, Delivered)]
    refused = [o for o in outcomes if isinstance(o, Refused)]
    why = {o.destination: o.message for o in refused}
    pupils = list(source.pupils.order_by("position"))
    for pupil in pupils:
        pupil.upn = pupil.upn.strip().upper()
    refused_upns = {upn: why[code] for upn, code in plan.items() if code in why}
    unplaced = [_not_placed(p, refused_upns) for p in pupils
                if not p.upn or p.upn not in plan or p.upn in refused_upns]
    placed = [p.upn for p in pupils if p.upn in plan and p.upn not in refused_upns]
    audit_record(action="transfer_phase_split", actor=user, obj=source, request=request,
                 summary=Text(gettext_noop("%(name)s: %(files)s files, %(unplaced)s not placed"),
                              name=source.name, files=len(delivered), unplaced=len(unplaced)),
                 detail={"name": source.name, "files": [d.name for d in delivered],
                         "upns": placed, "not_placed": [p.upn for p in unplaced if p.upn]})
    collected = bool(delivered) and not unplaced and source.status == TransferStatus.AWAITING
    if collected:
        transfer_collect(user=user, transfer=source, request=request)
    return SplitResult(source.pk, source.name, delivered, refused, unplaced, collected)
