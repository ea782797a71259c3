"""Envelope encryption of stored files: a random key per file, wrapped by the master key.

Each file gets a random 256-bit data key. Its content is encrypted with AES-256-GCM in frames
of 64 KiB, so a file of any size is encrypted and decrypted streaming, in bounded memory. The
data key is wrapped with the current master key (AES key wrap, RFC 3394) and kept in the
database with the master key's id; the stored object holds only ciphertext.

Format of a stored object (version 1), all integers big-endian:

    header, 16 bytes: b"S2SE" | version (1 byte, 1) | log2 of the frame size (1 byte, 16)
                      | reserved (2 bytes, zero) | nonce prefix (8 random bytes)
    frames:           AES-256-GCM ciphertext of each plaintext frame, then its 16-byte tag

Every frame but the last holds exactly 64 KiB of plaintext; the last holds 0 to 64 KiB, and
there is always one (an empty file is one empty final frame). Frame i is encrypted with
nonce = nonce prefix | i (4 bytes) and associated data = header | i (4 bytes) | final flag
(1 byte, 1 on the last frame only). So a frame that is altered, moved, dropped or repeated, a
file cut short at a frame boundary, or data appended after the last frame all fail their tag.

Master keys are base64-encoded 32-byte keys: `settings.ENCRYPTION_KEY` is the current one,
`settings.ENCRYPTION_OLD_KEYS` the ones it replaced, still needed until
`s2s rotate_master_key` has re-wrapped every file. A key's id is derived from the key itself
(the first 8 bytes of HMAC-SHA256(key, "s2s master key id"), in hex), so nothing else needs
configuring and a wrong key can never be mistaken for the right one.
"""

import base64
import binascii
import functools
import hashlib
import hmac
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from s2s.core.errors import ServiceError

MAGIC = b"S2SE"
VERSION = 1
FRAME_SIZE_LOG2 = 16
FRAME_SIZE = 1 << FRAME_SIZE_LOG2
TAG_SIZE = 16
KEY_SIZE = 32
NONCE_PREFIX_SIZE = 8
WRAPPED_KEY_SIZE = KEY_SIZE + 8
_HEADER = struct.Struct(">4sBBH8s")
HEADER_SIZE = _HEADER.size
# The frame index has 4 bytes in the nonce: 2**32 frames of 64 KiB is 256 TiB.
_MAX_FRAMES = 1 << 32
_KEY_ID_LABEL = b"s2s master key id"
_NEW_KEY_HINT = (
    "make one with: python -c \"import base64, os; "
    'print(base64.b64encode(os.urandom(32)).decode())"'
)


class StoredFileError(ServiceError):
    """A stored file that cannot be read back intact; no unverified content is given out."""

    def __init__(self, message: str):
        super().__init__(message, code="stored_file_unreadable")


@dataclass(frozen=True)
class MasterKey:
    """A master key and the id under which the data keys it wraps are recorded."""

    key_id: str
    key: bytes = field(repr=False)


# Every upload asks for the current key: parsed (and its id hashed) once per setting's value.
@functools.lru_cache(maxsize=16)
def master_key_parse(*, encoded: str, setting: str) -> MasterKey:
    """Return the master key in a base64 string; say which setting is wrong if it is not one."""
    text = encoded.strip()
    try:
        # Standard or URL-safe base64, with or without padding.
        raw = base64.b64decode(
            text.replace("-", "+").replace("_", "/") + "=" * (-len(text) % 4), validate=True
        )
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(
            f"{setting} must be a base64-encoded 32-byte key, but it is not valid base64; "
            + _NEW_KEY_HINT
        ) from None
    if len(raw) != KEY_SIZE:
        raise ImproperlyConfigured(
            f"{setting} must be a base64-encoded 32-byte key, but it decodes to {len(raw)} "
            "bytes; " + _NEW_KEY_HINT
        )
    key_id = hmac.new(raw, _KEY_ID_LABEL, hashlib.sha256).hexdigest()[:16]
    return MasterKey(key_id=key_id, key=raw)


