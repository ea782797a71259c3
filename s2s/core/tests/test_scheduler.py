"""The scheduler: every job due in a minute is enqueued once, however many schedulers run."""

import io
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command, get_commands
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from s2s import schedule
from s2s.core.models import ScheduledRun
from s2s.core.outbox import email_queue
from s2s.core.scheduling import Job, Timing, job_claim, timing_parse

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
LONDON = timezone.get_default_timezone()


def _local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


def _scheduler(*args) -> str:
    out = io.StringIO()
    call_command("scheduler", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def database_tasks(settings):
    """Enqueue into the database queue, so the test can count what was enqueued."""
    settings.TASKS = DATABASE_TASKS


# --- timings --------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "due", "not_due"), [
    ("every 1 minute", "2025-01-06 13:07", None),
    ("every 15 minutes", "2025-01-06 13:45", "2025-01-06 13:50"),
    ("hourly", "2025-01-06 13:00", "2025-01-06 13:01"),
    ("hourly :15", "2025-01-06 13:15", "2025-01-06 13:00"),
    ("daily 03:00", "2025-01-06 03:00", "2025-01-06 04:00"),
    ("weekly Monday 07:00", "2025-01-06 07:00", "2025-01-07 07:00"),
    ("monthly 1st 06:00", "2025-02-01 06:00", "2025-02-02 06:00"),
])
def test_a_timing_is_due_in_its_minutes_only(text, due, not_due):
    timing = timing_parse(text=text)
    assert timing.matches(_local(due))
    if not_due:
        assert not timing.matches(_local(not_due))


@pytest.mark.parametrize("text", [
    "every 0 minutes", "daily 25:00", "weekly Funday 07:00", "monthly 31st 06:00", "at noon",
])
def test_a_timing_that_cannot_be_read_is_refused(text):
    with pytest.raises(ValueError, match=text.split()[0]):
        timing_parse(text=text)


def test_a_job_needs_a_command_or_a_task():
    with pytest.raises(ValueError, match="a command or a task"):
        Job("nothing", "hourly")


def test_the_declared_schedule_has_unique_names_and_readable_timings():
    names = [job.name for job in schedule.SCHEDULE]
    assert len(names) == len(set(names))
    assert {"send_emails", "review_users", "sweep_orphan_files"} <= set(names)
    assert all(isinstance(job.when, Timing) for job in schedule.SCHEDULE)


def test_every_scheduled_command_and_task_exists():
    commands = get_commands()
    for job in schedule.SCHEDULE:
        if job.command:
            assert job.command in commands, job.name
        else:
            assert hasattr(import_string(job.task), "enqueue"), job.name


# --- once per slot --------------------------------------------------------------------------

def test_the_scheduler_enqueues_a_due_job_once_per_slot_even_when_run_twice(db, database_tasks):
    # Monday 6 January 2025, 03:00 in London: the minutely, five-minutely, hourly and
    # daily-03:00 jobs are due.
    first = _scheduler("--once", "--at", "2025-01-06T03:00")
    second = _scheduler("--once", "--at", "2025-01-06T03:00")
    assert first.splitlines() == [
        "2025-01-06 03:00 enqueued send_emails",
        "2025-01-06 03:00 enqueued notify_transfers",
        "2025-01-06 03:00 enqueued audit_follow",
        "2025-01-06 03:00 enqueued requeue_stale_tasks",
        "2025-01-06 03:00 enqueued sweep_orphan_files",
        "2025-01-06 03:00 enqueued encompass_escalate",
        "2025-01-06 03:00 enqueued review_users",
    ]
    assert second == ""
    tasks = sorted(DBTaskResult.objects.all(), key=lambda t: (t.task_path, str(t.args_kwargs)))
    assert [(t.task_path, t.args_kwargs) for t in tasks] == [
        ("s2s.audit.tasks.follow_audit_chain", {"args": [], "kwargs": {}}),
        ("s2s.core.tasks.run_command", {"args": ["encompass_escalate", []], "kwargs": {}}),
        ("s2s.core.tasks.run_command", {"args": ["requeue_stale_tasks", []], "kwargs": {}}),
        ("s2s.core.tasks.run_command", {"args": ["review_users", []], "kwargs": {}}),
        ("s2s.core.tasks.run_command", {"args": ["sweep_orphan_files", []], "kwargs": {}}),
        ("s2s.core.tasks.send_pending_emails", {"args": [], "kwargs": {}}),
        ("s2s.transfers.tasks.notify_pending_transfers", {"args": [], "kwargs": {}}),
    ]
    runs = ScheduledRun.objects.order_by("name")
    assert [run.name for run in runs] == [
        "audit_follow", "encompass_escalate", "notify_transfers", "requeue_stale_tasks",
        "review_users", "send_emails",
        "sweep_orphan_files",
    ]
    assert {run.slot for run in runs} == {_local("2025-01-06 03:00")}
    assert {run.task_id for run in runs} == {str(task.pk) for task in tasks}


