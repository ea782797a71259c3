"""Issue 18: rotating the master key while files are uploaded and downloaded loses nothing."""

import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection

from s2s.transfers.models import StoredFile, Transfer
from s2s.transfers.services import transfer_open_for_download, transfer_upload
from s2s.transfers.tests.conftest import KEY_A, KEY_B, KEY_B_ID
from s2s.transfers.tests.ctfs import ctf

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="concurrent writers need a server database"),
    pytest.mark.django_db(transaction=True),
]

BEFORE, UPLOADERS, EACH, DOWNLOADERS = 30, 2, 8, 2


def _name(n: int) -> str:
    return f"8383321_CTF_8384512_{n:03d}.XML"


def _send(user, n: int) -> tuple[int, bytes]:
    content = ctf("8383321", "8384512", pupils=1 + n % 3, seed=n)
    result = transfer_upload(user=user, name=_name(n), content=io.BytesIO(content))
    return result.transfer.pk, content


def _fetch(user, pk: int) -> bytes:
    _name, chunks = transfer_open_for_download(user=user, transfer=Transfer.objects.get(pk=pk))
    return b"".join(chunks)


def _in_thread(work, errors: list, start: threading.Barrier):
    def run(*args):
        try:
            start.wait()
            work(*args)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    return run


def test_rotation_during_uploads_and_downloads_leaves_every_file_whole(
    settings, sending_school_user, receiving_school_user
):
    sent = dict(_send(sending_school_user, n) for n in range(BEFORE))
    # The operator's step: the new key current, the old kept until rotation is done.
    settings.ENCRYPTION_KEY, settings.ENCRYPTION_OLD_KEYS = KEY_B, [KEY_A]
    start = threading.Barrier(UPLOADERS + DOWNLOADERS + 1)
    rotating = threading.Event()
    errors: list[BaseException] = []
    lock = threading.Lock()

    def uploads(first: int):
        for n in range(first, first + EACH):
            pk, content = _send(sending_school_user, n)
            with lock:
                sent[pk] = content

    def downloads(offset: int):
        rounds = 0
        while rotating.is_set() or rounds < 2:
            for pk in list(sent)[offset::DOWNLOADERS]:
                assert _fetch(receiving_school_user, pk) == sent[pk], pk
            rounds += 1

    threads = [threading.Thread(target=_in_thread(uploads, errors, start),
                                args=(BEFORE + k * EACH,)) for k in range(UPLOADERS)]
    threads += [threading.Thread(target=_in_thread(downloads, errors, start), args=(k,))
                for k in range(DOWNLOADERS)]
    rotating.set()
    for thread in threads:
        thread.start()
    start.wait()
    out = io.StringIO()
    call_command("rotate_master_key", stdout=out, stderr=out)
    rotating.clear()
    for thread in threads:
        thread.join()
    assert errors == []
    assert "0 could not be unwrapped" in out.getvalue()

    # Once the old key is retired, every file, old or sent meanwhile, reads back exactly.
    settings.ENCRYPTION_OLD_KEYS = []
    assert set(StoredFile.objects.values_list("key_id", flat=True)) == {KEY_B_ID}
    assert len(sent) == BEFORE + UPLOADERS * EACH == Transfer.objects.count()
    for pk, content in sent.items():
        assert _fetch(receiving_school_user, pk) == content
