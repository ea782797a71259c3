"""Streaming, hostile-safe reading of CTFs: the header, then each pupil's index entry.

A large file is read with lxml's iterparse and every pupil is cleared once it is read, so
memory stays bounded however many pupils a bulk file holds; a small one (1 MB or less, most
uploads) is parsed in one go, which costs half the CPU, and yields the same records.
Hostile XML is refused before or while parsing, with a clear error (`hostile.py`, the guard):
a file not in UTF-8 from its first bytes; a DTD (which is where entity expansion, "billion
laughs", and external entities live) from the parser's own report, the parser never loading
anything; excessive depth, huge text, too many elements outside a pupil and oversized files
as soon as they are met (DESIGN.md, The CTF format: hostile XML is refused).
"""

import io
import itertools
import os
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from s2s.ctf import hostile
from s2s.ctf.errors import (
    CTFError,
    HeaderError,
    HostileXMLError,
    NoPupilsError,
    WrongRootError,
)
from s2s.ctf.rawscan import LeafWatch, suspect_whole
from s2s.ctf.words import Text, _

Source = str | os.PathLike | bytes | BinaryIO

# The roots we read, with the element that holds their pupils and their version element.
ROOTS = {
    "CTfile": ("CTFpupilData", "CTFversion"),
    "ATfile": ("ATFpupilData", "ATFversion"),
}


@dataclass(frozen=True, slots=True)
class Limits:
    """How much a file may ask of the reader before it is refused as hostile."""

    max_bytes: int = 1 << 30
    max_prolog_bytes: int = 64 * 1024
    # Elements and bytes read without a pupil or header ending; a real pupil has a few
    # thousand elements and tens of KB.
    max_elements_per_pupil: int = 100_000
    max_bytes_per_pupil: int = 16 << 20
    # A file no larger than this is parsed in one go rather than streamed: it validates in
    # half the CPU time, and its tree is a few times its size, so memory stays bounded.
    max_whole_bytes: int = 1 << 20


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True, slots=True)
class Header:
    """The CTF header: the document, its source and its destination."""

    root: str
    document_name: str | None
    version: str | None
    date_time: str | None
    document_qualifier: str | None
    data_qualifier: str | None
    data_descriptor: str | None
    supplier_id: str | None
    source_la: str | None
    source_establishment: str | None
    source_urn: str | None
    source_name: str | None
    academic_year: str | None
    destination_la: str | None
    destination_establishment: str | None
    destination_urn: str | None
    line: int | None = None
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    @property
    def source(self) -> str:
        """Return the 7-character source code, LEA then Estab."""
        return f"{self.source_la or ''}{self.source_establishment or ''}"

    @property
    def destination(self) -> str:
        """Return the 7-character destination code, LEA then Estab."""
        return f"{self.destination_la or ''}{self.destination_establishment or ''}"

    def as_dict(self) -> dict:
        """Return the header as plain data for JSON, without the line table."""
        data = asdict(self)
        data.pop("lines")
        data["source"] = self.source
        data["destination"] = self.destination
        return data


# Header field -> path from <Header>.
HEADER_PATHS = {
    "document_name": "DocumentName",
    "version": None,  # CTFversion or ATFversion, by root
    "date_time": "DateTime",
    "document_qualifier": "DocumentQualifier",
    "data_qualifier": "DataQualifier",
    "data_descriptor": "DataDescriptor",
    "supplier_id": "SupplierID",
    "source_la": "SourceSchool/LEA",
    "source_establishment": "SourceSchool/Estab",
    "source_urn": "SourceSchool/URN",
    "source_name": "SourceSchool/SchoolName",
    "academic_year": "SourceSchool/AcademicYear",
    "destination_la": "DestSchool/LEA",
    "destination_establishment": "DestSchool/Estab",
    "destination_urn": "DestSchool/URN",
}


