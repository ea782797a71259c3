"""Writing CTFs: from data, re-addressed to a new destination, and split by destination.

Re-addressing changes the header's destination and nothing else: every other byte, including
space-padded PAON and SAON, is copied as it came (DESIGN.md, CTF format: never strip them).
"""

import io
import re
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from s2s.ctf.errors import CTFError, LostPupilCountError, WriteError
from s2s.ctf.names import FileName, PlaceKind, format_name, parse_name, parse_place
from s2s.ctf.reader import CTFReader, Header, Source, read_header
from s2s.ctf.records import HeaderData, PupilData, header_node, pupil_node, render
from s2s.ctf.words import _

ROOT_PUPIL_DATA = {"CTfile": "CTFpupilData", "ATfile": "ATFpupilData"}
ROOT_VERSION_TAG = {"CTfile": "CTFversion", "ATfile": "ATFversion"}
ROOT_FILE_TYPE = {"CTfile": "CTF", "ATfile": "ATF"}


def write_ctf(
    *, header: HeaderData, pupils: Iterable[PupilData], out: BinaryIO, root: str = "CTfile"
) -> int:
    """Write a well-formed UTF-8 CTF to `out`, one pupil at a time; return the pupil count."""
    sex_tag = header.sex_tag
    head = render(node=header_node(header=header, version_tag=ROOT_VERSION_TAG[root]))
    out.write(f'<?xml version="1.0" encoding="utf-8"?>\n<{root}>\n{head}'.encode())
    out.write(f"<{ROOT_PUPIL_DATA[root]}>\n".encode())
    count = 0
    batch: list[str] = []
    for pupil in pupils:
        batch.append(render(node=pupil_node(pupil=pupil, sex_tag=sex_tag)))
        count += 1
        if len(batch) == 100:
            out.write("".join(batch).encode())
            batch = []
    out.write("".join(batch).encode())
    out.write(f"</{ROOT_PUPIL_DATA[root]}>\n</{root}>\n".encode())
    return count


def ctf_bytes(*, header: HeaderData, pupils: Iterable[PupilData], root: str = "CTfile") -> bytes:
    """Return a well-formed CTF as bytes."""
    buffer = io.BytesIO()
    write_ctf(header=header, pupils=pupils, out=buffer, root=root)
    return buffer.getvalue()


# --- re-addressing -------------------------------------------------------------------------

_HEADER_END = b"</Header>"
_DEST_BLOCK = re.compile(rb"<DestSchool(?:\s[^>]*)?>(.*?)</DestSchool>", re.DOTALL)
_URN = re.compile(rb"<URN\s*>[^<]*</URN\s*>(\r?\n)?")


def _header_values(destination: str) -> tuple[str, str]:
    place = parse_place(code=destination, role="destination")
    if place.kind is PlaceKind.LA_MAILBOX:
        return place.code[:3], "LLLL"
    return place.code[:3], place.code[3:]


def _head_of(data: bytes) -> bytes:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4]:
        raise WriteError(_("only UTF-8 CTFs can be re-addressed; this one is UTF-16"))
    end = data.find(_HEADER_END)
    if end < 0:
        raise WriteError(_("the CTF's </Header> is not in its first 1 MB"), field="Header")
    return data[: end + len(_HEADER_END)]


def _set_text(block: bytes, tag: bytes, value: str) -> bytes:
    pattern = re.compile(rb"(<" + tag + rb"\s*>)[^<]*(</" + tag + rb"\s*>)")
    new, count = pattern.subn(lambda m: m.group(1) + value.encode() + m.group(2), block, 1)
    if count != 1:
        raise WriteError(_("the header's <DestSchool> has no <%(tag)s>", tag=tag.decode()),
                         field=f"DestSchool/{tag.decode()}")
    return new