def master_key_current() -> MasterKey:
    """Return the master key that wraps the keys of new files."""
    if not settings.ENCRYPTION_KEY:
        raise ImproperlyConfigured("S2S_ENCRYPTION_KEY is not set; " + _NEW_KEY_HINT)
    return master_key_parse(encoded=settings.ENCRYPTION_KEY, setting="S2S_ENCRYPTION_KEY")


def master_key_ring() -> dict[str, MasterKey]:
    """Return every configured master key, current and old, by key id."""
    keys = [master_key_current()]
    for position, encoded in enumerate(getattr(settings, "ENCRYPTION_OLD_KEYS", []), start=1):
        keys.append(
            master_key_parse(
                encoded=encoded, setting=f"S2S_ENCRYPTION_OLD_KEYS (key {position})"
            )
        )
    return {key.key_id: key for key in keys}


def data_key_new() -> bytes:
    """Return a fresh random 256-bit data key."""
    return AESGCM.generate_key(bit_length=KEY_SIZE * 8)


def nonce_prefix_new() -> bytes:
    """Return a fresh random nonce prefix for one file."""
    return os.urandom(NONCE_PREFIX_SIZE)


def data_key_wrap(*, data_key: bytes, master: MasterKey) -> bytes:
    """Return the data key wrapped (encrypted and sealed) with a master key."""
    return aes_key_wrap(master.key, data_key)


def data_key_unwrap(*, wrapped: bytes, key_id: str) -> bytes:
    """Return the data key that the master key `key_id` wrapped, or refuse clearly."""
    master = master_key_ring().get(key_id)
    if master is None:
        raise StoredFileError(
            f"This file's key was wrapped with master key {key_id}, which is not configured: "
            "put that key back in S2S_ENCRYPTION_OLD_KEYS until rotate_master_key has run."
        )
    try:
        return aes_key_unwrap(master.key, bytes(wrapped))
    except (InvalidUnwrap, ValueError):
        raise StoredFileError(
            f"This file's key does not unwrap with master key {key_id}: the wrapped key was "
            "altered, or that master key is not the one it was wrapped with."
        ) from None


def _header(nonce_prefix: bytes) -> bytes:
    return _HEADER.pack(MAGIC, VERSION, FRAME_SIZE_LOG2, 0, nonce_prefix)


def _nonce(nonce_prefix: bytes, index: int) -> bytes:
    return nonce_prefix + index.to_bytes(4, "big")


def _associated_data(header: bytes, index: int, final: bool) -> bytes:
    return header + index.to_bytes(4, "big") + (b"\x01" if final else b"\x00")


def _read_full(source: IO[bytes], size: int) -> bytes:
    """Read `size` bytes, or fewer only at the end: streams may return short reads."""
    parts = []
    remaining = size
    while remaining:
        chunk = source.read(remaining)
        if not chunk:
            break
        parts.append(chunk)
        remaining -= len(chunk)
    return b"".join(parts)


def encrypt_stream(
    *, source: IO[bytes], sink: IO[bytes], data_key: bytes, nonce_prefix: bytes,
    sha256: str | None = None,
) -> tuple[int, str]:
    """Encrypt `source` into `sink`; return the plaintext's size and SHA-256 (hex).

    A caller that has just hashed the same bytes passes their `sha256`, which is returned
    as it is: hashing 50 KB costs several times what encrypting it does.
    """
    header = _header(nonce_prefix)
    sink.write(header)
    aead = AESGCM(data_key)
    digest = hashlib.sha256() if sha256 is None else None
    size = 0
    index = 0
    frame = _read_full(source, FRAME_SIZE)
    while True:
        # Read one frame ahead: a full frame is the last only if nothing follows it.
        following = _read_full(source, FRAME_SIZE) if len(frame) == FRAME_SIZE else b""
        final = not following
        if index >= _MAX_FRAMES:
            raise ServiceError("The file is too large to store.", code="too_large")
        if digest is not None:
            digest.update(frame)
        size += len(frame)
        sink.write(
            aead.encrypt(_nonce(nonce_prefix, index), frame, _associated_data(header, index, final))
        )
        if final:
            return size, digest.hexdigest() if digest is not None else sha256
        frame = following
        index += 1


