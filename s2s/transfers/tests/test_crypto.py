"""Envelope encryption: round trips, every kind of tampering refused, keys and their errors."""

import hashlib
import io
import tracemalloc

import pytest
from django.core.exceptions import ImproperlyConfigured

from s2s.transfers import crypto
from s2s.transfers.checks import check_master_keys
from s2s.transfers.crypto import FRAME_SIZE, StoredFileError
from s2s.transfers.tests.conftest import KEY_A, KEY_A_ID, KEY_B, KEY_B_ID

DATA_KEY = bytes(range(32, 64))
PREFIX = b"\x01\x02\x03\x04\x05\x06\x07\x08"
PUPIL = b"<Pupil><UPN>H801200001001</UPN><Surname>Fairweather</Surname></Pupil>\n"


def _content(size: int) -> bytes:
    return (PUPIL * (size // len(PUPIL) + 1))[:size]


def _encrypt(plain: bytes) -> tuple[bytes, int, str]:
    sink = io.BytesIO()
    size, sha256 = crypto.encrypt_stream(
        source=io.BytesIO(plain), sink=sink, data_key=DATA_KEY, nonce_prefix=PREFIX
    )
    return sink.getvalue(), size, sha256


def _decrypt(cipher: bytes, size: int, sha256: str, *, data_key=DATA_KEY) -> bytes:
    chunks = crypto.decrypt_stream(
        source=io.BytesIO(cipher), data_key=data_key, nonce_prefix=PREFIX, size=size,
        sha256=sha256,
    )
    return b"".join(chunks)


def _frames(cipher: bytes) -> list[bytes]:
    body = cipher[crypto.HEADER_SIZE:]
    step = FRAME_SIZE + crypto.TAG_SIZE
    return [body[i:i + step] for i in range(0, len(body), step)]


# size → stored length: 16-byte header, then the plaintext plus a 16-byte tag per frame.
@pytest.mark.parametrize(
    ("size", "stored_length"),
    [
        (0, 32),
        (1, 33),
        (1000, 1032),
        (FRAME_SIZE - 1, 65567),
        (FRAME_SIZE, 65568),
        (FRAME_SIZE + 1, 65585),
        (2 * FRAME_SIZE, 131120),
        (3 * FRAME_SIZE + 5, 196693),
    ],
)
def test_content_round_trips_and_takes_a_tag_per_frame(size, stored_length):
    plain = _content(size)
    cipher, got_size, sha256 = _encrypt(plain)
    assert len(cipher) == stored_length
    assert got_size == size
    assert sha256 == hashlib.sha256(plain).hexdigest()
    assert _decrypt(cipher, size, sha256) == plain


def test_sha256_is_that_of_the_plaintext():
    _cipher, size, sha256 = _encrypt(b"abc")
    assert (size, sha256) == (
        3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


def test_the_file_starts_with_the_format_header():
    cipher, _size, _sha = _encrypt(b"abc")
    assert cipher[:16] == b"S2SE\x01\x10\x00\x00" + PREFIX


def test_the_plaintext_never_appears_in_the_stored_bytes():
    cipher, _size, _sha = _encrypt(_content(3 * FRAME_SIZE))
    for fragment in (b"H801200001001", b"Fairweather", b"<Pupil>", b"Surname"):
        assert fragment not in cipher


def test_the_same_content_encrypts_differently_under_another_key():
    one, _size, _sha = _encrypt(PUPIL)
    sink = io.BytesIO()
    crypto.encrypt_stream(
        source=io.BytesIO(PUPIL), sink=sink, data_key=crypto.data_key_new(), nonce_prefix=PREFIX
    )
    assert sink.getvalue()[16:] != one[16:]


def test_a_changed_byte_is_refused():
    plain = _content(2 * FRAME_SIZE + 100)
    cipher, size, sha256 = _encrypt(plain)
    tampered = bytearray(cipher)
    tampered[16 + FRAME_SIZE + 40] ^= 0x01  # inside frame 1
    with pytest.raises(StoredFileError, match="integrity check at frame 1"):
        _decrypt(bytes(tampered), size, sha256)


def test_a_changed_header_is_refused():
    cipher, size, sha256 = _encrypt(PUPIL)
    with pytest.raises(StoredFileError, match="not an s2s encrypted file"):
        _decrypt(b"XXXX" + cipher[4:], size, sha256)
    with pytest.raises(StoredFileError, match="format 2"):
        _decrypt(cipher[:4] + b"\x02" + cipher[5:], size, sha256)
    with pytest.raises(StoredFileError, match="does not belong to this record"):
        _decrypt(cipher[:8] + b"\x00" * 8 + cipher[16:], size, sha256)


def test_a_file_cut_at_a_frame_boundary_is_refused():
    plain = _content(3 * FRAME_SIZE + 5)
    cipher, size, sha256 = _encrypt(plain)
    cut = cipher[: 16 + 2 * (FRAME_SIZE + 16)]
    with pytest.raises(StoredFileError, match="cut short: it ends after frame 1"):
        _decrypt(cut, size, sha256)


def test_a_file_cut_inside_a_frame_is_refused():
    cipher, size, sha256 = _encrypt(_content(2 * FRAME_SIZE))
    with pytest.raises(StoredFileError, match="integrity check at frame 1"):
        _decrypt(cipher[:-100], size, sha256)


def test_a_file_cut_to_its_header_is_refused():
    cipher, size, sha256 = _encrypt(b"")
    with pytest.raises(StoredFileError, match="integrity check at frame 0"):
        _decrypt(cipher[:16], size, sha256)
    with pytest.raises(StoredFileError, match="too short"):
        _decrypt(cipher[:10], size, sha256)


def test_two_swapped_frames_are_refused():
    cipher, size, sha256 = _encrypt(_content(3 * FRAME_SIZE + 5))
    frames = _frames(cipher)
    swapped = cipher[:16] + frames[1] + frames[0] + b"".join(frames[2:])
    with pytest.raises(StoredFileError, match="integrity check at frame 0"):
        _decrypt(swapped, size, sha256)


def test_a_dropped_frame_is_refused():
    cipher, size, sha256 = _encrypt(_content(3 * FRAME_SIZE + 5))
    frames = _frames(cipher)
    dropped = cipher[:16] + frames[0] + b"".join(frames[2:])
    with pytest.raises(StoredFileError, match="integrity check at frame 1"):
        _decrypt(dropped, size, sha256)


def test_data_after_the_last_frame_is_refused():
    cipher, size, sha256 = _encrypt(_content(2 * FRAME_SIZE))
    frames = _frames(cipher)
    with pytest.raises(StoredFileError, match="data after its last frame"):
        _decrypt(cipher + frames[-1], size, sha256)


def test_the_wrong_data_key_is_refused():
    cipher, size, sha256 = _encrypt(PUPIL)
    with pytest.raises(StoredFileError, match="integrity check at frame 0"):
        _decrypt(cipher, size, sha256, data_key=bytes(32))


def test_a_sha256_mismatch_withholds_the_last_frame():
    plain = _content(2 * FRAME_SIZE + 10)
    cipher, size, _sha = _encrypt(plain)
    chunks = crypto.decrypt_stream(
        source=io.BytesIO(cipher), data_key=DATA_KEY, nonce_prefix=PREFIX, size=size,
        sha256="0" * 64,
    )
    received = []
    with pytest.raises(StoredFileError, match="SHA-256"):
        received.extend(chunks)
    assert b"".join(received) == plain[: 2 * FRAME_SIZE]


def test_a_size_mismatch_is_refused():
    cipher, size, sha256 = _encrypt(PUPIL)
    with pytest.raises(StoredFileError, match=f"holds {size} bytes, not the {size + 1}"):
        _decrypt(cipher, size + 1, sha256)


class _Zeros(io.RawIOBase):
    """A readable stream of `size` zero bytes that is never held in memory."""

    def __init__(self, size):
        self.left = size

    def readable(self):
        return True

    def readinto(self, buffer):
        count = min(len(buffer), self.left)
        buffer[:count] = bytes(count)
        self.left -= count
        return count


class _Discard(io.RawIOBase):
    def writable(self):
        return True

    def write(self, data):
        return len(data)


def test_200_mb_is_encrypted_and_decrypted_in_bounded_memory(tmp_path):
    size = 200 * 1024 * 1024
    target = tmp_path / "big.s2se"
    tracemalloc.start()
    try:
        with target.open("wb") as sink:
            got_size, sha256 = crypto.encrypt_stream(
                source=_Zeros(size), sink=sink, data_key=DATA_KEY, nonce_prefix=PREFIX
            )
        with target.open("rb") as source:
            out = _Discard()
            for chunk in crypto.decrypt_stream(
                source=source, data_key=DATA_KEY, nonce_prefix=PREFIX, size=size, sha256=sha256
            ):
                out.write(chunk)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert got_size == size
    assert sha256 == "72abf2ca8f36943ebe2e49ca3a51d409ca5f0bfcffab6c9d25643c17c32889da"
    assert peak < 2 * 1024 * 1024


def test_a_master_key_is_32_bytes_of_base64_and_has_an_id_derived_from_it():
    assert crypto.master_key_parse(encoded=KEY_A, setting="X").key_id == KEY_A_ID
    assert crypto.master_key_parse(encoded=KEY_B, setting="X").key_id == KEY_B_ID
    url_safe = KEY_B.replace("+", "-").replace("/", "_").rstrip("=")
    assert crypto.master_key_parse(encoded=url_safe, setting="X").key_id == KEY_B_ID


@pytest.mark.parametrize(
    ("encoded", "message"),
    [
        ("not base64!", "not valid base64"),
        ("c2hvcnQ=", "decodes to 5 bytes"),
        ("AAAAAAAAAAAAAAAAAAAAAA==", "decodes to 16 bytes"),
    ],
)
def test_a_malformed_master_key_says_what_is_wrong(encoded, message):
    with pytest.raises(ImproperlyConfigured, match=message) as caught:
        crypto.master_key_parse(encoded=encoded, setting="S2S_ENCRYPTION_KEY")
    assert "S2S_ENCRYPTION_KEY must be a base64-encoded 32-byte key" in str(caught.value)
    assert "os.urandom(32)" in str(caught.value)


def test_the_system_check_reports_a_malformed_key(settings):
    assert check_master_keys(None) == []
    settings.ENCRYPTION_OLD_KEYS = [KEY_B, "c2hvcnQ="]
    [error] = check_master_keys(None)
    assert error.id == "transfers.E001"
    assert "S2S_ENCRYPTION_OLD_KEYS (key 2)" in error.msg


def test_the_ring_holds_the_current_and_old_keys(settings):
    settings.ENCRYPTION_KEY = KEY_B
    settings.ENCRYPTION_OLD_KEYS = [KEY_A]
    assert crypto.master_key_current().key_id == KEY_B_ID
    assert set(crypto.master_key_ring()) == {KEY_A_ID, KEY_B_ID}


def test_a_data_key_unwraps_only_with_its_master_key(settings):
    master = crypto.master_key_current()
    wrapped = crypto.data_key_wrap(data_key=DATA_KEY, master=master)
    assert len(wrapped) == 40
    assert crypto.data_key_unwrap(wrapped=wrapped, key_id=KEY_A_ID) == DATA_KEY
    with pytest.raises(StoredFileError, match="the wrapped key was altered"):
        crypto.data_key_unwrap(wrapped=wrapped[:-1] + b"\x00", key_id=KEY_A_ID)
    settings.ENCRYPTION_OLD_KEYS = [KEY_B]
    with pytest.raises(StoredFileError, match="does not unwrap with master key b6f8954313447989"):
        crypto.data_key_unwrap(wrapped=wrapped, key_id=KEY_B_ID)
    settings.ENCRYPTION_KEY = KEY_B
    settings.ENCRYPTION_OLD_KEYS = []
    with pytest.raises(StoredFileError, match="master key d5b50071e2eec6e3, which is not config"):
        crypto.data_key_unwrap(wrapped=wrapped, key_id=KEY_A_ID)