@dataclass(frozen=True, slots=True)
class PupilIndex:
    """What the hub indexes for one pupil: enough to find and match, nothing more."""

    position: int
    line: int | None
    upn: str | None
    former_upn: str | None
    uln: str | None
    uci: str | None
    surname: str | None
    forename: str | None
    middle_names: str | None
    preferred_surname: str | None
    preferred_forename: str | None
    former_surname: str | None
    dob: str | None
    sex: str | None
    postcode: str | None
    town: str | None
    nc_year: str | None
    leaving_date: str | None
    leaving_reason: str | None

    def as_dict(self) -> dict:
        return asdict(self)


# libxml2 keeps 16-bit line numbers in its nodes; past line 65535 it reports an element's line
# from its first child, i.e. after the whitespace that follows the start tag.
BIG_LINE = 65535


def line_of(element: etree._Element) -> int | None:
    """Return the line an element starts on, correcting libxml2 past line 65535."""
    line = element.sourceline
    if line is not None and line >= BIG_LINE and element.text and len(element):
        line -= element.text.count("\n")
    return line


# Index field -> where it lives: (block under <Pupil> or "", element names tried in order).
PUPIL_FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "upn": ("", ("UPN",)),
    "former_upn": ("BasicDetails", ("FormerUPN",)),
    "uln": ("", ("UniqueLearnerNumber",)),
    "uci": ("", ("UCI",)),
    "surname": ("", ("Surname",)),
    "forename": ("", ("Forename",)),
    "middle_names": ("BasicDetails", ("MiddleNames",)),
    "preferred_surname": ("BasicDetails", ("PreferredSurname",)),
    "preferred_forename": ("BasicDetails", ("PreferredForename",)),
    "former_surname": ("BasicDetails", ("FormerSurname",)),
    "dob": ("", ("DOB",)),
    "sex": ("", ("Sex", "Gender")),
    "postcode": ("Address", ("PostCode",)),
    "town": ("Address/BS7666Address", ("Town", "PostTown")),
    "nc_year": ("BasicDetails", ("NCyearActual",)),
}
# Index field -> its path from <Pupil>, as findings name it.
PUPIL_PATHS = {
    name: "/".join(filter(None, (block, tags[0]))) for name, (block, tags) in PUPIL_FIELDS.items()
}


# PUPIL_FIELDS by block: (field, element name) in the order tried, a field's names in order.
_BLOCK_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    block: tuple((name, tag) for name, (b, tags) in PUPIL_FIELDS.items() if b == block
                 for tag in tags)
    for block in dict.fromkeys(block for block, _tags in PUPIL_FIELDS.values())
}
_TOP, _BASIC, _ADDRESS, _BS7666 = (
    _BLOCK_FIELDS[block] for block in ("", "BasicDetails", "Address", "Address/BS7666Address")
)


def _take(children: dict[str, etree._Element], fields: tuple[tuple[str, str], ...],
          found: dict, values: dict) -> bool:
    # The first of a field's elements that holds text, and the text, stripped. `children` are
    # a block's by name (one pass over them is far cheaper than a find() per field). Returns
    # whether any text taken had white space to strip.
    get = children.get
    padded = False
    for name, tag in fields:
        element = get(tag)
        if element is not None and name not in found:
            text = element.text
            if text:
                stripped = text.strip()
                if stripped:
                    found[name] = element
                    values[name] = stripped
                    padded = padded or len(stripped) != len(text)
    return padded


def _scan(
    pupil: etree._Element,
) -> tuple[dict[str, etree._Element], dict[str, str | None], etree._Element | None, bool]:
    """Return a pupil's field elements, their texts, SchoolHistory, and whether any was padded.

    A text is None where the field is missing; padded means it had white space to strip.
    """
    found: dict[str, etree._Element] = {}
    values: dict[str, str | None] = dict.fromkeys(PUPIL_FIELDS)
    top = {child.tag: child for child in pupil}
    padded = _take(top, _TOP, found, values)
    block = top.get("BasicDetails")
    if block is not None:
        padded = _take({child.tag: child for child in block}, _BASIC, found, values) or padded
    block = top.get("Address")
    if block is not None:
        address = {child.tag: child for child in block}
        padded = _take(address, _ADDRESS, found, values) or padded
        block = address.get("BS7666Address")
        if block is not None:
            padded = _take({child.tag: child for child in block}, _BS7666, found,
                           values) or padded
    return found, values, top.get("SchoolHistory"), padded