def readdress_head(*, head: bytes, destination: str, destination_urn: str | None = None) -> bytes:
    """Return the header bytes with the destination changed and every other byte kept.

    The destination's URN is set when given; otherwise an old URN is removed, as it named
    the old destination.
    """
    header_start = head.find(b"<Header")
    match = _DEST_BLOCK.search(head, header_start if header_start >= 0 else 0)
    if header_start < 0 or match is None:
        raise WriteError(_("the header has no <DestSchool> block"), field="DestSchool")
    la, establishment = _header_values(destination)
    block = _set_text(match.group(1), b"LEA", la)
    block = _set_text(block, b"Estab", establishment)
    if destination_urn is not None:
        if _URN.search(block):
            block = _set_text(block, b"URN", destination_urn)
        else:
            block += f"<URN>{destination_urn}</URN>\n".encode()
    else:
        block = _URN.sub(b"", block)
    return head[: match.start(1)] + block + head[match.end(1):]


def _check_readdressed(old: Header, new: Header, destination: str) -> None:
    la, establishment = _header_values(destination)
    if (new.destination_la, new.destination_establishment) != (la, establishment):
        raise WriteError(_("the new header could not be written; the file is left unchanged"))
    for name in ("version", "source_la", "source_establishment", "document_qualifier"):
        if getattr(old, name) != getattr(new, name):
            raise WriteError(_("re-addressing would change more than the destination"))


@dataclass(frozen=True, slots=True)
class Readdressed:
    """A re-addressed CTF: its new name and its bytes."""

    name: str
    content: bytes


def _new_name(
    header: Header, destination: str, sequence: int | None, original: str | None
) -> str:
    if original:
        old: FileName = parse_name(name=original)
        return format_name(
            source=old.source.code, destination=destination, file_type=old.file_type.code,
            sequence=old.sequence if sequence is None else sequence,
        )
    return format_name(
        source=header.source, destination=destination,
        file_type=ROOT_FILE_TYPE.get(header.root, "CTF"),
        sequence=1 if sequence is None else sequence,
    )


def _check_lost_pupil_count(source: Source, destination: str) -> None:
    if parse_place(code=destination).kind not in (
        PlaceKind.LOST_DESTINATION_UNKNOWN, PlaceKind.LOST_LEFT_MAINTAINED_SECTOR
    ):
        return
    with CTFReader(source=source) as reader:
        count = sum(1 for _ in reader.pupil_elements())
    if count != 1:
        raise LostPupilCountError(
            _("a file for the Lost Pupil Database holds exactly one pupil; this one holds "
              "%(count)s: split it first", count=count), field="Pupil",
        )


def readdress(
    *,
    content: bytes,
    destination: str,
    sequence: int | None = None,
    original_name: str | None = None,
    destination_urn: str | None = None,
) -> Readdressed:
    """Return the CTF addressed to `destination`, with its new file name (issue 3, Writing).

    Only the header's `<DestSchool>` changes. The name keeps the original's source and type
    (from `original_name`, else from the header) and takes `sequence` when given.
    """
    old = read_header(source=content)
    _check_lost_pupil_count(content, destination)
    head = _head_of(content[: 1 << 20])
    new_head = readdress_head(head=head, destination=destination, destination_urn=destination_urn)
    new_content = new_head + content[len(head):]
    _check_readdressed(old, read_header(source=new_content), destination)
    return Readdressed(_new_name(old, destination, sequence, original_name), new_content)


def readdress_file(
    *,
    source: Path,
    destination: str,
    out_dir: Path,
    sequence: int | None = None,
    destination_urn: str | None = None,
) -> Path:
    """Write the re-addressed copy of a CTF file into `out_dir`, streaming; return its path."""
    source = Path(source)
    old = read_header(source=source)
    _check_lost_pupil_count(source, destination)
    with source.open("rb") as handle:
        head = _head_of(handle.read(1 << 20))
    new_head = readdress_head(head=head, destination=destination, destination_urn=destination_urn)
    _check_readdressed(old, read_header(source=new_head + b"</CTfile>"), destination)
    try:
        parse_name(name=source.name)
        original: str | None = source.name
    except CTFError:
        original = None
    target = Path(out_dir) / _new_name(old, destination, sequence, original)
    with source.open("rb") as handle, target.open("wb") as out:
        handle.seek(len(head))
        out.write(new_head)
        shutil.copyfileobj(handle, out, 1 << 20)
    return target


# --- splitting -----------------------------------------------------------------------------


