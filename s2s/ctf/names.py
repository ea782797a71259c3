"""File names: parse and format the names that address every file (seed 003, appendix 2).

A name says who sent a file, to whom, and what it is:

    1112222_CTF_3334444_NNN.XML    school -> school (or an LA mailbox, or the lost pupils)
    333LLLL_CTF1112222_NNN.XML     LA -> school: no underscore after CTF (sic)
    1113333_2224444_FFT15.ZIP      generic zip, free text of up to 15 characters, no spaces
    838HLTH_838LLLL_CHILDHEALTH.ZIP  an agency's generic zip: its reference as source or
                                   destination (the LA number and four letters or digits)

The table of file types, `FILE_TYPES`, is the one place that lists them.
"""

import enum
import re
from dataclasses import dataclass

from s2s.ctf.errors import FileNameError
from s2s.ctf.words import _


class PlaceKind(enum.StrEnum):
    """What a 7-character source or destination code names."""

    SCHOOL = "school"
    LA_MAILBOX = "la_mailbox"
    LOST_DESTINATION_UNKNOWN = "lost_destination_unknown"
    LOST_LEFT_MAINTAINED_SECTOR = "lost_left_maintained_sector"
    AGENCY = "agency"  # 838HLTH: an agency's reference, for generic zips only (seed 000, 14-17)


LOST_UNKNOWN = "XXXXXXX"
LOST_LEFT_SECTOR = "MMMMMMM"
# An LA's mailboxes: the LA itself, its census (PLASC) officers and its admissions officers.
LA_MAILBOX_SUFFIXES = ("LLLL", "PLAS", "ADMS")


@dataclass(frozen=True, slots=True)
class FileType:
    """One kind of file the hub carries, with the destinations it may go to."""

    code: str
    title: str  # a Text: English, and the msgid for other languages
    extension: str
    destinations: frozenset[PlaceKind]
    mailbox: str = "LLLL"  # the LA mailbox this type goes to when sent to an LA


_TO_SCHOOL_OR_LA = frozenset({PlaceKind.SCHOOL, PlaceKind.LA_MAILBOX})
_NOT_AGENCY = frozenset(PlaceKind) - {PlaceKind.AGENCY}  # an XML name never names an agency
_ZIP_PLACES = frozenset({PlaceKind.SCHOOL, PlaceKind.LA_MAILBOX, PlaceKind.AGENCY})
_TO_LA = frozenset({PlaceKind.LA_MAILBOX})

# The one table of file types (seed 003, appendix 2 and 1.6; seed 000, "future file types").
FILE_TYPES: dict[str, FileType] = {
    t.code: t
    for t in (
        FileType("CTF", _("Common Transfer File"), "XML", _NOT_AGENCY),
        FileType("ATF", _("Admissions Transfer File"), "XML", _TO_SCHOOL_OR_LA, "ADMS"),
        FileType("ADMS", _("Admissions file"), "XML", _TO_SCHOOL_OR_LA, "ADMS"),
        FileType("PLAS", _("School census (PLASC)"), "XML", _TO_LA, "PLAS"),
        FileType("KS1", _("Key stage 1 teacher assessment"), "XML", _TO_SCHOOL_OR_LA),
        FileType("KS2", _("Key stage 2 teacher assessment"), "XML", _TO_SCHOOL_OR_LA),
        FileType("KS3", _("Key stage 3 teacher assessment"), "XML", _TO_SCHOOL_OR_LA),
        FileType("FSP", _("Foundation stage profile"), "XML", _TO_SCHOOL_OR_LA),
        FileType("EXC", _("Exclusions"), "XML", _TO_LA),
        FileType("CFR", _("Consistent financial reporting"), "XML", _TO_LA),
        FileType("ZIP", _("Generic zip file"), "ZIP", _ZIP_PLACES),
    )
}
GENERIC_ZIP = FILE_TYPES["ZIP"]


