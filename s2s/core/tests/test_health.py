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