def _check_header(header: bytes, nonce_prefix: bytes) -> None:
    if len(header) < HEADER_SIZE:
        raise StoredFileError("The stored file is too short to be an s2s encrypted file.")
    magic, version, frame_log2, reserved, prefix = _HEADER.unpack(header)
    if magic != MAGIC:
        raise StoredFileError("The stored file is not an s2s encrypted file.")
    if version != VERSION or frame_log2 != FRAME_SIZE_LOG2 or reserved != 0:
        raise StoredFileError(
            f"The stored file uses encryption format {version} with frames of 2^{frame_log2} "
            "bytes, which this version of s2s cannot read."
        )
    if not hmac.compare_digest(prefix, nonce_prefix):
        raise StoredFileError("The stored file does not belong to this record.")


def _frame_failure(
    aead: AESGCM, header: bytes, nonce_prefix: bytes, index: int, block: bytes, final: bool
) -> str:
    """Say why frame `index` failed: try it with the other final flag to spot cut files."""
    try:
        aead.decrypt(_nonce(nonce_prefix, index), block, _associated_data(header, index, not final))
    except InvalidTag:
        return (
            f"The stored file failed its integrity check at frame {index}: it was altered, "
            "cut short or its frames reordered, or the key is wrong."
        )
    if final:
        return f"The stored file was cut short: it ends after frame {index}, before its last."
    return f"The stored file has data after its last frame (frame {index})."


def _open_frame(
    aead: AESGCM, header: bytes, nonce_prefix: bytes, index: int, block: bytes, final: bool
) -> bytes:
    try:
        return aead.decrypt(
            _nonce(nonce_prefix, index), block, _associated_data(header, index, final)
        )
    except InvalidTag:
        raise StoredFileError(
            _frame_failure(aead, header, nonce_prefix, index, block, final)
        ) from None


def decrypt_stream(
    *, source: IO[bytes], data_key: bytes, nonce_prefix: bytes, size: int, sha256: str
) -> Iterator[bytes]:
    """Check the header now, then return an iterator of verified plaintext frames.

    Every frame is checked against its tag before it is yielded. The last frame is held back
    until the whole content has also matched the recorded size and SHA-256; if anything fails,
    `StoredFileError` is raised instead, so a reader never receives an unverified ending (a
    caller streaming to a client must let the error break the stream, not end it cleanly).
    """
    header = _read_full(source, HEADER_SIZE)
    _check_header(header, nonce_prefix)
    return _decrypt_frames(
        source=source, aead=AESGCM(data_key), header=header, nonce_prefix=nonce_prefix,
        size=size, sha256=sha256,
    )


def _decrypt_frames(
    *, source: IO[bytes], aead: AESGCM, header: bytes, nonce_prefix: bytes, size: int,
    sha256: str,
) -> Iterator[bytes]:
    block_size = FRAME_SIZE + TAG_SIZE
    digest = hashlib.sha256()
    seen = 0
    index = 0
    block = _read_full(source, block_size)
    while True:
        following = _read_full(source, block_size) if len(block) == block_size else b""
        final = not following
        plain = _open_frame(aead, header, nonce_prefix, index, block, final)
        digest.update(plain)
        seen += len(plain)
        if final:
            break
        yield plain
        block = following
        index += 1
    if seen != size:
        raise StoredFileError(
            f"The stored file holds {seen} bytes, not the {size} recorded when it was stored; "
            "its last part was withheld."
        )
    if not hmac.compare_digest(digest.hexdigest(), sha256):
        raise StoredFileError(
            "The stored file does not match the SHA-256 recorded when it was stored; its last "
            "part was withheld."
        )
    if plain:
        yield plain