def pupil_fields(*, pupil: etree._Element) -> dict[str, etree._Element]:
    """Return the elements of a `<Pupil>` that hold its index fields, by field name."""
    return _scan(pupil)[0]


def _latest_leaving(history: etree._Element | None) -> tuple[str | None, str | None]:
    latest: tuple[str | None, str | None] = (None, None)
    for school in () if history is None else history:
        # The last LeavingDate and LeavingReason of each school: from its end, so that most
        # of its other elements never reach Python.
        leaving = reason = None
        for child in reversed(school):
            tag = child.tag
            if tag == "LeavingDate":
                leaving = leaving if leaving is not None else child
            elif tag == "LeavingReason":
                reason = reason if reason is not None else child
            else:
                continue
            if leaving is not None and reason is not None:
                break
        date = (leaving.text or "").strip() if leaving is not None else ""
        if date and (latest[0] is None or date > latest[0]):
            latest = (date, (reason.text or "").strip() or None if reason is not None else None)
    return latest


def index_and_fields(
    *, pupil: etree._Element, position: int
) -> tuple[PupilIndex, dict[str, etree._Element], bool]:
    """Return a `<Pupil>`'s index entry, the elements its fields came from, and padded.

    Padded is whether any field's text had white space to strip (the entry holds them stripped).
    """
    fields, values, history, padded = _scan(pupil)
    leaving_date, leaving_reason = _latest_leaving(history)
    line = pupil.sourceline
    if line is not None and line >= BIG_LINE:
        line = line_of(pupil)
    entry = PupilIndex(position, line, *values.values(), leaving_date, leaving_reason)
    return entry, fields, padded


if tuple(PUPIL_FIELDS) != tuple(PupilIndex.__slots__[2:-2]):
    raise RuntimeError("index_and_fields builds PupilIndex from PUPIL_FIELDS in their order")


def index_pupil(*, pupil: etree._Element, position: int) -> PupilIndex:
    """Return the index entry of one `<Pupil>` element (issue 3, Reading)."""
    return index_and_fields(pupil=pupil, position=position)[0]


_NAME_END = re.compile(r"[\s/>]")


def _skip(text: str, start: int, end_marker: str) -> int:
    end = text.find(end_marker, start)
    return -1 if end < 0 else end + len(end_marker)


def check_prolog(*, head: bytes, complete: bool) -> str | None:
    """Return the root element's name from the first bytes of a UTF-8 file.

    `complete` says `head` is the whole file. Returns None when the bytes are not XML at all,
    or hold a DOCTYPE, leaving the parser to say why (the guard refuses a DOCTYPE from the
    parser's own report, whatever form it takes).
    """
    # Latin-1 maps each byte to one character: the markup is ASCII in UTF-8.
    text = head.decode("latin-1").removeprefix("\xef\xbb\xbf")
    i = 0
    while True:
        while i < len(text) and text[i] in " \t\r\n":
            i += 1
        if text.startswith("<?", i):
            i = _skip(text, i, "?>")
        elif text.startswith("<!--", i):
            i = _skip(text, i, "-->")
        elif text.startswith("<", i) and i + 1 < len(text) and text[i + 1] not in "!?":
            match = _NAME_END.search(text, i + 1)
            if match is None:
                return None if complete else _too_long()
            tag_end = text.find(">", i)
            if "xmlns" in text[i:tag_end if tag_end > 0 else None]:
                raise WrongRootError(
                    _("the root element has a namespace; a CTF's <CTfile> has none"),
                    field="root",
                )
            return text[i + 1:match.start()]
        else:
            return None
        if i < 0:
            return None if complete else _too_long()


def _too_long() -> None:
    raise HostileXMLError(
        _("more than 64 KB come before the root element; a CTF starts with <CTfile> at once"),
        field="prolog",
    )


