"""The store fails, or the process dies between the store's write and the commit (issue 18).

Nothing half-written remains: a refused write leaves no object and no row; a process killed
after the write leaves an object no row refers to, which `s2s sweep_orphan_files` deletes once
it is older than its grace period (an hour), and not before.
"""

import io
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command

from s2s.accounts.models import ApiToken
from s2s.accounts.roles import Role
from s2s.api.tests.conftest import ApiClient
from s2s.transfers.models import StoredFile, Transfer
from s2s.transfers.tests.conftest import KEY_A, stored_objects
from s2s.transfers.tests.ctfs import ctf

pytestmark = pytest.mark.django_db(transaction=True)

NAME = "8383321_CTF_8384512_001.XML"
TWO_HOURS = 2 * 60 * 60


class HalfWritingStorage(FileSystemStorage):
    """A store that writes part of an object and then fails, as a full disk does."""

    def _save(self, name, content):
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.read(100))
        raise OSError(28, "No space left on device")


@pytest.fixture
def connector(make_user, sending_school, receiving_school):
    return make_user(Role.CONNECTOR, sending_school, username="8383321-mis")


def _sweep() -> str:
    out = io.StringIO()
    call_command("sweep_orphan_files", stdout=out)
    return out.getvalue()


def test_a_store_that_fails_mid_write_leaves_nothing_and_answers_retryably(
        settings, connector, file_store):
    settings.STORAGES = {**settings.STORAGES, "transfers": {
        "BACKEND": f"{__name__}.HalfWritingStorage", "OPTIONS": {"location": file_store}}}
    client = ApiClient(ApiToken.issue(connector)[1])
    response = client.upload(NAME, ctf("8383321", "8384512"))
    assert response.status_code == 503, response.content
    assert response["Retry-After"] == "5"
    assert response.json()["code"] == "storage_unavailable"
    assert "not sent" in response.json()["message"]
    assert stored_objects(file_store) == []
    assert not Transfer.objects.exists()
    assert not StoredFile.objects.exists()

    settings.STORAGES = {**settings.STORAGES, "transfers": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": file_store}}}
    assert client.upload(NAME, ctf("8383321", "8384512")).status_code == 201  # the retry


# Run in a child process: upload as the connector, and stop dead (a marker file says where)
# once the object is in the store and its rows written, before the transaction commits.
_CHILD = textwrap.dedent("""
    import io, sys, time, django
    django.setup()
    from s2s.accounts.models import User
    from s2s.transfers.services import upload
    from s2s.transfers.tests.ctfs import ctf

    def stop_here(*args, **kwargs):
        open(sys.argv[1], "w").close()
        time.sleep(600)  # SIGKILLed here: stored, not committed

    upload.transfer_notify_queue = stop_here  # the transaction's last step
    upload.transfer_upload(user=User.objects.get(username="8383321-mis"), name=sys.argv[2],
                           content=io.BytesIO(ctf("8383321", "8384512")))
""")


def test_a_process_killed_between_the_write_and_the_commit_leaves_an_orphan_the_sweep_deletes(
        settings, connector, tmp_path, database_url):
    data = tmp_path / "data"
    store = data / "files" / "transfers"
    settings.STORAGES = {**settings.STORAGES, "transfers": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": store}}}
    marker = tmp_path / "stored"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "s2s.settings", "DATABASE_URL": database_url,
           "S2S_DATA_DIR": str(data), "S2S_ENCRYPTION_KEY": KEY_A,
           "S2S_TASKS_BACKEND": "immediate"}
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(marker), NAME], env=env)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert child.poll() is None, "the upload process ended before the hook"
            assert time.monotonic() < deadline, "the upload process never reached the hook"
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait(30)

    [orphan] = stored_objects(store)  # the object was written...
    assert not Transfer.objects.exists()  # ...never recorded
    assert not StoredFile.objects.exists()
    assert "0 orphan objects deleted." in _sweep()  # within the grace period: kept
    assert stored_objects(store) == [orphan]
    past = time.time() - TWO_HOURS
    os.utime(store / orphan, (past, past))
    assert f"deleted {orphan}" in _sweep()
    assert stored_objects(store) == []
