"""Zips as an attacker writes them (issue 20, items 2 and 3): every header field is ours to set.

`forged_zip` writes the local headers, the central directory and its end record by hand
(APPNOTE 4.3), so a test can declare sizes, checksums, modes and names that are lies.
"""

import stat
import struct
import zlib
from dataclasses import dataclass

MB = 1024 * 1024
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
STORED, DEFLATED, BZIP2, LZMA = 0, 8, 12, 14
UNIX, MSDOS = 3, 0


@dataclass
class Entry:
    """One entry as its headers describe it; None means "the truth" for sizes and checksum."""

    name: str
    data: bytes  # the bytes stored, already compressed when `method` says so
    method: int = STORED
    file_size: int | None = None
    crc: int | None = None
    mode: int = stat.S_IFREG | 0o644
    dos_attributes: int = 0
    create_system: int = UNIX
    flags: int = 0
    extra: bytes = b""
    local_name: str | None = None
    header_offset: int | None = None  # point the directory elsewhere (overlapping entries)

    def real_crc(self) -> int:
        return zlib.crc32(self.data) if self.method == STORED else 0


def deflated(data: bytes) -> bytes:
    """Return `data` as a raw deflate stream, as zip entries hold it."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


def deflated_entry(name: str, plain: bytes, **fields) -> Entry:
    """Return a deflated entry of `plain` whose headers tell the truth unless `fields` say."""
    fields.setdefault("file_size", len(plain))
    fields.setdefault("crc", zlib.crc32(plain))
    return Entry(name, deflated(plain), DEFLATED, **fields)


def deflated_zeros(megabytes: int) -> bytes:
    """Return a deflate stream of this many MB of zeros, built in a moment and little memory.

    After a full flush the compressor starts afresh, so one MB's segment repeats exactly.
    """
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    segment = packer.compress(bytes(MB)) + packer.flush(zlib.Z_FULL_FLUSH)
    return segment * megabytes + packer.flush(zlib.Z_FINISH)


def forged_zip(entries: list[Entry], *, prefix: bytes = b"") -> bytes:
    """Return a zip of these entries, their headers saying exactly what each Entry says."""
    body = bytearray(prefix)
    directory = bytearray()
    for entry in entries:
        name = entry.name.encode()
        local_name = (entry.local_name if entry.local_name is not None else entry.name).encode()
        crc = entry.crc if entry.crc is not None else entry.real_crc()
        size = entry.file_size if entry.file_size is not None else len(entry.data)
        offset = len(body) if entry.header_offset is None else entry.header_offset
        flags = entry.flags | 0x800
        body += _LOCAL.pack(b"PK\x03\x04", 20, 0, flags, entry.method, 0, 0x21, crc,
                            len(entry.data), size, len(local_name), len(entry.extra))
        body += local_name + entry.extra + entry.data
        attributes = (entry.mode << 16) | entry.dos_attributes
        directory += _CENTRAL.pack(b"PK\x01\x02", 20, entry.create_system, 20, 0, flags,
                                   entry.method, 0, 0x21, crc, len(entry.data), size, len(name),
                                   len(entry.extra), 0, 0, 0, attributes, offset)
        directory += name + entry.extra
    end = _END.pack(b"PK\x05\x06", 0, 0, len(entries), len(entries), len(directory), len(body),
                    0)
    return bytes(body + directory + end)


def bomb(*, declared: int = 1_000, megabytes: int = 512, name: str = "report.csv") -> bytes:
    """Return the zip of issue 20, item 2: headers declare `declared` bytes, data inflates to MBs.

    Its checksum is that of the first `declared` bytes, so a reader that stops where the
    header says finds nothing wrong.
    """
    return forged_zip([Entry(name, deflated_zeros(megabytes), DEFLATED, file_size=declared,
                             crc=zlib.crc32(bytes(declared)))])


def unix_link(*, name: str = "link", target: str = "/etc/cron.d") -> Entry:
    """Return a symbolic link to `target`, as Info-ZIP stores one: mode bits, target as data."""
    return Entry(name, target.encode(), mode=stat.S_IFLNK | 0o777)


def asi_unix_extra(*, mode: int, link_target: bytes = b"") -> bytes:
    """Return an ASi Unix extra field (0x756e): CRC, mode, size, uid, gid, link target."""
    body = struct.pack("<LHLHH", 0, mode, len(link_target), 0, 0) + link_target
    return struct.pack("<HH", 0x756E, len(body)) + body
