"""`s2s task_worker` on Redis runs tasks without forking (issue 18), and loses none for it.

The worker runs each task in its own process, keeping its database connection between tasks
(a fork and a new connection a task were most of a task's cost). Shown with real worker
processes on the private PostgreSQL and the tests' Redis: a task that raises does not end the
worker; a task that breaks the connection costs only that connection; a worker SIGKILLed
mid-task leaves its task to be found abandoned and run again by the next worker, its emails
written once.
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from django.db import connection
from django_tasks import task
from rq.registry import StartedJobRegistry

from s2s.core.models import EmailStatus, OutboundEmail
from s2s.core.taskqueue import QUEUE
from s2s.core.tests.redis import TEST_REDIS_URL, needs_redis, redis_emptied
from s2s.transfers.tests.conftest import KEY_A
from s2s.transfers.tests.ctfs import ctf

pytestmark = [needs_redis, pytest.mark.django_db(transaction=True)]

NAME = "8383321_CTF_8384512_001.XML"
SEEN = "s2s-test:seen"

# `s2s task_worker` in a child process. With a marker path, the upload's notification task
# blocks (and is killed there) once it has written its emails, before its transaction commits.
_WORKER = textwrap.dedent("""
    import sys, time, django
    django.setup()
    from django.core.management import call_command
    if sys.argv[1] != "-":
        from s2s.transfers import emails
        written = emails.transfer_uploaded_notify

        def block(**kwargs):
            count = written(**kwargs)
            open(sys.argv[1], "w").close()
            time.sleep(600)
            return count

        emails.transfer_uploaded_notify = block
    call_command("task_worker", *sys.argv[2:], verbosity=0)
""")


def _seen(tag: str) -> None:
    """Record which process and which PostgreSQL backend ran this task."""
    import redis

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    redis.Redis.from_url(TEST_REDIS_URL).rpush(SEEN, json.dumps([tag, os.getpid(), backend]))


@task()
def record(tag: str) -> None:
    _seen(tag)


@task()
def record_then_fail(tag: str) -> None:
    _seen(tag)
    raise RuntimeError("a task that fails")


@task()
def record_then_lose_the_connection(tag: str) -> None:
    _seen(tag)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
    except Exception:  # the server ended the session under the task, as a restart would
        pass


@pytest.fixture
def redis_tasks(settings):
    """Tasks go to the tests' own (emptied) Redis database; return a client of it."""
    settings.TASKS = {"default": {"BACKEND": "s2s.core.taskqueue.RedisBackend"}}
    settings.RQ_QUEUES = {QUEUE: {"URL": TEST_REDIS_URL, "DEFAULT_TIMEOUT": 60}}
    client = redis_emptied()
    yield client
    client.flushdb()


@pytest.fixture
def worker_env(tmp_path, database_url) -> dict:
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "s2s.settings",
            "DATABASE_URL": database_url, "S2S_DATA_DIR": str(tmp_path / "data"),
            "S2S_ENCRYPTION_KEY": KEY_A, "S2S_TASKS_BACKEND": "redis",
            "S2S_REDIS_URL": TEST_REDIS_URL, "S2S_DB_CONN_MAX_AGE": "600",
            "EMAIL_URL": "", "PYTHONPATH": os.getcwd()}


def _worker(env, marker: str = "-", *args: str) -> subprocess.Popen:
    # A session of its own, so a kill takes the scheduler process RQ's worker forks with it.
    return subprocess.Popen([sys.executable, "-c", _WORKER, marker, *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)


def _burst(env) -> subprocess.CompletedProcess:
    worker = _worker(env, "-", "--burst")
    _, stderr = worker.communicate(timeout=120)
    return subprocess.CompletedProcess(worker.args, worker.returncode, b"", stderr)


def test_one_worker_process_runs_every_task_on_one_connection_and_outlives_failures(
        redis_tasks, worker_env):
    record.enqueue(tag="first")
    record_then_fail.enqueue(tag="failing")
    record.enqueue(tag="after the failure")
    record_then_lose_the_connection.enqueue(tag="losing")
    record.enqueue(tag="after the lost connection")

    worker = _burst(worker_env)
    assert worker.returncode == 0, worker.stderr.decode()[-2000:]
    seen = [json.loads(item) for item in redis_tasks.lrange(SEEN, 0, -1)]
    by_tag = {}  # each task's first run
    for tag, pid, backend in seen:
        by_tag.setdefault(tag, (pid, backend))
    assert set(by_tag) == {"first", "failing", "after the failure", "losing",
                           "after the lost connection"}  # the worker went on after each
    assert [tag for tag, _p, _b in seen].count("failing") == 2  # tried again at once
    assert len({pid for _t, pid, _b in seen}) == 1  # one process: no child forked per task
    # One connection kept across tasks, a failed one included...
    assert by_tag["first"][1] == by_tag["failing"][1] == by_tag["after the failure"][1]
    # ...and a broken one closed after its task and replaced, not handed to the next.
    assert by_tag["after the lost connection"][1] != by_tag["losing"][1]


def test_a_task_whose_redis_worker_was_killed_runs_again_and_its_emails_exist_once(
        redis_tasks, worker_env, tmp_path, upload, sending_school_user, receiving_school):
    transfer = upload(sending_school_user, NAME, ctf("8383321", "8384512")).transfer
    assert redis_tasks.llen(f"rq:queue:{QUEUE}") == 1  # its notify task, pushed on commit
    marker = tmp_path / "at-work"
    worker = _worker(worker_env, str(marker))
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert worker.poll() is None, worker.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "the worker never reached the hook"
            time.sleep(0.05)
        os.killpg(worker.pid, signal.SIGKILL)  # the host dies: the worker and its scheduler
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(30)
        worker.stderr.close()

    assert not OutboundEmail.objects.exists()  # its transaction died with it
    started = StartedJobRegistry(QUEUE, connection=redis_tasks)
    assert started.count == 1  # taken, never finished
    assert _burst(worker_env).returncode == 0  # not abandoned yet: it may still be at work
    assert not OutboundEmail.objects.exists()

    # Time passes: the task's lease (its timeout and a minute) runs out unrenewed.
    key = started.key
    redis_tasks.zadd(key, {member: 1 for member in redis_tasks.zrange(key, 0, -1)})
    again = _burst(worker_env)  # its maintenance finds the task abandoned and queues it again
    assert again.returncode == 0, again.stderr.decode()[-2000:]
    transfer.refresh_from_db()
    assert transfer.notified_at is not None
    emails = list(OutboundEmail.objects.values_list("to", "subject"))
    assert emails  # written...
    assert len(emails) == len(set(emails))  # ...once each
    # ...and sent by the one send task the notification's transaction queued.
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {EmailStatus.SENT}
    assert started.count == 0