@dataclass(slots=True)
class SplitFile:
    """One CTF the split wrote: its name, destination and pupils, and its bytes or path."""

    name: str
    destination: str
    pupils: int = 0
    content: bytes | None = None
    path: Path | None = None
    _chunks: list[bytes] = field(default_factory=list, repr=False)


@dataclass(frozen=True, slots=True)
class Unplaced:
    """A pupil the allocation did not place, and why."""

    position: int
    upn: str | None
    surname: str | None
    forename: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class SplitResult:
    files: list[SplitFile]
    unplaced: list[Unplaced]


def _normalised_allocation(allocation: Mapping[str, str]) -> dict[str, str]:
    result = {}
    for upn, destination in allocation.items():
        try:
            parse_place(code=destination.strip().upper(), role="destination")
        except CTFError as error:
            raise WriteError(_("the allocation for UPN %(upn)s: %(problem)s", upn=upn,
                               problem=error.message),
                             field="allocation") from None
        result[upn.strip().upper()] = destination.strip().upper()
    return result


class _Splitter:
    """The state of one split: the header bytes and the files being filled."""

    def __init__(self, head: bytes, header: Header, sequence: int, original: str | None):
        self.head = head
        self.header = header
        self.sequence = sequence
        self.original = original
        self.files: dict[str, SplitFile] = {}
        self.lost: list[SplitFile] = []

    def file_for(self, destination: str) -> SplitFile:
        lost = parse_place(code=destination).kind in (
            PlaceKind.LOST_DESTINATION_UNKNOWN, PlaceKind.LOST_LEFT_MAINTAINED_SECTOR
        )
        if not lost and destination in self.files:
            return self.files[destination]
        sequence = self.sequence + len(self.lost) if lost else self.sequence
        name = _new_name(self.header, destination, sequence, self.original)
        split = SplitFile(name=name, destination=destination)
        split._chunks.append(readdress_head(head=self.head, destination=destination))
        split._chunks.append(f"\n<{ROOT_PUPIL_DATA[self.header.root]}>\n".encode())
        if lost:
            self.lost.append(split)
        else:
            self.files[destination] = split
        return split

    def finish(self) -> list[SplitFile]:
        tail = f"</{ROOT_PUPIL_DATA[self.header.root]}>\n</{self.header.root}>\n".encode()
        result = [*self.files.values(), *self.lost]
        for split in result:
            split._chunks.append(tail)
            split.content = b"".join(split._chunks)
            split._chunks = []
        return result


def split_ctf(
    *,
    content: bytes,
    allocation: Mapping[str, str],
    sequence: int = 1,
    original_name: str | None = None,
) -> SplitResult:
    """Split a bulk CTF into one CTF per destination from a UPN -> destination allocation.

    Pupils without a UPN, or whose UPN the allocation lacks, are reported as unplaced. A
    lost-pupil destination gets one file per pupil (DESIGN.md, File names).
    """
    plan = _normalised_allocation(allocation)
    head = _head_of(content[: 1 << 20])
    unplaced: list[Unplaced] = []
    with CTFReader(source=content) as reader:
        splitter = _Splitter(head, reader.header, sequence, original_name)
        for position, element in reader.pupil_elements():
            upn = (element.findtext("UPN") or "").strip().upper()
            destination = plan.get(upn)
            if destination is None:
                unplaced.append(Unplaced(
                    position, upn or None, element.findtext("Surname"),
                    element.findtext("Forename"),
                    _("the pupil has no UPN") if not upn
                    else _("the allocation has no row for this UPN"),
                ))
                continue
            split = splitter.file_for(destination)
            encoding = element.getroottree().docinfo.encoding or "utf-8"
            split._chunks.append(
                etree.tostring(element, encoding=encoding, xml_declaration=False, with_tail=False)
                + b"\n"
            )
            split.pupils += 1
    return SplitResult(files=splitter.finish(), unplaced=unplaced)


def write_split(*, result: SplitResult, out_dir: Path) -> list[Path]:
    """Write the files of a split into `out_dir`; return their paths."""
    paths = []
    for split in result.files:
        path = Path(out_dir) / split.name
        path.write_bytes(split.content or b"")
        split.path = path
        paths.append(path)
    return paths
