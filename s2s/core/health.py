"""Readiness: whether the database, the file store and the task queue answer, for `/readyz`.

Each check either returns or raises; the answer names what is down and nothing more (the
error itself goes to the log). The file store is asked in a thread with a short timeout, so a
store that hangs (an S3 endpoint that accepts and stalls) answers "down" instead of holding
the probe; a hung check keeps its thread until it returns, and at most `_STORE_THREADS` are
ever in use.
"""

import logging
import os
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

from django.core.files.storage import FileSystemStorage
from django.db import connection, transaction

from s2s.core.taskqueue import queue_check
from s2s.transfers.storage import file_storage

logger = logging.getLogger(__name__)

STORE_TIMEOUT = 2.0  # seconds
# A name never written: asking whether it exists costs one request (S3 HEAD) or one stat.
SENTINEL = "readyz-sentinel"
_STORE_THREADS = 2
_executor: ThreadPoolExecutor | None = None


def _database() -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _task_queue() -> None:
    queue_check()  # the database's task table, or Redis (core/taskqueue.py)


def _store_answers() -> None:
    storage = file_storage()
    storage.exists(SENTINEL)
    if isinstance(storage, FileSystemStorage):
        # Local disk: exists() never fails, so ask whether we could write there at all (the
        # directory, or before the first file its nearest existing parent, which
        # FileSystemStorage creates it under).
        probe = Path(storage.location)
        while not probe.exists() and probe != probe.parent:
            probe = probe.parent
        if not (probe.is_dir() and os.access(probe, os.W_OK | os.X_OK)):
            raise OSError("the file store's directory cannot be written")


def _file_store() -> None:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=_STORE_THREADS,
                                       thread_name_prefix="s2s-readyz")
    _executor.submit(_store_answers).result(timeout=STORE_TIMEOUT)


CHECKS = [("database", _database), ("file store", _file_store), ("task queue", _task_queue)]


def readiness_down() -> list[str]:
    """Return the names of the services this process needs that do not answer (empty: ready)."""
    down = []
    for name, check in CHECKS:
        try:
            check()
        except FutureTimeout:
            logger.warning("Readiness: the %s did not answer within %s s", name, STORE_TIMEOUT)
            down.append(name)
        except Exception:
            logger.warning("Readiness: the %s is down", name, exc_info=True)
            down.append(name)
    return down