@dataclass(frozen=True, slots=True)
class Place:
    """A 7-character source or destination code, split into its LA and establishment."""

    code: str
    kind: PlaceKind

    @property
    def la(self) -> str | None:
        """Return the 3-digit LA number, or None for the lost pupil destinations."""
        return self.code[:3] if self.code[:3].isdigit() else None

    @property
    def establishment(self) -> str:
        """Return characters 4-7: a school number, LLLL, PLAS, ADMS, XXXX or MMMM."""
        return self.code[3:]


@dataclass(frozen=True, slots=True)
class FileName:
    """A parsed file name: who from, who to, what kind, and its number or free text."""

    source: Place
    destination: Place
    file_type: FileType
    sequence: int | None = None
    free_text: str | None = None
    extension: str = "XML"

    @property
    def destination_kind(self) -> PlaceKind:
        return self.destination.kind

    @property
    def is_lost_pupil(self) -> bool:
        return self.destination.kind in (
            PlaceKind.LOST_DESTINATION_UNKNOWN, PlaceKind.LOST_LEFT_MAINTAINED_SECTOR
        )

    def __str__(self) -> str:
        return format_name(
            source=self.source.code, destination=self.destination.code,
            file_type=self.file_type.code, sequence=self.sequence, free_text=self.free_text,
        )


_ESTABLISHMENT = re.compile(r"[0-9]{7}")
_MAILBOX = re.compile(r"([0-9]{3})(LLLL|PLAS|ADMS)")
# An agency: the LA number and four capital letters or digits, at least one a letter (four
# digits would be a school), not one of the LA's own mailboxes (matched first).
AGENCY_REFERENCE = re.compile(r"[0-9]{3}(?=[0-9]{0,3}[A-Z])[A-Z0-9]{4}")
_FREE_TEXT = re.compile(r"[A-Za-z0-9!#$%&'()+,\-.=@\[\]^_`{}~]{1,15}")


def parse_place(*, code: str, role: str = "destination", agencies: bool = False) -> Place:
    """Return the place a 7-character code names, or raise FileNameError naming the part.

    An agency's reference names a place only where `agencies` says so (generic zips).
    """
    if _ESTABLISHMENT.fullmatch(code):
        return Place(code, PlaceKind.SCHOOL)
    if _MAILBOX.fullmatch(code):
        return Place(code, PlaceKind.LA_MAILBOX)
    if agencies and AGENCY_REFERENCE.fullmatch(code):
        return Place(code, PlaceKind.AGENCY)
    if role == "destination":
        if code == LOST_UNKNOWN:
            return Place(code, PlaceKind.LOST_DESTINATION_UNKNOWN)
        if code == LOST_LEFT_SECTOR:
            return Place(code, PlaceKind.LOST_LEFT_MAINTAINED_SECTOR)
        if agencies:
            raise FileNameError(
                _("destination '%(code)s' is not a 7-digit establishment number, "
                  "XXXXXXX, MMMMMMM, an agency reference or an LA mailbox", code=code),
                field="destination",
            )
        raise FileNameError(
            _("destination '%(code)s' is not a 7-digit establishment number, "
              "XXXXXXX, MMMMMMM or an LA mailbox", code=code), field="destination",
        )
    if agencies:
        raise FileNameError(
            _("source '%(code)s' is not a 7-digit establishment number, an agency reference "
              "or an LA mailbox (LLLL, PLAS or ADMS after the LA number)", code=code),
            field="source",
        )
    raise FileNameError(
        _("source '%(code)s' is not a 7-digit establishment number or an LA mailbox "
          "(LLLL, PLAS or ADMS after the LA number)", code=code), field="source",
    )


def _split_extension(name: str) -> tuple[str, str]:
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem:
        raise FileNameError(
            _("'%(name)s' has no extension: a CTF ends in .XML and a generic file in .ZIP",
              name=name),
            field="extension",
        )
    extension = extension.upper()
    if extension not in {t.extension for t in FILE_TYPES.values()}:
        raise FileNameError(
            _("extension '.%(extension)s' is not .XML or .ZIP", extension=extension),
            field="extension",
        )
    return stem, extension


def _file_type(code: str) -> FileType:
    file_type = FILE_TYPES.get(code.upper())
    if file_type is None or file_type is GENERIC_ZIP:
        known = ", ".join(c for c in FILE_TYPES if c != "ZIP")
        raise FileNameError(
            _("file type '%(code)s' is not one of %(known)s", code=code, known=known),
            field="file_type",
        )
    return file_type


