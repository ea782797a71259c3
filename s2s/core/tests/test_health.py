"""The health check, the readiness check and what each says when something is down."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

REPO = Path(__file__).resolve().parents[3]


def test_the_health_check_asks_nothing_of_the_database(client, db):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")
    assert (response.status_code, response.content) == (200, b"ok")
    assert len(queries) == 0


def test_the_readiness_check_answers_ok_when_everything_answers(client, db, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "transfers": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path / "transfers"}}}
    response = client.get(reverse("core:ready"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_a_file_store_that_cannot_be_written_makes_the_service_unready(client, db, settings,
                                                                       tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the store's directory should be")
    settings.STORAGES = {**settings.STORAGES, "transfers": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": blocker / "transfers"}}}
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "down": ["file store"]}


def test_a_missing_task_table_makes_the_service_unready(client, db, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "transfers": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path / "transfers"}}}
    with connection.cursor() as cursor:  # rolled back with the test's transaction
        cursor.execute("DROP TABLE django_tasks_database_dbtaskresult")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "down": ["task queue"]}


def test_an_unreachable_database_is_named_and_nothing_else_is_said(tmp_path):
    # A real process whose database is a port nobody listens on.
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "import json\n"
        "for path in ('/healthz', '/readyz'):\n"
        "    r = Client().get(path)\n"
        "    print(json.dumps([r.status_code, r.content.decode()]))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "s2s.settings",
           "DATABASE_URL": "postgres://nobody@127.0.0.1:9/s2s_nowhere",
           "S2S_DATA_DIR": str(tmp_path), "S2S_LOG_LEVEL": "CRITICAL"}
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, timeout=60,
                          capture_output=True, text=True, check=True)
    health, ready = (json.loads(line) for line in done.stdout.splitlines())
    assert health == [200, "ok"]
    assert ready[0] == 503
    assert json.loads(ready[1]) == {"status": "unavailable", "down": ["database", "task queue"]}


def _run_settings(script: str, tmp_path, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("S2S_", "DATABASE_URL"))}
    return subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True,
                          text=True, timeout=120, env={
                              **clean, "DJANGO_SETTINGS_MODULE": "s2s.settings",
                              "S2S_DATA_DIR": str(tmp_path), "S2S_LOG_LEVEL": "CRITICAL",
                              **env})


def test_in_production_the_probes_answer_over_plain_http(tmp_path):
    script = (
        "import django, json; django.setup()\n"
        "from django.test import Client\n"
        "c = Client()\n"
        "print(json.dumps([c.get(p, HTTP_HOST='s2s.example').status_code\n"
        "                  for p in ('/healthz', '/readyz', '/metrics')]))\n"
    )
    done = _run_settings(script, tmp_path, S2S_MODE="production",
                         S2S_SECRET_KEY="a-long-production-secret",
                         S2S_ALLOWED_HOSTS="s2s.example",
                         S2S_ENCRYPTION_KEY="AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
    assert done.returncode == 0, done.stderr
    health, ready, metrics = json.loads(done.stdout.splitlines()[-1])
    assert health == 200
    assert ready in {200, 503}  # answered here, not redirected (the database is not migrated)
    assert metrics == 301  # everything else goes to HTTPS


def test_bad_metrics_addresses_or_log_format_stop_the_service_starting(tmp_path):
    refused = _run_settings("import s2s.settings", tmp_path, S2S_METRICS_ALLOW="prometheus.local")
    assert "S2S_METRICS_ALLOW must list addresses or networks" in refused.stderr
    refused = _run_settings("import s2s.settings", tmp_path, S2S_LOG_FORMAT="xml")
    assert "S2S_LOG_FORMAT must be json or text" in refused.stderr


def test_the_redis_task_queue_needs_its_address_and_an_unknown_queue_is_refused(tmp_path):
    refused = _run_settings("import s2s.settings", tmp_path, S2S_TASKS_BACKEND="redis")
    assert "S2S_TASKS_BACKEND=redis needs S2S_REDIS_URL" in refused.stderr
    refused = _run_settings("import s2s.settings", tmp_path, S2S_TASKS_BACKEND="celery")
    assert "S2S_TASKS_BACKEND must be database, redis or immediate" in refused.stderr
    done = _run_settings("from django.conf import settings; import django; django.setup(); "
                         "print(settings.TASKS['default']['BACKEND'])", tmp_path,
                         S2S_TASKS_BACKEND="redis", S2S_REDIS_URL="redis://127.0.0.1:6379/5")
    assert done.stdout.split() == ["s2s.core.taskqueue.RedisBackend"], done.stderr
