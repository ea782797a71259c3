"""The stored-file service: writes through the storage, verified reads, all-or-nothing writes."""

import io
import os
import re
from datetime import timedelta

import pytest
from django.core.files import File
from django.db import DatabaseError, OperationalError, connection, transaction

from s2s.transfers.crypto import FRAME_SIZE, StoredFileError
from s2s.transfers.models import StoredFile
from s2s.transfers.storage import (
    atomic_with_files,
    file_storage,
    orphan_paths,
    stored_file_delete,
    stored_file_open,
    stored_file_write,
)
from s2s.transfers.tests.conftest import KEY_A_ID, KEY_B, stored_objects

NAME = "8383321_CTF_8384512_001.XML"
CTF = (
    b'<?xml version="1.0" encoding="UTF-8"?><CTfile><Header><DocumentName>Common Transfer File'
    b"</DocumentName></Header><CTFpupilData><Pupil><UPN>H801200001001</UPN>"
    b"<Surname>Fairweather</Surname><Forename>Bathsheba</Forename></Pupil></CTFpupilData>"
    b"</CTfile>"
)


def _write(content: bytes) -> StoredFile:
    return stored_file_write(content=io.BytesIO(content), name_hint=NAME)


def _read(stored: StoredFile) -> bytes:
    with stored_file_open(stored) as chunks:
        return b"".join(chunks)


class _FailAfter(Exception):
    """The failure a test injects after the storage write."""


def _write_then_fail(file_store, seen: list):
    with atomic_with_files():
        _write(CTF)
        seen.extend(stored_objects(file_store))
        raise _FailAfter


def _write_in_inner_block_then_fail():
    with atomic_with_files():
        with atomic_with_files():
            _write(CTF)
        _write(b"second")
        raise _FailAfter


def _delete_then_fail(stored):
    with transaction.atomic():
        stored_file_delete(stored)
        raise _FailAfter


