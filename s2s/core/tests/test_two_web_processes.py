"""Two web processes started apart share nothing local (issue 18, production profile).

Two gunicorn masters on two ports, each with its own data directory, against one PostgreSQL
(this test's database), one S3 store (moto's server, started here) and one Redis (the task
queue and the shared cache): a file uploaded through one is downloaded through the other, a
session made by one is honoured by the other, a token's rate limit is counted across both, and
the upload's notices reach the outbox through RQ's worker (`s2s task_worker`).
"""

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from django.conf import settings as django_settings
from django.db import connection
from django.urls import reverse

from s2s.accounts.models import ApiToken
from s2s.core.models import EmailStatus, OutboundEmail
from s2s.core.taskqueue import QUEUE
from s2s.core.tests.redis import TEST_REDIS_URL, needs_redis, redis_emptied
from s2s.transfers.models import Transfer
from s2s.transfers.tests.ctfs import ctf
from s2s.transfers.tests.s3 import MotoS3, free_port

REPO = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
NAME = "8383321_CTF_8384512_001.XML"
# API requests a token may make a day, across both processes (a day: the fixed window must
# not end during the test)
RATE = 8
METRICS_TOKEN = "two-processes-scrape-token"

pytestmark = [
    pytest.mark.slow, needs_redis,
    pytest.mark.skipif(django_settings.DATABASES["default"]["ENGINE"]
                       != "django.db.backends.postgresql",
                       reason="two processes share PostgreSQL (DATABASE_URL=postgres://...)"),
    pytest.mark.django_db(transaction=True),
]


@dataclass
class Gunicorn:
    port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def _environment(s3: MotoS3, data_dir: Path) -> dict[str, str]:
    database = connection.settings_dict
    url = (f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
           f"{database['PORT'] or 5432}/{database['NAME']}")
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("S2S_", "DATABASE_URL", "PROMETHEUS_"))}
    return {
        **clean, "DJANGO_SETTINGS_MODULE": "s2s.settings", "DATABASE_URL": url,
        "S2S_DATA_DIR": str(data_dir), "S2S_ALLOWED_HOSTS": "127.0.0.1",
        "S2S_TASKS_BACKEND": "redis", "S2S_REDIS_URL": TEST_REDIS_URL,
        "S2S_CACHE_URL": TEST_REDIS_URL, "S2S_API_RATE": f"{RATE}/day",
        "S2S_LOG_LEVEL": "WARNING", "S2S_METRICS_TOKEN": METRICS_TOKEN, **s3.environment(),
    }


def _tasks_queued(server: Gunicorn) -> float:
    from prometheus_client.parser import text_string_to_metric_families

    text = requests.get(server.url + "/metrics", timeout=30,
                        headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).text
    (family,) = [f for f in text_string_to_metric_families(text) if f.name == "s2s_tasks_queued"]
    return family.samples[0].value


def _waiting_tasks() -> list[str]:
    """Return the description of every task waiting in Redis: queued, or scheduled for later."""
    import redis

    client = redis.Redis.from_url(TEST_REDIS_URL)
    jobs = (client.lrange(f"rq:queue:{QUEUE}", 0, -1)
            + client.zrange(f"rq:scheduled:{QUEUE}", 0, -1))
    return [(client.hget(f"rq:job:{job.decode()}", "description") or b"").decode()
            for job in jobs]


def _not_the_audit_follower(tasks: list[str]) -> list[str]:
    # Each audited request schedules the audit chain's follower a second later (audit/tasks.py).
    return [task for task in tasks if "follow_audit_chain" not in task]


def _gunicorn(env: dict[str, str]) -> Gunicorn:
    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "s2s.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--worker-class", "sync", "--timeout", "60"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = Gunicorn(port, process)
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(server.url + "/readyz", timeout=5).close()
            return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if process.poll() is not None or time.monotonic() > deadline:
                server.stop()
                raise RuntimeError("gunicorn did not become ready") from None
            time.sleep(0.3)


@pytest.fixture
def two_processes(tmp_path):
    redis_emptied()
    s3 = MotoS3().start()
    servers = []
    try:
        for name in ("a", "b"):
            servers.append(_gunicorn(_environment(s3, tmp_path / name)))
        yield servers, s3, _environment(s3, tmp_path / "worker")
    finally:
        for server in servers:
            server.stop()
        s3.stop()
        redis_emptied()


def test_a_file_uploaded_through_one_process_is_downloaded_through_the_other(
        two_processes, sending_school_user, receiving_school_user, client):
    (a, b), s3, worker_env = two_processes
    sender = {"Authorization": f"Bearer {ApiToken.issue(sending_school_user)[1]}"}
    receiver = {"Authorization": f"Bearer {ApiToken.issue(receiving_school_user)[1]}"}
    content = ctf("8383321", "8384512", pupils=3)

    uploaded = requests.post(a.url + "/api/v1/files", headers=sender,
                             files={"file": (NAME, content)}, timeout=30)
    assert uploaded.status_code == 201, uploaded.text
    file_id = uploaded.json()["id"]
    assert len(s3.objects()) == 1  # in the shared store, not in a's data directory

    downloaded = requests.get(f"{b.url}/api/v1/files/{file_id}/content", headers=receiver,
                              timeout=30)
    assert downloaded.status_code == 200
    assert downloaded.content == content

    # A session made by one process (a row in the shared database) is good in the other.
    client.force_login(receiving_school_user)
    name = django_settings.SESSION_COOKIE_NAME
    cookie = {name: client.cookies[name].value}
    inbox = requests.get(b.url + reverse("transfers:inbox"), cookies=cookie, timeout=30,
                         allow_redirects=False)
    assert inbox.status_code == 200
    assert NAME in inbox.text

    # The receiver's token has made 1 request; the limit is counted in Redis across both.
    answers = [requests.get(server.url + "/api/v1/files", headers=receiver, timeout=30)
               for server in ([a, b] * RATE)[:RATE]]
    assert [r.status_code for r in answers] == [200] * (RATE - 1) + [429]
    assert int(answers[-1].headers["Retry-After"]) > 0

    # The upload's notices: its task went to Redis (either process counts it); RQ's worker
    # writes them, then sends them.
    waiting = _waiting_tasks()
    assert _tasks_queued(a) == _tasks_queued(b) == len(waiting)
    assert len(_not_the_audit_follower(waiting)) == 1
    for _ in range(2):
        subprocess.run([str(BIN / "s2s"), "task_worker", "--burst"], cwd=REPO, env=worker_env,
                       check=True, timeout=120, capture_output=True)
    emails = OutboundEmail.objects.all()
    assert emails.count() > 0
    assert set(emails.values_list("status", flat=True)) == {EmailStatus.SENT}
    assert Transfer.objects.get(pk=file_id).notified_at is not None
    assert _not_the_audit_follower(_waiting_tasks()) == []