def test_a_second_scheduler_claiming_the_same_slot_enqueues_nothing(db, database_tasks):
    job = Job("probe", "every 1 minute", command="send_emails")
    slot = _local("2025-01-06 10:30")
    assert job_claim(job=job, slot=slot) is not None
    assert job_claim(job=job, slot=slot) is None
    assert job_claim(job=job, slot=slot + timedelta(minutes=1)) is not None
    assert DBTaskResult.objects.count() == 2


def test_once_enqueues_only_the_jobs_due_that_minute(db, database_tasks):
    assert _scheduler("--once", "--at", "2025-01-06T03:01").splitlines() == [
        "2025-01-06 03:01 enqueued send_emails",
        "2025-01-06 03:01 enqueued notify_transfers",
        "2025-01-06 03:01 enqueued audit_follow",
    ]


def test_daily_times_are_london_times_in_summer_too(db, database_tasks):
    # 02:00 UTC is 03:00 British Summer Time.
    out = _scheduler("--once", "--at", "2025-07-07T02:00:00+00:00")
    assert "2025-07-07 03:00 enqueued review_users" in out


def test_once_without_at_acts_for_the_current_minute(db, database_tasks):
    assert "enqueued send_emails" in _scheduler("--once")
    (run,) = ScheduledRun.objects.filter(name="send_emails")
    assert timezone.now() - run.slot < timedelta(minutes=1)


def test_once_runs_the_command_of_a_due_job(db, monkeypatch):
    # The tests' inline backend runs the job at once: a queued email, whose own task was
    # never run (this test never commits), is sent by the scheduled command.
    jobs = [Job("mail", "every 1 minute", command="send_emails")]
    monkeypatch.setattr(schedule, "SCHEDULE", jobs)
    email_queue(to="838user@example.gov.uk", subject="Waiting", text=".")
    assert mail.outbox == []
    _scheduler("--once")
    assert [m.subject for m in mail.outbox] == ["Waiting"]


def test_old_runs_are_forgotten_on_the_hour(db, database_tasks):
    ScheduledRun.objects.create(name="send_emails", slot=_local("2024-12-01 10:00"))
    ScheduledRun.objects.create(name="send_emails", slot=_local("2025-01-05 10:00"))
    _scheduler("--once", "--at", "2025-01-06T10:00")
    assert not ScheduledRun.objects.filter(slot__lt=_local("2025-01-01 00:00")).exists()
    assert ScheduledRun.objects.filter(slot=_local("2025-01-05 10:00")).exists()


def test_at_goes_with_once():
    with pytest.raises(CommandError, match="--at goes with --once"):
        call_command("scheduler", "--at", "2025-01-06T03:00")


def test_the_schedule_can_be_listed():
    out = _scheduler("--list")
    assert "review_users" in out
    assert "daily 03:00" in out