class _LimitedReader(io.RawIOBase):
    """A file wrapper that refuses to read past the file limit and the pupil limits.

    It counts the elements begun in what it reads (each start tag's `<`, in C), so that the
    parser can report only the records to Python and the count stays as tight as when every
    element was seen: the count and the bytes since the last record ended are bounded.

    Counting every `<` bounds the elements from above; the end tags (`</`, a slower count) are
    taken off only once that bound passes the limit, from the pieces read since the last record
    ended, which are kept until then (no more than the byte limits). Nor is the bound counted
    before as many bytes as the limit are read since then: it cannot pass the limit sooner.
    """

    def __init__(self, head: bytes, rest: BinaryIO, limits: Limits, *, owned: bool = False):
        self._head = head
        self._rest = rest
        self._limits = limits
        self._owned = owned
        self.count = 0
        self.mark = 0
        self.elements = 0
        # The pieces whose end tags are not yet counted, while `elements` is only a bound.
        self._unsure: list[bytes] | None = []
        self._unsure_bytes = 0
        # Whether anything read so far could make an empty leaf or a bad leaf date.
        self.leaves = LeafWatch()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._head:
            # In pieces, so the byte count stays close to where the parser is.
            size = size if size and size > 0 else 1 << 16
            data, self._head = self._head[:size], self._head[size:]
        else:
            data = self._rest.read(size if size and size > 0 else 1 << 16)
        self.count += len(data)
        self.leaves.read(data)
        self._count_elements(data)
        if self.elements > self._limits.max_elements_per_pupil:
            raise HostileXMLError(
                _("more than %(count)s elements without a pupil ending; the file is too large "
                  "to be a CTF", count=self._limits.max_elements_per_pupil)
            )
        if self.count > self._limits.max_bytes:
            raise HostileXMLError(_size_message(self._limits.max_bytes), field="size")
        if self.count - self.mark > self._limits.max_bytes_per_pupil + (1 << 20):
            raise HostileXMLError(
                _("more than %(megabytes)s MB without a pupil ending; a pupil's record is far "
                  "smaller", megabytes=self._limits.max_bytes_per_pupil >> 20), field="size",
            )
        return data

    def _count_elements(self, data: bytes) -> None:
        # Every element has one start tag; "</" begins an end tag, not an element.
        limit = self._limits.max_elements_per_pupil
        if self._unsure is None:
            self.elements += data.count(b"<") - data.count(b"</")
            return
        self._unsure.append(data)
        counted = self._unsure_bytes > limit
        self._unsure_bytes += len(data)
        if self._unsure_bytes <= limit:
            # Each element begins with a "<": no more can have begun than bytes were read, so
            # the bound cannot pass the limit yet and is not counted (a pupil is a few KB).
            return
        self.elements += data.count(b"<") if counted else sum(
            piece.count(b"<") for piece in self._unsure)
        if self.elements > limit:
            self.elements = sum(piece.count(b"<") - piece.count(b"</")
                                for piece in self._unsure)
            self._unsure = None

    def record_ended(self) -> None:
        """Start the counts of bytes and elements without a pupil ending again."""
        self.mark = self.count
        self.elements = 0
        self._unsure = []
        self._unsure_bytes = 0

    def close(self) -> None:
        if self._owned:
            self._rest.close()
        super().close()