def _sequence(text: str) -> int:
    if not re.fullmatch(r"[0-9]{3}", text):
        raise FileNameError(
            _("sequence number '%(text)s' is not 3 digits (NNN, e.g. 001)", text=text),
            field="sequence",
        )
    return int(text)


def _check_destination(file_type: FileType, destination: Place) -> None:
    if destination.kind not in file_type.destinations:
        raise FileNameError(
            _("a %(type)s cannot be sent to '%(code)s'", type=file_type.title,
              code=destination.code), field="destination",
        )


def _parse_xml_name(stem: str) -> FileName:
    parts = stem.split("_")
    if len(parts) == 3 and len(parts[1]) > 7:
        # The LA -> school form: 333LLLL_CTF1112222_NNN, the type glued to the destination.
        parts = [parts[0], parts[1][:-7], parts[1][-7:], parts[2]]
    if len(parts) != 4:
        raise FileNameError(
            _("'%(stem)s' does not have the four parts SOURCE_TYPE_DESTINATION_NNN, "
              "e.g. 8383321_CTF_8384512_001.XML", stem=stem), field="name",
        )
    source = parse_place(code=parts[0], role="source")
    file_type = _file_type(parts[1])
    destination = parse_place(code=parts[2], role="destination")
    _check_destination(file_type, destination)
    return FileName(source, destination, file_type, sequence=_sequence(parts[3]))


def _parse_zip_name(stem: str) -> FileName:
    parts = stem.split("_", 2)
    if len(parts) != 3:
        raise FileNameError(
            _("'%(stem)s' does not have the three parts SOURCE_DESTINATION_FREETEXT, "
              "e.g. 8383321_8384512_Attendance.ZIP", stem=stem), field="name",
        )
    source = parse_place(code=parts[0], role="source", agencies=True)
    destination = parse_place(code=parts[1], role="destination", agencies=True)
    _check_destination(GENERIC_ZIP, destination)
    if not _FREE_TEXT.fullmatch(parts[2]):
        raise FileNameError(
            _("free text '%(text)s' must be 1 to 15 characters with no spaces",
              text=parts[2]),
            field="free_text",
        )
    return FileName(source, destination, GENERIC_ZIP, free_text=parts[2], extension="ZIP")


def parse_name(*, name: str) -> FileName:
    """Parse a file name per seed 003, appendix 2, or raise FileNameError naming the bad part.

    The extension is read in any case; a directory part is ignored.
    """
    name = re.split(r"[\\/]", name)[-1]
    stem, extension = _split_extension(name)
    if extension == "ZIP":
        return _parse_zip_name(stem)
    return _parse_xml_name(stem)


def format_name(
    *,
    source: str,
    destination: str,
    file_type: str = "CTF",
    sequence: int | None = 1,
    free_text: str | None = None,
) -> str:
    """Return the file name for a file, checking each part as `parse_name` would.

    A file from an LA mailbox to a school takes the `333LLLL_CTF1112222_NNN.XML` form.
    """
    kind = FILE_TYPES.get(file_type.upper())
    zips = kind is GENERIC_ZIP
    src = parse_place(code=source, role="source", agencies=zips)
    dest = parse_place(code=destination, role="destination", agencies=zips)
    if kind is GENERIC_ZIP:
        if not free_text:
            raise FileNameError(_("a generic zip's name needs free text (FFT15)"),
                                field="free_text")
        name = f"{source}_{destination}_{free_text}.ZIP"
    else:
        kind = _file_type(file_type)
        if sequence is None or not 0 <= sequence <= 999:
            raise FileNameError(
                _("sequence number '%(sequence)s' is not between 0 and 999",
                  sequence=sequence), field="sequence",
            )
        glue = "" if src.kind is PlaceKind.LA_MAILBOX and dest.kind is PlaceKind.SCHOOL else "_"
        name = f"{source}_{kind.code}{glue}{destination}_{sequence:03d}.{kind.extension}"
    parse_name(name=name)
    return name
