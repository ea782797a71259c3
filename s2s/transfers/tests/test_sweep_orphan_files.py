"""`s2s sweep_orphan_files`: objects with no row, over an hour old, are deleted; nothing else."""

import io
import os
import time

import pytest
from django.core.management import call_command
from django.db import transaction

from s2s.transfers.storage import stored_file_write
from s2s.transfers.tests.conftest import stored_objects

TWO_HOURS = 2 * 60 * 60


class _RolledBack(Exception):
    pass


def _write_in_plain_atomic_then_fail(paths: list):
    with transaction.atomic():
        paths.append(stored_file_write(content=io.BytesIO(b"orphan"), name_hint="x").path)
        raise _RolledBack


def _orphan(location, *, age: int) -> str:
    """Store a file in a plain atomic block that rolls back: its object stays, with no row."""
    paths = []
    with pytest.raises(_RolledBack):
        _write_in_plain_atomic_then_fail(paths)
    [path] = paths
    past = time.time() - age
    os.utime(location / path, (past, past))
    return path


def _sweep(*args) -> str:
    out = io.StringIO()
    call_command("sweep_orphan_files", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def store(db, file_store):
    """An old orphan, a young orphan, an old file with its row, and a stranger's file."""
    old_orphan = _orphan(file_store, age=TWO_HOURS)
    young_orphan = _orphan(file_store, age=60)
    kept = stored_file_write(content=io.BytesIO(b"kept"), name_hint="y").path
    os.utime(file_store / kept, (time.time() - TWO_HOURS,) * 2)
    (file_store / "README").write_text("not ours")
    return {"old": old_orphan, "young": young_orphan, "kept": kept}


def test_old_orphans_are_deleted_and_nothing_else(store, file_store):
    output = _sweep()
    assert f"deleted {store['old']}" in output
    assert "1 orphan objects deleted." in output
    assert stored_objects(file_store) == sorted(["README", store["young"], store["kept"]])


def test_a_dry_run_lists_and_keeps(store, file_store):
    output = _sweep("--dry-run")
    assert f"would delete {store['old']}" in output
    assert "1 orphan objects would be deleted (dry run)." in output
    assert len(stored_objects(file_store)) == 4


def test_the_limit_caps_the_deletions(db, file_store):
    orphans = [_orphan(file_store, age=TWO_HOURS) for _ in range(3)]
    assert "2 orphan objects deleted." in _sweep("--limit", "2")
    assert len(stored_objects(file_store)) == 1
    assert "1 orphan objects deleted." in _sweep()
    assert set(orphans).isdisjoint(stored_objects(file_store))


def test_an_empty_store_sweeps_cleanly(db):
    assert "0 orphan objects deleted." in _sweep()
