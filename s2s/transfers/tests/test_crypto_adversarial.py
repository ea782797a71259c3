"""The stored-file format under attack: each damaged part gives back none of its plaintext.

A file of four frames (three full, one short) is written through the store, then its object or
its row is damaged one way at a time and read back chunk by chunk, as a download streams it.
The reader may give out only the frames before the damaged one, each verified, and then must
raise `StoredFileError`; the last frame is never given out unless the whole file is intact.
"""

import io

import pytest

from s2s.transfers import crypto
from s2s.transfers.crypto import FRAME_SIZE, HEADER_SIZE, TAG_SIZE, StoredFileError
from s2s.transfers.models import StoredFile
from s2s.transfers.storage import stored_file_open, stored_file_write
from s2s.transfers.tests.conftest import KEY_A, KEY_B, KEY_B_ID

BLOCK = FRAME_SIZE + TAG_SIZE
FRAMES = 4
PUPIL = b"<Pupil><UPN>H801200001001</UPN><Surname>Fairweather</Surname></Pupil>\n"
# Three full frames and a short last one; every frame's text differs from its neighbours'.
PLAIN = b"".join(
    (b"frame %d " % n + PUPIL * (FRAME_SIZE // len(PUPIL) + 1))[:FRAME_SIZE] for n in range(3)
) + b"the last frame " + PUPIL


def _frame(n: int) -> bytes:
    return PLAIN[n * FRAME_SIZE:(n + 1) * FRAME_SIZE]


@pytest.fixture
def stored(db):
    return stored_file_write(content=io.BytesIO(PLAIN), name_hint="8383321_CTF_8384512_001.XML")


def _object(file_store, stored: StoredFile) -> bytes:
    return (file_store / stored.path).read_bytes()


def _replace_object(file_store, stored: StoredFile, content: bytes) -> None:
    (file_store / stored.path).write_bytes(content)


def _blocks(cipher: bytes) -> list[bytes]:
    body = cipher[HEADER_SIZE:]
    return [body[i:i + BLOCK] for i in range(0, len(body), BLOCK)]


def _flip(data: bytes, position: int) -> bytes:
    damaged = bytearray(data)
    damaged[position] ^= 0x04
    return bytes(damaged)


def _read_into(given: list, stored: StoredFile) -> None:
    with stored_file_open(StoredFile.objects.get(pk=stored.pk)) as chunks:
        for chunk in chunks:
            given.append(chunk)


def _given_out(stored: StoredFile) -> tuple[bytes, StoredFileError]:
    """Read the file as a download does; return the plaintext given out before the refusal."""
    given = []
    with pytest.raises(StoredFileError) as refused:
        _read_into(given, stored)
    return b"".join(given), refused.value


def test_the_undamaged_file_reads_back_whole(stored):
    with stored_file_open(stored) as chunks:
        assert b"".join(chunks) == PLAIN
    assert len(PLAIN) == 3 * FRAME_SIZE + len(b"the last frame ") + len(PUPIL)


# --- the header: magic, version, frame size, reserved, nonce prefix ---------------------------

@pytest.mark.parametrize("position", range(HEADER_SIZE))
def test_a_bit_flipped_in_the_header_gives_out_nothing(stored, file_store, position):
    cipher = _object(file_store, stored)
    _replace_object(file_store, stored, _flip(cipher, position))
    given, _error = _given_out(stored)
    assert given == b""


def test_a_header_nonce_prefix_changed_with_its_record_gives_out_nothing(stored, file_store):
    # Someone who can write both the object and the row still cannot move the frames' nonces.
    cipher = _object(file_store, stored)
    _replace_object(file_store, stored, _flip(cipher, HEADER_SIZE - 1))
    StoredFile.objects.filter(pk=stored.pk).update(
        nonce_prefix=_flip(bytes(stored.nonce_prefix), crypto.NONCE_PREFIX_SIZE - 1))
    given, error = _given_out(stored)
    assert given == b""
    assert "integrity check at frame 0" in error.message


# --- the row: wrapped data key, master key id, nonce prefix -----------------------------------

@pytest.mark.parametrize("position", range(crypto.WRAPPED_KEY_SIZE))
def test_a_bit_flipped_in_the_wrapped_key_gives_out_nothing(stored, position):
    StoredFile.objects.filter(pk=stored.pk).update(
        wrapped_key=_flip(bytes(stored.wrapped_key), position))
    given, error = _given_out(stored)
    assert given == b""
    assert "the wrapped key was altered" in error.message


@pytest.mark.parametrize("position", range(crypto.NONCE_PREFIX_SIZE))
def test_a_bit_flipped_in_the_recorded_nonce_prefix_gives_out_nothing(stored, position):
    StoredFile.objects.filter(pk=stored.pk).update(
        nonce_prefix=_flip(bytes(stored.nonce_prefix), position))
    given, error = _given_out(stored)
    assert given == b""
    assert "does not belong to this record" in error.message


def test_a_data_key_wrapped_by_another_master_key_gives_out_nothing(stored, settings):
    # The key is genuine but wrapped by key B, while the row says key A (the current one).
    data_key = crypto.data_key_unwrap(wrapped=bytes(stored.wrapped_key), key_id=stored.key_id)
    other = crypto.master_key_parse(encoded=KEY_B, setting="test")
    settings.ENCRYPTION_OLD_KEYS = [KEY_B]
    StoredFile.objects.filter(pk=stored.pk).update(
        wrapped_key=crypto.data_key_wrap(data_key=data_key, master=other))
    given, error = _given_out(stored)
    assert given == b""
    assert "does not unwrap with master key" in error.message


def test_a_row_naming_another_master_key_gives_out_nothing(stored, settings):
    settings.ENCRYPTION_KEY = KEY_B
    settings.ENCRYPTION_OLD_KEYS = [KEY_A]
    StoredFile.objects.filter(pk=stored.pk).update(key_id=KEY_B_ID)
    given, error = _given_out(stored)
    assert given == b""
    assert f"does not unwrap with master key {KEY_B_ID}" in error.message


def test_another_files_object_under_this_row_gives_out_nothing(stored, file_store):
    other = stored_file_write(content=io.BytesIO(PLAIN), name_hint="8383321_CTF_8384512_002.XML")
    _replace_object(file_store, stored, _object(file_store, other))
    given, error = _given_out(stored)
    assert given == b""
    assert "does not belong to this record" in error.message


# --- the frames: each frame's ciphertext and tag ----------------------------------------------

@pytest.mark.parametrize("frame", range(FRAMES))
@pytest.mark.parametrize("where", ["first byte", "middle", "last ciphertext byte",
                                   "first tag byte", "last tag byte"])
def test_a_bit_flipped_in_a_frame_gives_out_only_the_frames_before_it(
        stored, file_store, frame, where):
    cipher = _object(file_store, stored)
    start = HEADER_SIZE + frame * BLOCK
    length = len(_blocks(cipher)[frame])
    offset = {"first byte": 0, "middle": (length - TAG_SIZE) // 2,
              "last ciphertext byte": length - TAG_SIZE - 1, "first tag byte": length - TAG_SIZE,
              "last tag byte": length - 1}[where]
    _replace_object(file_store, stored, _flip(cipher, start + offset))
    given, error = _given_out(stored)
    assert given == PLAIN[:frame * FRAME_SIZE]
    assert f"frame {frame}" in error.message


@pytest.mark.parametrize("frame", range(FRAMES - 1))  # the last: see "cut off whole" below
def test_a_dropped_frame_gives_out_only_the_frames_before_it(stored, file_store, frame):
    cipher = _object(file_store, stored)
    blocks = _blocks(cipher)
    del blocks[frame]
    _replace_object(file_store, stored, cipher[:HEADER_SIZE] + b"".join(blocks))
    given, _error = _given_out(stored)
    assert given == PLAIN[:frame * FRAME_SIZE]


@pytest.mark.parametrize(("one", "other"), [(0, 1), (1, 2), (0, 2), (2, 3)])
def test_two_swapped_frames_give_out_only_the_frames_before_them(stored, file_store, one, other):
    cipher = _object(file_store, stored)
    blocks = _blocks(cipher)
    blocks[one], blocks[other] = blocks[other], blocks[one]
    _replace_object(file_store, stored, cipher[:HEADER_SIZE] + b"".join(blocks))
    given, error = _given_out(stored)
    assert given == PLAIN[:one * FRAME_SIZE]
    assert f"frame {one}" in error.message


def test_a_repeated_frame_gives_out_only_the_frames_before_it(stored, file_store):
    cipher = _object(file_store, stored)
    blocks = _blocks(cipher)
    blocks.insert(1, blocks[0])
    _replace_object(file_store, stored, cipher[:HEADER_SIZE] + b"".join(blocks))
    given, _error = _given_out(stored)
    assert given == _frame(0)


def test_a_frame_from_another_file_gives_out_only_the_frames_before_it(stored, file_store):
    # Same content, same position, but another file's key and nonces.
    other = stored_file_write(content=io.BytesIO(PLAIN), name_hint="8383321_CTF_8384512_002.XML")
    cipher = _object(file_store, stored)
    blocks = _blocks(cipher)
    blocks[1] = _blocks(_object(file_store, other))[1]
    _replace_object(file_store, stored, cipher[:HEADER_SIZE] + b"".join(blocks))
    given, _error = _given_out(stored)
    assert given == _frame(0)


# --- the end: cut, or added to ----------------------------------------------------------------

def test_the_last_frame_cut_off_whole_gives_out_only_the_frames_before_it(stored, file_store):
    cipher = _object(file_store, stored)
    last = len(_blocks(cipher)[-1])
    _replace_object(file_store, stored, cipher[:-last])
    given, error = _given_out(stored)
    # Frame 2 now ends the file, but it was not sealed as the last: it is refused too.
    assert given == PLAIN[:2 * FRAME_SIZE]
    assert "cut short: it ends after frame 2" in error.message


@pytest.mark.parametrize("cut", [1, TAG_SIZE, TAG_SIZE + 1, 40])
def test_the_last_frame_cut_short_gives_out_only_the_frames_before_it(stored, file_store, cut):
    cipher = _object(file_store, stored)
    _replace_object(file_store, stored, cipher[:-cut])
    given, _error = _given_out(stored)
    assert given == PLAIN[:3 * FRAME_SIZE]


@pytest.mark.parametrize("cut", [1, TAG_SIZE, BLOCK - 1])
def test_a_middle_frame_cut_short_gives_out_only_the_frames_before_it(stored, file_store, cut):
    cipher = _object(file_store, stored)
    end = HEADER_SIZE + 2 * BLOCK
    _replace_object(file_store, stored, cipher[:end - cut])
    given, _error = _given_out(stored)
    assert given == PLAIN[:FRAME_SIZE]


@pytest.mark.parametrize("extra", [b"\x00", b"x" * TAG_SIZE, b"y" * BLOCK])
def test_data_after_a_short_last_frame_withholds_the_last_frame(stored, file_store, extra):
    # Frames are read a whole block at a time, so the extra bytes join the last frame's block.
    cipher = _object(file_store, stored)
    _replace_object(file_store, stored, cipher + extra)
    given, error = _given_out(stored)
    assert given == PLAIN[:3 * FRAME_SIZE]
    assert "frame 3" in error.message


def test_data_after_a_full_last_frame_withholds_the_last_frame(db, file_store):
    plain = PLAIN[:2 * FRAME_SIZE]
    stored = stored_file_write(content=io.BytesIO(plain), name_hint="8383321_CTF_8384512_003.XML")
    cipher = _object(file_store, stored)
    _replace_object(file_store, stored, cipher + b"\x00")
    given, error = _given_out(stored)
    assert given == plain[:FRAME_SIZE]
    assert "data after its last frame" in error.message
