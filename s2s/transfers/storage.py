"""The stored-file service: encrypted files written, read and deleted through Django's storage.

Objects go to the `"transfers"` storage of `settings.STORAGES` (local disk, or an S3-compatible
bucket) under random names such as `3f/3f9c...e1.s2se`: no file name, pupil data or date.
Each object is encrypted as `crypto.py` describes; its `StoredFile` row holds the wrapped key.

A write is all-or-nothing with the caller's transaction when it runs inside
`atomic_with_files()`: the object is written first, then its row; if the block fails (before
or at commit) the objects written inside it are deleted. Objects left behind anyway (a crash
between the two steps, a rollback outside `atomic_with_files`) have no row, and
`s2s sweep_orphan_files` deletes them once they are an hour old.
"""

import logging
import os
import re
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from typing import IO

from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from s2s.core.errors import ServiceError
from s2s.core.prepared import insert_new
from s2s.transfers import crypto
from s2s.transfers.crypto import StoredFileError
from s2s.transfers.models import StoredFile

logger = logging.getLogger(__name__)

STORAGE_ALIAS = "transfers"
# Ciphertext is staged here before the storage gets it, since some backends (S3) need a
# seekable file; up to 1 MiB stays in memory, more spills to a temporary file.
_SPOOL_MAX_MEMORY = 1 << 20
_DIRECTORY = re.compile(r"[0-9a-f]{2}")
_PATH = re.compile(r"([0-9a-f]{2})/\1[0-9a-f]{62}\.s2se")
# The paths written inside each open atomic_with_files() block, innermost last.
_written: ContextVar[list[str] | None] = ContextVar("s2s_transfers_written", default=None)

ORPHAN_MIN_AGE = timedelta(hours=1)


class LocalObjectStorage(FileSystemStorage):
    """Local disk for the encrypted objects: each written once, under a new random name.

    Django's `FileSystemStorage` looks for a free name first, makes the directory, locks
    the new file and sets its mode, each a system call, for names that can never clash: 256
    random bits, created exclusively (`O_EXCL`), so a clash would be refused, never written
    over. This one opens the file once with its mode (0600) and makes the directory only
    when the open finds none (0700; the umask may narrow both). Reading, listing and deleting are
    Django's.

    Each object is on disk before `_save` returns (fsync), so before the row that names it
    commits: PostgreSQL makes the row durable at its commit, and a power cut just after must
    not leave the row naming an object still in the page cache. A new directory is synced
    into its parent too; a new file's name is journalled with its own fsync on ext4 and XFS.
    """

    def __init__(self, *, file_permissions_mode: int = 0o600,
                 directory_permissions_mode: int = 0o700, **options):
        super().__init__(file_permissions_mode=file_permissions_mode,
                         directory_permissions_mode=directory_permissions_mode, **options)

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        """Return the name as it is: a random name is never taken (the open is exclusive)."""
        return name

    def _save(self, name: str, content: File) -> str:
        path = self.path(name)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        try:
            handle = os.open(path, flags, self.file_permissions_mode)
        except FileNotFoundError:  # the first object under this two-letter directory
            directory = os.path.dirname(path)
            os.makedirs(directory, mode=self.directory_permissions_mode, exist_ok=True)
            _directory_sync(os.path.dirname(directory))
            handle = os.open(path, flags, self.file_permissions_mode)
        with os.fdopen(handle, "wb") as out:
            for chunk in content.chunks():
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        return name


def _directory_sync(path: str) -> None:
    """Make the entries of the directory `path` durable (where the system allows it)."""
    try:
        handle = os.open(path, os.O_RDONLY)
    except OSError:
        return  # not openable as a file (Windows): nothing to sync
    try:
        os.fsync(handle)
    except OSError:
        pass  # some filesystems refuse fsync on a directory; the file's own fsync stands
    finally:
        os.close(handle)


class StorageUnavailable(ServiceError):
    """The store refused a write (full, down, unreachable): nothing was kept; try again later.

    A refusal like any other, so the page shows it on the form; the API answers it 503 with
    `Retry-After` (api/errors.py).
    """

    code = "storage_unavailable"


def file_storage() -> Storage:
    """Return the storage that holds the encrypted objects."""
    return storages[STORAGE_ALIAS]


def _path_new() -> str:
    token = secrets.token_hex(32)
    return f"{token[:2]}/{token}.s2se"


