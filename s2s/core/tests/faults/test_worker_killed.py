"""A worker is killed mid-task (issue 18, faults): the task runs again, its effect happens once.

A `s2s db_worker` process takes an upload's notification task and is SIGKILLed while the task
is at work (a hook blocks it after it has written the emails, before its commit). The task is
left RUNNING; `s2s requeue_stale_tasks` queues it again once it is stale, not before; another
worker runs it; the emails exist once each.
"""

import io
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from s2s.core.models import OutboundEmail
from s2s.transfers.tests.conftest import KEY_A
from s2s.transfers.tests.ctfs import ctf

pytestmark = pytest.mark.django_db(transaction=True)

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
NAME = "8383321_CTF_8384512_001.XML"

# The worker, in a child process. With a marker path, the notification task blocks (and is
# killed there) once it has written its emails, before its transaction commits.
_WORKER = textwrap.dedent("""
    import sys, time, django
    django.setup()
    from django.core.management import call_command
    if len(sys.argv) > 1:
        from s2s.transfers import emails
        written = emails.transfer_uploaded_notify

        def block(**kwargs):
            count = written(**kwargs)
            open(sys.argv[1], "w").close()
            time.sleep(600)
            return count

        emails.transfer_uploaded_notify = block
    call_command("db_worker", batch=True, startup_delay=False, interval=0, reload=False,
                 verbosity=0)
""")


def _worker(env, *args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", _WORKER, *args], env=env)


def _requeue(**options) -> str:
    out = io.StringIO()
    call_command("requeue_stale_tasks", stdout=out, **options)
    return out.getvalue()


def test_a_task_whose_worker_was_killed_runs_again_and_its_emails_exist_once(
        settings, monkeypatch, tmp_path, database_url, upload, sending_school_user,
        receiving_school):
    settings.TASKS = DATABASE_TASKS
    transfer = upload(sending_school_user, NAME, ctf("8383321", "8384512")).transfer
    [task] = DBTaskResult.objects.filter(task_path__endswith="notify_transfer")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "s2s.settings", "DATABASE_URL": database_url,
           "S2S_DATA_DIR": str(tmp_path / "data"), "S2S_ENCRYPTION_KEY": KEY_A,
           "S2S_TASKS_BACKEND": "database"}
    marker = tmp_path / "at-work"
    worker = _worker(env, str(marker))
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert worker.poll() is None, "the worker ended before the hook"
            assert time.monotonic() < deadline, "the worker never reached the hook"
            time.sleep(0.05)
        worker.send_signal(signal.SIGKILL)
    finally:
        worker.kill()
        worker.wait(30)

    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING  # claimed, never finished
    assert not OutboundEmail.objects.exists()  # its transaction died with it
    assert "0 stale task(s) queued again." in _requeue()  # not stale yet: it may be at work

    later = timezone.now() + timedelta(hours=1)
    with monkeypatch.context() as clock:
        clock.setattr(timezone, "now", lambda: later)
        assert f"queued again {task.pk}" in _requeue()
    task.refresh_from_db()
    assert task.status == TaskResultStatus.READY

    again = _worker(env)
    assert again.wait(120) == 0
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert len(task.worker_ids) == 2
    transfer.refresh_from_db()
    assert transfer.notified_at is not None
    emails = list(OutboundEmail.objects.values_list("to", "subject"))
    assert emails  # written...
    assert len(emails) == len(set(emails))  # ...once each
