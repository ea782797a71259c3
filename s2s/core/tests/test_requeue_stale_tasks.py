"""`s2s requeue_stale_tasks`: a task left RUNNING by a dead worker is queued again; no other."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from s2s.core.tasks import send_pending_emails

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def running(db, settings):
    """Two claimed tasks: one started 31 minutes ago (its worker died), one a minute ago."""
    settings.TASKS = DATABASE_TASKS
    tasks = {}
    for name, minutes in (("stale", 31), ("busy", 1)):
        result = DBTaskResult.objects.get(pk=send_pending_emails.enqueue().id)
        result.claim(f"worker-{name}")
        DBTaskResult.objects.filter(pk=result.pk).update(
            started_at=timezone.now() - timedelta(minutes=minutes))
        tasks[name] = result
    return tasks


def _requeue(*args) -> str:
    out = io.StringIO()
    call_command("requeue_stale_tasks", *args, stdout=out)
    return out.getvalue()


def _status(task) -> str:
    task.refresh_from_db()
    return task.status


def test_a_task_running_for_over_half_an_hour_is_queued_again_and_a_busy_one_is_not(running):
    output = _requeue()
    assert f"queued again {running['stale'].pk}" in output
    assert "1 stale task(s) queued again." in output
    assert _status(running["stale"]) == TaskResultStatus.READY
    assert _status(running["busy"]) == TaskResultStatus.RUNNING


def test_a_dry_run_lists_and_changes_nothing(running):
    assert "1 stale task(s) would queue again." in _requeue("--dry-run")
    assert _status(running["stale"]) == TaskResultStatus.RUNNING


def test_older_than_sets_the_age(running):
    assert "2 stale task(s) queued again." in _requeue("--older-than", "0")
    assert _status(running["busy"]) == TaskResultStatus.READY
