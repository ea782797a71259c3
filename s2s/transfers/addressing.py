"""Addressing: who a file is from and where the hub delivers it (DESIGN.md, File names).

The sender is the uploader's own place (policy `transfer_box`); the destination comes from
the file name: an establishment (a closed school's pupils go to its current successor), an
LA mailbox (the type table says which one a file addressed to `LLLL` goes to), an agency
(generic zips only, under an exchange agreement: `s2s.agencies.agreements`), or the Lost
Pupil Database.
"""

from dataclasses import dataclass

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from s2s.accounts.policy import transfer_box
from s2s.core.errors import ServiceError
from s2s.core.prepared import PreparedRead
from s2s.ctf.names import FileName, PlaceKind
from s2s.directory.models import Agency, Establishment, LocalAuthority
from s2s.transfers.models import DestinationKind, Mailbox, Transfer

# A destination's `identical_id` when its read did not look for identical files.
NOT_LOOKED = object()


@dataclass(frozen=True, slots=True)
class Sender:
    code: str
    establishment: Establishment | None = None
    la: LocalAuthority | None = None
    mailbox: str = ""
    agency: Agency | None = None

    @property
    def is_la(self) -> bool:
        return self.la is not None


@dataclass(frozen=True, slots=True)
class Destination:
    code: str  # as the file name gives it
    kind: str
    establishment: Establishment | None = None
    la: LocalAuthority | None = None
    mailbox: str = ""
    redirected_from: Establishment | None = None
    agency: Agency | None = None
    # For an upload's destination read with its content's SHA-256 (`destination_for`): the
    # newest identical file still held for it, None for none, NOT_LOOKED when not asked.
    identical_id: int | None | object = NOT_LOOKED

    @property
    def delivered_code(self) -> str:
        return self.establishment.code if self.redirected_from else self.code

    def lookup(self) -> dict:
        """Return the Transfer lookup for files delivered to this same place."""
        return {
            "destination_kind": self.kind, "destination_establishment": self.establishment,
            "destination_la": self.la, "destination_mailbox": self.mailbox,
            "destination_agency": self.agency,
        }


def _refuse(message: str, code: str) -> ServiceError:
    return ServiceError(message, code=code, field="file")


def sender_for(*, user, name: FileName) -> Sender:
    """Return the uploader as a sender, refusing a name whose source is someone else."""
    box = transfer_box(user)
    if box is None:
        raise _refuse(_("Your account cannot send files."), "no_mailbox")
    if name.source.code != box:
        if user.establishment_id:
            message = _("The file name must start with your establishment number, %(code)s")
        elif user.agency_id:
            message = _("The file name must start with your agency reference, %(code)s")
        else:
            message = _("The file name must start with your LA mailbox, %(code)s")
        raise _refuse(message % {"code": box}, "wrong_source")
    if user.establishment_id:
        return Sender(code=box, establishment=user.establishment)
    if user.agency_id:
        return Sender(code=box, agency=user.agency)
    return Sender(code=box, la=user.la, mailbox=box[3:])


# No joins: an open school (nearly every upload) needs nothing else; a closed one's
# successors are read one by one. The unique code, no ORDER BY; compiled once.
_SCHOOL = PreparedRead(
    lambda code: Establishment.objects.filter(code=code).order_by()[:1])
# The same, with the upload's duplicate check in the same read (one round trip fewer an
# upload, issue 18): the newest file with this content still held for the school.
_SCHOOL_AND_IDENTICAL = PreparedRead(
    lambda code, sha256: Establishment.objects.filter(code=code).annotate(
        identical_id=Subquery(Transfer.objects.identical_held(
            sha256=sha256, kind=DestinationKind.SCHOOL, establishment=OuterRef("pk"), la=None,
            mailbox="", agency=None).values("pk")[:1])).order_by()[:1])


def _school(code: str, sha256: str | None) -> tuple[Establishment, Establishment | None]:
    school = _SCHOOL.first(code) if sha256 is None else _SCHOOL_AND_IDENTICAL.first(code, sha256)
    if school is None:
        raise _refuse(
            _("There is no establishment %(code)s on s2s: check the destination in the file "
              "name.") % {"code": code}, "unknown_destination",
        )
    if school.is_open:
        return school, None
    successor = school.current_successor()
    if successor is None or not successor.is_open:
        raise _refuse(
            _("Establishment %(code)s %(name)s is closed and has no open successor: ask "
              "its local authority where its pupils went.") % {"code": code, "name": school.name},
            "closed_destination",
        )
    return successor, school


def _school_destination(code: str, sha256: str | None) -> Destination:
    school, closed = _school(code, sha256)
    if not school.active:
        raise _refuse(
            _("Establishment %(code)s %(name)s does not use s2s: send the file to the "
              "Lost Pupil Database or to its local authority.")
            % {"code": school.code, "name": school.name}, "inactive_destination",
        )
    # A closed school's read looked for files held for it, not for its successor.
    identical = getattr(school, "identical_id", NOT_LOOKED) if closed is None else NOT_LOOKED
    return Destination(code=code, kind=DestinationKind.SCHOOL, establishment=school,
                       redirected_from=closed, identical_id=identical)


def _mailbox_destination(name: FileName) -> Destination:
    place = name.destination
    la = LocalAuthority.objects.filter(number=place.la).first()
    if la is None:
        raise _refuse(
            _("There is no local authority %(number)s on s2s: check the destination in the "
              "file name.") % {"number": place.la}, "unknown_destination",
        )
    # A file to the LA itself (LLLL) goes to the mailbox its type belongs to: a census
    # file to PLAS, an admissions file to ADMS (the type table in s2s.ctf.names).
    mailbox = place.establishment
    if mailbox == Mailbox.LLLL:
        mailbox = name.file_type.mailbox
    return Destination(code=place.code, kind=DestinationKind.LA_MAILBOX, la=la, mailbox=mailbox)


def _agency_destination(code: str) -> Destination:
    agency = Agency.objects.filter(reference=code).select_related("la").first()
    if agency is None or not agency.active:
        raise _refuse(
            _("There is no agency %(code)s on s2s: check the destination in the file name.")
            % {"code": code}, "unknown_destination",
        )
    return Destination(code=code, kind=DestinationKind.AGENCY, agency=agency)


def destination_for(*, name: FileName, sha256: str | None = None) -> Destination:
    """Return where the hub delivers a file with this name, or refuse it saying why.

    Given the content's `sha256`, a school's read also finds the newest identical file
    still held for it (`identical_id`), which the upload's duplicate check then need not ask.
    """
    kind = name.destination.kind
    if kind is PlaceKind.SCHOOL:
        return _school_destination(name.destination.code, sha256)
    if kind is PlaceKind.LA_MAILBOX:
        return _mailbox_destination(name)
    if kind is PlaceKind.AGENCY:
        return _agency_destination(name.destination.code)
    return Destination(code=name.destination.code, kind=str(kind))