def _delete_quietly(storage: Storage, path: str) -> None:
    try:
        storage.delete(path)
    except Exception:
        # Never mask the error that brought us here; the sweep removes it later.
        logger.exception("Could not delete stored object %s; sweep_orphan_files will", path)


def _save(storage: Storage, ciphertext: IO[bytes]) -> str:
    path = _path_new()
    try:
        saved = storage.save(path, File(ciphertext))
    except BaseException as exc:
        _delete_quietly(storage, path)  # a partly written object
        if isinstance(exc, Exception):
            logger.error("The transfers storage refused a write: %s", exc)
            raise StorageUnavailable(
                _("The file could not be stored just now, so it was not sent. Try again in a "
                  "few minutes."), code=StorageUnavailable.code, field="file") from exc
        raise
    pending = _written.get()
    if pending is not None:
        pending.append(saved)
    return saved


def stored_file_new(*, content: IO[bytes], name_hint: str,
                    sha256: str | None = None) -> StoredFile:
    """Encrypt `content` (read to its end) into the storage; return its record, not yet written.

    For a caller that writes the record with its own rows in one statement (the upload:
    `core.prepared.insert_new_linked`) inside `atomic_with_files()`, which removes the object
    if the block fails. `name_hint` and `sha256` are `stored_file_write`'s.
    """
    master = crypto.master_key_current()
    data_key = crypto.data_key_new()
    nonce_prefix = crypto.nonce_prefix_new()
    storage = file_storage()
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_MAX_MEMORY) as spool:
        size, sha256 = crypto.encrypt_stream(
            source=content, sink=spool, data_key=data_key, nonce_prefix=nonce_prefix,
            sha256=sha256,
        )
        spool.seek(0)
        path = _save(storage, spool)
    logger.info("Stored %s (%s bytes)", name_hint, size)
    return StoredFile(
        path=path,
        wrapped_key=crypto.data_key_wrap(data_key=data_key, master=master),
        key_id=master.key_id,
        nonce_prefix=nonce_prefix,
        size=size,
        sha256=sha256,
    )


def stored_file_write(*, content: IO[bytes], name_hint: str,
                      sha256: str | None = None) -> StoredFile:
    """Encrypt `content` (read to its end) into the storage, record it and return the record.

    `name_hint` (the uploaded file's name) only goes in the log, never in the path. `sha256`
    is the content's, when the caller has just hashed these very bytes (the upload's spool);
    else it is hashed here. Call this inside `atomic_with_files()`, so a rollback removes the
    object along with its row.
    """
    stored = stored_file_new(content=content, name_hint=name_hint, sha256=sha256)
    try:
        insert_new(stored)
    except BaseException:
        _delete_quietly(file_storage(), stored.path)
        raise
    return stored


@contextmanager
def atomic_with_files(*, single_statement: bool = False) -> Iterator[None]:
    """Run the block in `transaction.atomic()`; if it fails, delete the objects it stored.

    Nested blocks hand their objects to the enclosing one when they succeed, so a failure
    further out removes them too. Django has no rollback hook: an object stored in a plain
    `atomic()` savepoint that is rolled back while this block goes on to commit is not removed
    here, but left to `sweep_orphan_files`.

    `single_statement`: the block writes to the database once, with one statement that is
    all-or-nothing by itself (`core.prepared.insert_new_linked`), as its last step. Then no
    transaction is opened (outside one, the statement commits alone: two round trips fewer,
    BEGIN and COMMIT); the objects are still deleted if the block fails, which it can only do
    before or at that statement.

    A connection lost at the commit (or at the single statement) leaves its outcome unknown:
    the database may have made it durable just before it cut the session (a restart), and
    deleting the objects then would leave rows without their files. So they are kept, and
    `sweep_orphan_files` removes those whose rows never arrived.
    """
    outer = _written.get()
    written: list[str] = []
    token = _written.set(written)
    committing = single_statement
    try:
        if single_statement:
            yield
        else:
            with transaction.atomic():
                yield
                committing = True  # the block is done: what fails from here is the commit
    except BaseException as error:
        if committing and isinstance(error, OperationalError | InterfaceError):
            logger.warning("A commit's outcome is unknown (%s): %s stored objects left to "
                           "sweep_orphan_files", error, len(written))
            raise
        storage = file_storage()
        for path in written:
            _delete_quietly(storage, path)
        raise
    finally:
        _written.reset(token)
    if outer is not None:
        outer.extend(written)


