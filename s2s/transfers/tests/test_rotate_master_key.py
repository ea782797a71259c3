"""`s2s rotate_master_key`: re-wrap every file's key under the new master key, once."""

import io

import pytest
from django.core.management import CommandError, call_command

from s2s.transfers.models import StoredFile
from s2s.transfers.storage import stored_file_open, stored_file_write
from s2s.transfers.tests.conftest import KEY_A, KEY_A_ID, KEY_B, KEY_B_ID


def _rotate(*args) -> str:
    out = io.StringIO()
    call_command("rotate_master_key", *args, stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture
def three_files(db):
    return [
        stored_file_write(content=io.BytesIO(f"file {n}".encode()), name_hint=f"f{n}")
        for n in range(3)
    ]


@pytest.fixture
def new_key(settings, three_files):
    """The operator's step before rotating: the new key current, the old one kept."""
    settings.ENCRYPTION_KEY = KEY_B
    settings.ENCRYPTION_OLD_KEYS = [KEY_A]


def _key_ids():
    return list(StoredFile.objects.order_by("pk").values_list("key_id", flat=True))


def test_rotation_rewraps_every_file_which_then_reads_with_only_the_new_key(
    settings, three_files, new_key
):
    before = {s.pk: bytes(s.wrapped_key) for s in three_files}
    output = _rotate()
    assert "Current master key b6f8954313447989: 0 files already use it, 3 to re-wrap." in output
    assert "Re-wrapped 3 files; 0 changed meanwhile; 0 could not be unwrapped." in output
    assert _key_ids() == [KEY_B_ID] * 3
    settings.ENCRYPTION_OLD_KEYS = []
    for n, stored in enumerate(StoredFile.objects.order_by("pk")):
        assert bytes(stored.wrapped_key) != before[stored.pk]
        assert b"".join(stored_file_open(stored)) == f"file {n}".encode()


def test_rotation_is_idempotent(new_key):
    _rotate()
    output = _rotate()
    assert "3 files already use it, 0 to re-wrap." in output
    assert "Re-wrapped 0 files" in output


def test_a_dry_run_changes_nothing(new_key):
    output = _rotate("--dry-run")
    assert "Would re-wrap 3 files" in output
    assert _key_ids() == [KEY_A_ID] * 3


def test_the_limit_caps_the_files_rewrapped(new_key):
    output = _rotate("--limit", "2")
    assert "2 to re-wrap" in output
    assert "2 of 2 files" in output
    assert _key_ids() == [KEY_B_ID, KEY_B_ID, KEY_A_ID]
    assert "1 to re-wrap" in _rotate()
    assert _key_ids() == [KEY_B_ID] * 3


def test_files_whose_old_key_is_missing_are_reported_and_kept(settings, three_files):
    settings.ENCRYPTION_KEY = KEY_B
    out = io.StringIO()
    with pytest.raises(CommandError, match="could not be unwrapped"):
        call_command("rotate_master_key", stdout=out, stderr=out)
    assert "master key d5b50071e2eec6e3, which is not configured" in out.getvalue()
    assert "Re-wrapped 0 files; 0 changed meanwhile; 3 could not be unwrapped." in out.getvalue()
    assert _key_ids() == [KEY_A_ID] * 3
