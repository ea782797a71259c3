"""Checks on an uploaded generic zip: its directory, then every entry inflated, never extracted.

Seed 003, 5.5: at most 10 MB from an LA and 4 MB from a school. Issue 4: a valid archive, no
absolute or `..` paths, and a sane expansion ratio, so a "zip bomb" never reaches a receiver.
Issue 20: a header's sizes are claims, not facts. Each entry is inflated in chunks, in bounded
memory and time, counting the real bytes and stopping as soon as they pass what the header
declares (so never past the archive's limit), and its checksum is checked; links of every kind
(Unix mode bits, NTFS reparse points), device files, duplicate names, local headers that
disagree with the directory and overlapping entries are refused.
"""

import bz2
import itertools
import stat
import struct
import time
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath, PureWindowsPath
from typing import IO

from django.utils.translation import gettext as _

from s2s.core.errors import ServiceError

MB = 1024 * 1024
LA_LIMIT = 10 * MB
SCHOOL_LIMIT = 4 * MB
# The most the entries may expand to: this many times the zip's size, and never past 1 GB.
MAX_RATIO = 100
MAX_EXPANDED = 1024 * MB
MAX_ENTRIES = 10_000
# Inflating the most an archive may expand to takes a few seconds; this bounds a slow one.
MAX_CHECK_SECONDS = 30.0
CHUNK = 64 * 1024
# The methods the hub can inflate to check (every common zip tool writes one of them).
METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2})

# A local file header (APPNOTE 4.3.7): the fields read here, and its fixed size.
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_LOCAL_SIGNATURE = b"PK\x03\x04"
# General purpose flags: encrypted, strongly encrypted, names in UTF-8.
_ENCRYPTED, _STRONG_ENCRYPTION, _UTF8_NAMES = 0x1, 0x40, 0x800
# MS-DOS attributes in the low bits of the external attributes (Windows' FILE_ATTRIBUTE_*).
_DOS_DEVICE, _DOS_REPARSE_POINT = 0x40, 0x400
# The ASi Unix extra field: CRC, mode, size or device, uid, gid, then a link's target.
_ASI_UNIX = 0x756E
_PLAIN_KINDS = frozenset({0, stat.S_IFREG, stat.S_IFDIR})


def zip_size_limit(*, from_la: bool) -> int:
    """Return the largest generic zip this kind of sender may upload, in bytes."""
    return LA_LIMIT if from_la else SCHOOL_LIMIT