@pytest.mark.parametrize("size", [0, 1, FRAME_SIZE, 3 * FRAME_SIZE + 7])
def test_a_written_file_reads_back_whole(db, size):
    content = (CTF * (size // len(CTF) + 1))[:size]
    stored = _write(content)
    stored.refresh_from_db()
    assert stored.size == size
    assert _read(stored) == content


def test_the_record_holds_the_key_wrapped_and_the_plaintext_digest(db):
    stored = _write(b"abc")
    stored.refresh_from_db()
    assert stored.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert stored.key_id == KEY_A_ID
    assert len(bytes(stored.wrapped_key)) == 40
    assert len(bytes(stored.nonce_prefix)) == 8


def test_the_path_is_random_and_carries_no_name(db, file_store):
    one, two = _write(CTF), _write(CTF)
    for stored in (one, two):
        assert re.fullmatch(r"([0-9a-f]{2})/\1[0-9a-f]{62}\.s2se", stored.path)
        assert "8383321" not in stored.path
    assert one.path != two.path
    assert stored_objects(file_store) == sorted([one.path, two.path])


def test_an_object_is_readable_by_the_service_alone(db, file_store):
    stored = _write(CTF)
    assert (file_store / stored.path).stat().st_mode & 0o777 == 0o600
    assert (file_store / stored.path).parent.stat().st_mode & 0o777 == 0o700


def test_an_object_is_on_disk_before_its_row_can_commit(db, file_store, monkeypatch):
    # Each object, and a directory made for it, is synced before the write returns, so a
    # power cut after the row's commit cannot leave the row without its content.
    synced, real_fsync = [], os.fsync

    def fsync(handle):
        synced.append(os.readlink(f"/proc/self/fd/{handle}"))
        return real_fsync(handle)

    monkeypatch.setattr(os, "fsync", fsync)
    stored = _write(CTF)
    path = str(file_store / stored.path)
    assert path in synced
    assert str(file_store) in synced  # its new two-letter directory, in the store's root
    assert synced.index(str(file_store)) < synced.index(path)


def test_an_object_is_never_written_over(db, file_store):
    stored = _write(CTF)
    before = (file_store / stored.path).read_bytes()
    with pytest.raises(FileExistsError):
        file_storage()._save(stored.path, File(io.BytesIO(b"other bytes")))
    assert (file_store / stored.path).read_bytes() == before


def test_the_stored_object_holds_no_plaintext(db, file_store):
    stored = _write(CTF * 2000)
    raw = (file_store / stored.path).read_bytes()
    assert raw.startswith(b"S2SE\x01")
    for fragment in (b"H801200001001", b"Fairweather", b"Bathsheba", b"CTfile"):
        assert fragment not in raw


def test_a_tampered_object_is_refused_before_its_end_is_given_out(db, file_store):
    content = (CTF * 600)[: 2 * FRAME_SIZE + 100]  # three frames
    stored = _write(content)
    target = file_store / stored.path
    raw = bytearray(target.read_bytes())
    raw[-5] ^= 0x80  # inside the tag of the last frame
    target.write_bytes(bytes(raw))
    received = []
    with pytest.raises(StoredFileError, match="integrity check at frame 2"):
        received.extend(stored_file_open(stored))
    assert b"".join(received) == content[: 2 * FRAME_SIZE]


def test_a_download_is_checked_against_the_recorded_sha256(db):
    stored = _write(CTF)
    StoredFile.objects.filter(pk=stored.pk).update(sha256="0" * 64)
    stored.refresh_from_db()
    with pytest.raises(StoredFileError, match="does not match the SHA-256"):
        _read(stored)


def test_another_files_object_is_refused(db):
    one, two = _write(CTF), _write(b"other")
    one.path = two.path  # the row of one, pointing at the object of two
    with pytest.raises(StoredFileError, match="does not belong to this record"):
        _read(one)


def test_a_missing_object_is_refused(db, file_store):
    stored = _write(CTF)
    (file_store / stored.path).unlink()
    with pytest.raises(StoredFileError, match="stored copy of this file is missing"):
        stored_file_open(stored)


def test_a_file_cannot_be_read_without_its_master_key(db, settings):
    stored = _write(CTF)
    settings.ENCRYPTION_KEY = KEY_B
    with pytest.raises(StoredFileError, match="not configured"):
        stored_file_open(stored)


def test_reading_closes_the_stored_object(db):
    stored = _write(CTF)
    reader = stored_file_open(stored)
    assert b"".join(reader) == CTF
    assert reader._handle.closed


def test_a_failure_after_the_storage_write_leaves_no_file_and_no_row(db, file_store):
    seen = []
    with pytest.raises(_FailAfter):
        _write_then_fail(file_store, seen)
    assert len(seen) == 1
    assert stored_objects(file_store) == []
    assert not StoredFile.objects.exists()


def test_an_outer_failure_removes_the_files_of_a_finished_inner_block(db, file_store):
    with pytest.raises(_FailAfter):
        _write_in_inner_block_then_fail()
    assert stored_objects(file_store) == []
    assert not StoredFile.objects.exists()


def test_an_inner_failure_removes_only_its_own_files(db, file_store):
    with atomic_with_files():
        kept = _write(CTF)
        seen = []
        with pytest.raises(_FailAfter):
            _write_then_fail(file_store, seen)
        assert len(seen) == 2
    assert stored_objects(file_store) == [kept.path]
    assert list(StoredFile.objects.all()) == [kept]


def test_a_failure_creating_the_row_removes_the_object(db, file_store):
    def fail(execute, sql, params, many, context):
        if sql.startswith(f'INSERT INTO "{StoredFile._meta.db_table}"'):
            raise DatabaseError("injected")
        return execute(sql, params, many, context)

    with pytest.raises(DatabaseError, match="injected"), connection.execute_wrapper(fail):
        _write(CTF)
    assert stored_objects(file_store) == []


def test_a_failure_at_commit_leaves_no_file_and_no_row(transactional_db, file_store, monkeypatch):
    def fail_commit():
        raise DatabaseError("injected commit failure")

    monkeypatch.setattr(connection, "commit", fail_commit)
    with pytest.raises(DatabaseError, match="injected commit failure"), atomic_with_files():
        _write(CTF)
    monkeypatch.undo()
    assert stored_objects(file_store) == []
    assert not StoredFile.objects.exists()


def test_a_connection_lost_at_commit_keeps_the_object_for_the_sweep(
        transactional_db, file_store, monkeypatch):
    # The commit may have become durable before the session was cut: deleting the object
    # could leave a row without its file; the sweep removes it if the row never came.
    def lose_connection():
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(connection, "commit", lose_connection)
    with pytest.raises(OperationalError), atomic_with_files():
        stored = _write(CTF)
    monkeypatch.undo()
    assert stored_objects(file_store) == [stored.path]
    assert not StoredFile.objects.exists()  # this time it had not committed
    assert list(orphan_paths(min_age=timedelta(0))) == [stored.path]


def _write_then_lose_connection() -> None:
    with atomic_with_files():
        _write(CTF)
        raise OperationalError("server closed the connection unexpectedly")


def test_a_connection_lost_inside_the_block_removes_the_object(db, file_store):
    # Before the commit, the transaction is surely rolled back.
    with pytest.raises(OperationalError):
        _write_then_lose_connection()
    assert stored_objects(file_store) == []


def test_a_committed_write_keeps_its_file_and_row(transactional_db, file_store):
    with atomic_with_files():
        stored = _write(CTF)
    assert stored_objects(file_store) == [stored.path]
    assert _read(StoredFile.objects.get()) == CTF


def test_deleting_removes_the_row_then_the_object_on_commit(
    db, file_store, django_capture_on_commit_callbacks
):
    stored = _write(CTF)
    with django_capture_on_commit_callbacks(execute=True):
        stored_file_delete(stored)
        assert len(stored_objects(file_store)) == 1
    assert stored_objects(file_store) == []
    assert not StoredFile.objects.exists()


def test_a_rolled_back_delete_keeps_the_row_and_the_object(
    db, file_store, django_capture_on_commit_callbacks
):
    stored = _write(CTF)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(_FailAfter):
            _delete_then_fail(stored)
    assert callbacks == []
    assert stored_objects(file_store) == [stored.path]
    assert _read(StoredFile.objects.get()) == CTF