def _size_message(limit: int) -> Text:
    return _("the file is larger than %(megabytes)s MB, the most the hub reads",
             megabytes=limit // (1 << 20))


# Both ways of reading refuse the same things: they take the guard's one set of options
# (hostile.PARSER_OPTIONS: no DTD, no entities, no network, libxml2's own limits), never load
# anything, and refuse a DOCTYPE from the parser's report.
# lxml locks a parser and an XPath while in use, so threads may share them.
_WHOLE_PARSER = hostile.xml_parser()
_ELEMENT_COUNT = etree.XPath("count(//*)")
# The records the streaming loop accepts: the root's <Header>, and each <Pupil> of the pupil data.
_RECORDS = etree.XPath("/*/Header | //Pupil[name(..) = $data]")
RECORD_TAGS = ("Header", "Pupil")


class CTFReader:
    """Read one CTF as a stream: `header` first, then `pupil_elements()` or `pupils()`.

    The file is checked for hostile XML before parsing starts. Each pupil element is only
    valid until the next is read: it is cleared to keep memory bounded.
    """

    def __init__(self, *, source: Source, limits: Limits = DEFAULT_LIMITS):
        self.limits = limits
        self._open_file: BinaryIO | None = None
        self._file, head, complete, whole = self._open(source)
        self._head = head
        try:
            hostile.check_encoding(head=head)
            self.root = check_prolog(head=head, complete=complete)
        except CTFError:
            self._file.close()
            raise
        if self.root is not None and self.root not in ROOTS:
            self._file.close()
            raise WrongRootError(
                _("the root element is <%(root)s>; a CTF's is <CTfile> (or <ATfile> for "
                  "admissions)", root=self.root), field="root",
            )
        self._pupil_data, self._version_tag = ROOTS.get(self.root or "CTfile")
        self._tree = self._parse_whole(whole) if whole is not None else None
        self._whole_suspect = self._tree is not None and suspect_whole(whole)
        if self._tree is None:
            self._events = hostile.xml_events(self._file, tags=RECORD_TAGS)
        self._header: Header | None = None
        self._pending: etree._Element | None = None
        self._iterator: Iterator[etree._Element] | None = None
        self.pupil_count = 0

    def _open(self, source: Source) -> tuple["_LimitedReader", bytes, bool, bytes | None]:
        """Return the file, its first bytes, whether they are all of it, and all of it if small.

        "Small" is no more than max_whole_bytes: such a file is parsed in one go.
        """
        limits = self.limits
        limit, head_size = limits.max_bytes, limits.max_prolog_bytes
        owned = False
        if isinstance(source, bytes | bytearray):
            if len(source) > limit:
                raise HostileXMLError(_size_message(limit), field="size")
            source = io.BytesIO(source)
        elif isinstance(source, str | os.PathLike):
            path = Path(source)
            if path.stat().st_size > limit:
                raise HostileXMLError(_size_message(limit), field="size")
            source, owned = path.open("rb"), True
        whole_limit = min(limits.max_whole_bytes, limits.max_bytes, limits.max_bytes_per_pupil)
        first = source.read(max(head_size, whole_limit + 1))
        whole = bytes(first) if len(first) <= whole_limit else None
        complete = len(first) < head_size
        reader = _LimitedReader(first, source, self.limits, owned=owned)
        return reader, first[:head_size], complete, whole

    def _parse_whole(self, content: bytes) -> etree._Element | None:
        """Parse a small file in one go; None when streaming must read it instead.

        A file that is not well-formed, or has more elements than the streaming limits allow,
        is left to the streaming reader, so that what it reports (and from where) is the same
        whichever way a file is read.
        """
        try:
            try:
                root = etree.fromstring(content, _WHOLE_PARSER)
            except etree.XMLSyntaxError:
                hostile.refuse_dtd_in_prolog(head=self._head)
                return None
            hostile.refuse_dtd(element=root)
        except CTFError:
            self._file.close()
            raise
        if _ELEMENT_COUNT(root) > self.limits.max_elements_per_pupil:
            return None
        return root

    @property
    def leaves_suspect(self) -> bool:
        """Return whether any pupil read so far could hold an empty leaf or a bad leaf date.

        False means none surely does (`rawscan`): every pupil's bytes are read before it is
        yielded, and the bytes are scanned as they are read.
        """
        return self._whole_suspect if self._tree is not None else self._file.leaves.suspect

    def close(self) -> None:
        """Stop reading and close the file; the reader cannot be used after this."""
        self._file.close()

    def __enter__(self) -> "CTFReader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _elements(self) -> Iterator[etree._Element]:
        if self._tree is not None:
            yield from self._tree_records()
            return
        # Only <Header> and <Pupil> reach Python (a Python step per element cost more than
        # parsing): the file wrapper counts the elements between records instead.
        record_ended, pupil_data = self._file.record_ended, self._pupil_data
        try:
            for _event, element in self._checked_events():
                # A record: the root's <Header>, or a <Pupil> of the pupil data (written
                # out here, as this runs once for every pupil).
                parent = element.getparent()
                if parent is not None and (
                    parent.tag == pupil_data if element.tag == "Pupil"
                    else parent.getparent() is None
                ):
                    record_ended()
                    yield element
        except etree.XMLSyntaxError as error:
            raise hostile.parser_error(error, self._events.error_log) from None

    def _checked_events(self) -> Iterator[tuple[str, etree._Element]]:
        """Return the parser's events, refusing a DOCTYPE the parser met before the first."""
        events = iter(self._events)
        try:
            first = next(events, None)
        except etree.XMLSyntaxError:
            hostile.refuse_dtd_in_prolog(head=self._head)
            raise
        if first is None:
            # No record at all: the whole file is parsed, so ask its document.
            if self._events.root is not None:
                hostile.refuse_dtd(element=self._events.root)
            return events
        # A DOCTYPE comes before the root: the parser has met it by its first event.
        hostile.refuse_dtd(element=first[1])
        return itertools.chain((first,), events)

    def _tree_records(self) -> Iterator[etree._Element]:
        # What _elements yields when streaming, from the parsed tree: the records.
        yield from _RECORDS(self._tree, data=self._pupil_data)

    @property
    def header(self) -> Header:
        """Return the header, reading up to it; raise HeaderError when there is none."""
        if self._header is None:
            for element in self._stream():
                if element.tag == "Header":
                    self._header = self._read_header(element)
                    break
                self._pending = element
                break
            if self._header is None:
                raise HeaderError(_("the file has no <Header> before its pupils"),
                                  field="Header")
        return self._header

    def _stream(self) -> Iterator[etree._Element]:
        if self._iterator is None:
            self._iterator = self._elements()
        return self._iterator

    def _read_header(self, element: etree._Element) -> Header:
        parent = element.getparent()
        values: dict[str, str | None] = {}
        lines: dict[str, int] = {}
        for name, path in HEADER_PATHS.items():
            found = element.find(path or self._version_tag)
            text = found.text.strip() if found is not None and found.text else None
            values[name] = text or None
            if found is not None:
                lines[name] = found.sourceline
        if values["document_qualifier"]:
            # Read case-insensitively (DESIGN.md, CTF format: DocumentQualifier).
            values["document_qualifier"] = values["document_qualifier"].lower()
        header = Header(root=parent.tag, line=element.sourceline, lines=lines, **values)
        element.clear(keep_tail=True)
        return header

    def pupil_elements(self) -> Iterator[tuple[int, etree._Element]]:
        """Yield (position from 1, element) for each pupil; raise NoPupilsError if none."""
        self.header  # noqa: B018 - read up to the header first
        if self._pending is not None:
            raise HeaderError(_("the file has no <Header> before its pupils"), field="Header")
        count = self.pupil_count
        for element in self._stream():
            if element.tag != "Pupil":
                continue
            parent = element.getparent()
            count = self.pupil_count = count + 1
            yield count, element
            element.clear(keep_tail=True)
            while element.getprevious() is not None:
                del parent[0]
        if self.pupil_count == 0:
            raise NoPupilsError(
                _("the file holds no pupils: <%(element)s> has no <Pupil>",
                  element=self._pupil_data),
                field="Pupil",
            )

    def pupils(self) -> Iterator[PupilIndex]:
        """Yield each pupil's index entry."""
        for position, element in self.pupil_elements():
            yield index_pupil(pupil=element, position=position)


@dataclass(frozen=True, slots=True)
class Contents:
    """A whole CTF's header and pupil index, for files small enough to hold."""

    header: Header
    pupils: list[PupilIndex]


def read_ctf(*, source: Source, limits: Limits = DEFAULT_LIMITS) -> Contents:
    """Return a CTF's header and the index of every pupil, or raise the CTFError refusing it."""
    with CTFReader(source=source, limits=limits) as reader:
        header = reader.header
        return Contents(header=header, pupils=list(reader.pupils()))


def read_header(*, source: Source, limits: Limits = DEFAULT_LIMITS) -> Header:
    """Return a CTF's header without reading its pupils."""
    with CTFReader(source=source, limits=limits) as reader:
        return reader.header