def zip_size_check(*, size: int, from_la: bool) -> None:
    """Refuse a generic zip over the sender's size limit, naming the limit."""
    limit = zip_size_limit(from_la=from_la)
    if size > limit:
        if from_la:
            message = _("The zip file is larger than %(limit)s MB, the most a local authority "
                        "may send. Split it into smaller zip files.")
        else:
            message = _("The zip file is larger than %(limit)s MB, the most a school may send. "
                        "Split it into smaller zip files.")
        raise ServiceError(message % {"limit": limit // MB}, code="zip_too_large", field="file")


def _refuse(message: str, code: str) -> ServiceError:
    return ServiceError(message, code=code, field="file")


def _invalid() -> ServiceError:
    return _refuse(_("The file is not a valid zip archive: zip it again and upload it."),
                   "zip_invalid")


def _damaged(entry: zipfile.ZipInfo, problem: str) -> ServiceError:
    return _refuse(
        _("The zip entry “%(name)s” is damaged or built to mislead: %(problem)s. Zip the files "
          "again and upload them.") % {"name": entry.orig_filename, "problem": problem},
        "zip_damaged",
    )


# --- the directory --------------------------------------------------------------------------


def _hides_characters(name: str) -> bool:
    # A NUL ends the name for some tools (zipfile itself) and not for others; a control
    # character hides what the name is from a person.
    return any(ord(c) < 32 or ord(c) == 127 for c in name)


def _unsafe_path(name: str) -> bool:
    if name.startswith(("/", "\\")) or PureWindowsPath(name).drive:
        return True
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return ".." in parts


def _same_file_key(name: str) -> str:
    """Return what a name becomes once unzipped on Windows or a Mac: slashes, case, accents."""
    path = PurePosixPath(name.replace("\\", "/")).as_posix()
    return unicodedata.normalize("NFC", path).casefold()


def _check_names(entries: list[zipfile.ZipInfo]) -> None:
    seen: set[str] = set()
    for entry in entries:
        name = entry.orig_filename
        if _hides_characters(name):
            raise _refuse(
                _("The zip archive holds an entry whose name has a control character in it "
                  "(“%(name)s”): zip the files under their ordinary names.")
                % {"name": name.encode("unicode_escape").decode("ascii")},
                "zip_unsafe_path",
            )
        if _unsafe_path(name):
            raise _refuse(
                _("The zip archive holds “%(name)s”, whose path is absolute or climbs out "
                  "with “..”: zip the files with relative paths.") % {"name": name},
                "zip_unsafe_path",
            )
        key = _same_file_key(name)
        if key in seen:
            raise _refuse(
                _("The zip archive holds more than one entry named “%(name)s” (names that "
                  "differ only in capitals or slashes count as the same): each file may be "
                  "in it once.") % {"name": name},
                "zip_duplicate",
            )
        seen.add(key)


def _unix_kinds(entry: zipfile.ZipInfo, extra: bytes) -> Iterator[int]:
    """Yield the Unix file types an entry claims: its mode bits, and its ASi extra field's."""
    yield stat.S_IFMT(entry.external_attr >> 16)
    for field_id, data in _extra_fields(extra):
        if field_id == _ASI_UNIX and len(data) >= 6:
            mode = struct.unpack_from("<H", data, 4)[0]
            yield stat.S_IFLNK if len(data) > 14 else stat.S_IFMT(mode)


def _extra_fields(extra: bytes) -> Iterator[tuple[int, bytes]]:
    at = 0
    while at + 4 <= len(extra):
        field_id, length = struct.unpack_from("<HH", extra, at)
        yield field_id, extra[at + 4:at + 4 + length]
        at += 4 + length


def _check_kind(entry: zipfile.ZipInfo, local_extra: bytes) -> None:
    """Refuse a link of any kind, a device or another special file, and what cannot be read."""
    name = entry.orig_filename
    kinds = set(_unix_kinds(entry, entry.extra)) | set(_unix_kinds(entry, local_extra))
    if stat.S_IFLNK in kinds or entry.external_attr & _DOS_REPARSE_POINT:
        raise _refuse(
            _("The zip archive holds “%(name)s”, a link to another file: zip the files "
              "themselves, not links to them.") % {"name": name}, "zip_link",
        )
    if kinds - _PLAIN_KINDS or entry.external_attr & _DOS_DEVICE:
        raise _refuse(
            _("The zip archive holds “%(name)s”, a device or other special file: zip "
              "ordinary files only.") % {"name": name}, "zip_special_file",
        )
    if entry.flag_bits & (_ENCRYPTED | _STRONG_ENCRYPTION):
        raise _refuse(
            _("The zip entry “%(name)s” is protected by a password, so the hub cannot check "
              "what it holds. s2s keeps every file encrypted already: zip the files again "
              "without a password.") % {"name": name}, "zip_encrypted",
        )
    if entry.compress_type not in METHODS:
        raise _refuse(
            _("The zip entry “%(name)s” is compressed in a way the hub cannot check: zip the "
              "files again with ordinary compression.") % {"name": name}, "zip_method",
        )


def _data_span(content: IO[bytes], entry: zipfile.ZipInfo) -> tuple[int, bytes]:
    """Return where an entry's data starts, and its local extra field.

    Refuse a local header that disagrees with the directory: a tool that reads local headers
    would unzip another file than the one checked.
    """
    if entry.header_offset < 0:
        raise _invalid()
    content.seek(entry.header_offset)
    raw = content.read(_LOCAL_HEADER.size)
    if len(raw) < _LOCAL_HEADER.size:
        raise _invalid()
    fields = _LOCAL_HEADER.unpack(raw)
    flags, method, name_length, extra_length = fields[3], fields[4], fields[10], fields[11]
    name = content.read(name_length)
    extra = content.read(extra_length)
    try:
        local_name = name.decode("utf-8" if flags & _UTF8_NAMES else "cp437")
    except UnicodeDecodeError:
        local_name = None
    if (fields[0] != _LOCAL_SIGNATURE or local_name != entry.orig_filename
            or method != entry.compress_type or len(extra) != extra_length):
        raise _damaged(entry, _("its local header does not match the archive's directory"))
    return entry.header_offset + _LOCAL_HEADER.size + name_length + extra_length, extra


# --- the contents ---------------------------------------------------------------------------


class _Broken(Exception):
    """An entry's compressed data ends early, runs on past its end, or cannot be inflated."""


def _raw(content: IO[bytes], start: int, length: int) -> Iterator[bytes]:
    content.seek(start)
    left = length
    while left > 0:
        chunk = content.read(min(CHUNK, left))
        if not chunk:
            raise _Broken
        left -= len(chunk)
        yield chunk


def _inflate_deflate(chunks: Iterable[bytes]) -> Iterator[bytes]:
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    for chunk in chunks:
        if inflater.eof:
            raise _Broken  # data after the end of the stream
        data = chunk
        while True:
            out = inflater.decompress(data, CHUNK)
            if out:
                yield out
            data = inflater.unconsumed_tail
            if inflater.eof:
                if data or inflater.unused_data:
                    raise _Broken
                break
            if not data and not out:
                break
    if not inflater.eof:
        raise _Broken


def _inflate_bzip2(chunks: Iterable[bytes]) -> Iterator[bytes]:
    inflater = bz2.BZ2Decompressor()
    for chunk in chunks:
        if inflater.eof:
            raise _Broken
        out = inflater.decompress(chunk, CHUNK)
        while out:
            yield out
            out = b"" if inflater.eof or inflater.needs_input else inflater.decompress(b"", CHUNK)
        if inflater.unused_data:
            raise _Broken
    if not inflater.eof:
        raise _Broken


def _inflated(chunks: Iterable[bytes], method: int) -> Iterator[bytes]:
    """Yield an entry's real bytes, at most CHUNK at a time, from its compressed data."""
    try:
        if method == zipfile.ZIP_STORED:
            yield from chunks
        elif method == zipfile.ZIP_DEFLATED:
            yield from _inflate_deflate(chunks)
        else:
            yield from _inflate_bzip2(chunks)
    except (zlib.error, OSError, EOFError, ValueError):
        raise _Broken from None


def _check_contents(content: IO[bytes], entry: zipfile.ZipInfo, start: int,
                    deadline: float, seconds: float) -> None:
    """Inflate one entry, counting its real bytes; refuse it when they differ from its header."""
    real, crc = 0, 0
    name, declared = entry.orig_filename, entry.file_size
    try:
        for out in _inflated(_raw(content, start, entry.compress_size), entry.compress_type):
            real += len(out)
            if real > declared:
                raise _refuse(
                    _("The zip entry “%(name)s” expands to more than the %(declared)s bytes "
                      "its header declares: the hub does not carry an archive whose contents "
                      "are not what it says they are.") % {"name": name, "declared": declared},
                    "zip_size_mismatch",
                )
            crc = zlib.crc32(out, crc)
            if time.monotonic() > deadline:
                raise _refuse(
                    _("The zip archive could not be checked within %(seconds)s seconds: the "
                      "hub does not carry archives like that.") % {"seconds": int(seconds)},
                    "zip_too_slow",
                )
    except _Broken:
        raise _damaged(entry, _("its compressed data is cut short or runs on")) from None
    if real != declared:
        raise _refuse(
            _("The zip entry “%(name)s” holds %(real)s bytes but its header declares "
              "%(declared)s: the hub does not carry an archive whose contents are not what it "
              "says they are.") % {"name": name, "real": real, "declared": declared},
            "zip_size_mismatch",
        )
    if crc != entry.CRC:
        raise _damaged(entry, _("its contents do not match its checksum"))


def _check_expansion(entries: list[zipfile.ZipInfo], size: int) -> None:
    declared = sum(entry.file_size for entry in entries)
    if declared > MAX_EXPANDED or declared > MAX_RATIO * max(size, 1):
        raise _refuse(
            _("The zip archive would expand to %(expanded)s MB, more than %(ratio)s times "
              "its size or 1 GB: the hub does not carry archives like that.")
            % {"expanded": declared // MB, "ratio": MAX_RATIO},
            "zip_ratio",
        )


def _entries(content: IO[bytes]) -> list[zipfile.ZipInfo]:
    try:
        with zipfile.ZipFile(content) as archive:
            return archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError,
            struct.error, NotImplementedError, OverflowError, IndexError):
        raise _invalid() from None


def zip_archive_check(*, content: IO[bytes], size: int,
                      seconds: float = MAX_CHECK_SECONDS) -> int:
    """Refuse an archive that is not a zip, is unsafe to unzip, or is not what it declares.

    `content` must be seekable; nothing is extracted or held whole: every entry is inflated
    in chunks and its real size and checksum compared with its header's. The declared total
    is checked first, and no entry is inflated past its declared size, so the work is bounded
    by the archive's expansion limit and by `seconds`. Return the number of entries.
    """
    entries = _entries(content)
    if not entries:
        raise _refuse(_("The zip archive is empty."), "zip_empty")
    if len(entries) > MAX_ENTRIES:
        raise _refuse(_("The zip archive holds more than %(count)s files.")
                      % {"count": MAX_ENTRIES}, "zip_too_many")
    _check_names(entries)
    spans = []  # (where the entry's local header starts, where its data ends, the entry)
    starts = []
    for entry in entries:
        start, local_extra = _data_span(content, entry)
        _check_kind(entry, local_extra)
        starts.append(start)
        spans.append((entry.header_offset, start + entry.compress_size, entry))
    spans.sort(key=lambda span: span[0])
    for (_offset, end, _entry), (next_offset, _end, entry) in itertools.pairwise(spans):
        if next_offset < end:
            raise _damaged(entry, _("it overlaps another entry's data"))
    _check_expansion(entries, size)
    deadline = time.monotonic() + seconds
    for entry, start in zip(entries, starts, strict=True):
        _check_contents(content, entry, start, deadline, seconds)
    return len(entries)