class StoredFileReader:
    """An iterator of verified plaintext chunks that closes its stored object when done."""

    def __init__(self, *, handle: File, chunks: Iterator[bytes], stored: StoredFile):
        self._handle = handle
        self._chunks = chunks
        self._stored = stored

    def __iter__(self):
        return self

    def __next__(self) -> bytes:
        try:
            return next(self._chunks)
        except StopIteration:
            self.close()
            raise
        except StoredFileError as exc:
            logger.error("Stored file %s is unreadable: %s", self._stored.pk, exc.message)
            self.close()
            raise

    def close(self) -> None:
        """Stop reading and close the stored object (streaming responses call this)."""
        self._chunks.close()
        self._handle.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def stored_file_open(stored: StoredFile) -> StoredFileReader:
    """Return the file's plaintext as an iterator of chunks, each verified before it is given.

    Every 64 KiB frame is checked against its authentication tag before it is yielded, and the
    last one is held back until the whole content has matched the recorded size and SHA-256.
    Any failure raises `StoredFileError`: the reader has then had only verified frames and no
    ending, and a streamed download must be left broken rather than closed as complete.
    """
    data_key = crypto.data_key_unwrap(wrapped=stored.wrapped_key, key_id=stored.key_id)
    try:
        handle = file_storage().open(stored.path, "rb")
    except FileNotFoundError:
        logger.error("Stored file %s has no object at %s", stored.pk, stored.path)
        raise StoredFileError("The stored copy of this file is missing.") from None
    try:
        chunks = crypto.decrypt_stream(
            source=handle, data_key=data_key, nonce_prefix=bytes(stored.nonce_prefix),
            size=stored.size, sha256=stored.sha256,
        )
    except BaseException:
        handle.close()
        raise
    return StoredFileReader(handle=handle, chunks=chunks, stored=stored)


def stored_file_delete(stored: StoredFile) -> None:
    """Delete the record now and its object once the transaction commits.

    A rollback keeps both; an object left behind by a crash after the commit is an orphan
    that `sweep_orphan_files` removes.
    """
    storage = file_storage()
    path = stored.path
    stored.delete()
    transaction.on_commit(lambda: _delete_quietly(storage, path))


def stored_file_rewrap(
    *, stored: StoredFile, master: crypto.MasterKey, dry_run: bool = False
) -> bool:
    """Wrap the file's data key with `master` instead; return whether it needed doing.

    The content is not re-encrypted. Raises `StoredFileError` if the old key is missing.
    """
    if stored.key_id == master.key_id:
        return False
    data_key = crypto.data_key_unwrap(wrapped=stored.wrapped_key, key_id=stored.key_id)
    if dry_run:
        return True
    wrapped = crypto.data_key_wrap(data_key=data_key, master=master)
    # Conditional, so two runs at once cannot both count (or undo) the same file.
    return (
        StoredFile.objects.filter(pk=stored.pk, key_id=stored.key_id).update(
            wrapped_key=wrapped, key_id=master.key_id
        )
        == 1
    )


def _stored_paths(storage: Storage) -> Iterator[str]:
    """Yield the storage's object paths that have the form this module gives them."""
    try:
        directories, _files = storage.listdir("")
    except FileNotFoundError:
        return  # nothing stored yet
    for directory in sorted(directories):
        if not _DIRECTORY.fullmatch(directory):
            continue
        _subdirectories, files = storage.listdir(directory)
        for name in sorted(files):
            path = f"{directory}/{name}"
            if _PATH.fullmatch(path):
                yield path


def _batches(paths: Iterator[str], size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for path in paths:
        batch.append(path)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def orphan_paths(*, min_age: timedelta = ORPHAN_MIN_AGE) -> Iterator[str]:
    """Yield the stored objects that have no row and are older than `min_age`.

    The age keeps a write whose row is not yet committed safe from the sweep.
    """
    storage = file_storage()
    cutoff = timezone.now() - min_age
    for batch in _batches(_stored_paths(storage), 500):
        known = set(StoredFile.objects.filter(path__in=batch).values_list("path", flat=True))
        for path in batch:
            if path in known:
                continue
            try:
                modified = storage.get_modified_time(path)
            except FileNotFoundError:
                continue  # deleted while we looked
            if modified < cutoff:
                yield path


def orphan_delete(*, path: str) -> bool:
    """Delete one orphan object, unless a row for it has appeared; return whether it went."""
    if StoredFile.objects.filter(path=path).exists():
        return False
    file_storage().delete(path)
    logger.info("Deleted orphan stored object %s", path)
    return True
