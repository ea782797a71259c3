"""The task queue on Redis (S2S_TASKS_BACKEND=redis): pushed after commit, run once, watched."""

import io

import pytest
from django.core import mail
from django.db import transaction
from django_rq.workers import get_worker
from django_tasks import task

from s2s.core.metrics import metrics_text
from s2s.core.models import OutboundEmail
from s2s.core.taskqueue import JOB_CLASS, QUEUE
from s2s.core.tests.redis import TEST_REDIS_URL, needs_redis
from s2s.transfers.models import Transfer
from s2s.transfers.services import transfer_upload
from s2s.transfers.services.notify import transfer_notify
from s2s.transfers.tasks import notify_transfer
from s2s.transfers.tests.ctfs import ctf

pytestmark = needs_redis

NAME = "8383321_CTF_8384512_001.XML"
ATTEMPTS = "s2s-test:attempts"


@task()
def notify_then_fail_once(transfer_id: int) -> int:
    """Write the upload's notices, then fail the first time, as a worker that dies would."""
    import redis

    written = transfer_notify(transfer_id=transfer_id)
    if redis.Redis.from_url(TEST_REDIS_URL).incr(ATTEMPTS) == 1:
        raise RuntimeError("the worker failed after the notices were written")
    return written


def _queued(client) -> int:
    return client.llen(f"rq:queue:{QUEUE}")


def _run_worker() -> None:
    # RQ's worker in burst mode, in this process (SimpleWorker: no child) and on this
    # connection (django-rq's `rqworker` command closes it first), so it sees the test's
    # database. `s2s task_worker` runs taskqueue.Worker, a SimpleWorker that also closes stale
    # connections around each job, which would close the test's transaction here; the
    # fault tests (faults/test_redis_worker.py) run it for real.
    get_worker(QUEUE, job_class=JOB_CLASS, worker_class="rq.worker.SimpleWorker").work(
        burst=True, logging_level="WARNING")


def _upload(user, serial: int = 1):
    content = io.BytesIO(ctf("8383321", "8384512", pupils=2, seed=serial))
    name = NAME.replace("_001.", f"_{serial:03d}.")
    return transfer_upload(user=user, name=name, content=content).transfer


def _tasks_queued_metric() -> float:
    from prometheus_client.parser import text_string_to_metric_families

    for family in text_string_to_metric_families(metrics_text().decode()):
        if family.name == "s2s_tasks_queued":
            return family.samples[0].value
    raise AssertionError("no s2s_tasks_queued")


def test_a_task_reaches_redis_only_when_its_upload_commits(
        redis_tasks, sending_school_user, receiving_school_user,
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _upload(sending_school_user)
        assert _queued(redis_tasks) == 0  # the upload has not committed: no worker may see it
    assert _queued(redis_tasks) == 1
    # The metric counts what waits: the notice task, and the audit chain's follower when the
    # upload's audit record scheduled one (at most one a second per process).
    scheduled = redis_tasks.zcard(f"rq:scheduled:{QUEUE}")
    assert _tasks_queued_metric() == 1 + scheduled


def _notify_tasks_queued(client) -> int:
    queued = [client.hget(f"rq:job:{job.decode()}", "description") or b""
              for job in client.lrange(f"rq:queue:{QUEUE}", 0, -1)]
    return sum(b"notify_new_transfers" in description for description in queued)


def test_uploads_while_a_notify_task_waits_push_no_other_and_it_tells_them_all(
        redis_tasks, sending_school_user, receiving_school_user,
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        transfers = [_upload(sending_school_user, serial) for serial in (1, 2, 3)]
    assert _queued(redis_tasks) == 1
    with django_capture_on_commit_callbacks(execute=True):
        _run_worker()
    assert not Transfer.objects.filter(notified_at__isnull=True).exists()
    for transfer in transfers:
        # The destination's notice names each file: every upload was told, once.
        assert OutboundEmail.objects.filter(to="office4512@school.example.sch.uk",
                                            subject__contains=transfer.name).count() == 1


def test_an_upload_after_the_notify_task_started_pushes_the_next(
        redis_tasks, sending_school_user, receiving_school_user,
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _upload(sending_school_user)
    with django_capture_on_commit_callbacks(execute=True):
        _run_worker()
    assert _notify_tasks_queued(redis_tasks) == 0
    with django_capture_on_commit_callbacks(execute=True):
        later = _upload(sending_school_user, 2)
    assert _notify_tasks_queued(redis_tasks) == 1
    with django_capture_on_commit_callbacks(execute=True):
        _run_worker()
    later.refresh_from_db()
    assert later.notified_at is not None


def test_a_rolled_back_change_queues_nothing_in_redis(
        redis_tasks, sending_school_user, receiving_school_user,
        django_capture_on_commit_callbacks):
    def upload_that_fails():
        with transaction.atomic():
            _upload(sending_school_user)
            raise RuntimeError("the upload failed after it queued its task")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        upload_that_fails()
    assert _queued(redis_tasks) == 0
    assert _tasks_queued_metric() == 0


def test_the_worker_runs_the_upload_notices_once_even_when_the_task_is_queued_twice(
        redis_tasks, sending_school_user, receiving_school_user,
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        transfer = _upload(sending_school_user)
        notify_transfer.enqueue(transfer_id=transfer.pk)  # a retry of the same task
    assert _queued(redis_tasks) == 2
    with django_capture_on_commit_callbacks(execute=True):
        _run_worker()
    written = OutboundEmail.objects.count()
    assert written > 0
    assert _queued(redis_tasks) == 1  # one send task for all the emails, none for the retry
    _run_worker()
    assert _queued(redis_tasks) == 0
    assert len(mail.outbox) == written
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        OutboundEmail.objects.values_list("to", flat=True))
    assert "office4512@school.example.sch.uk" in {m.to[0] for m in mail.outbox}


def test_readiness_names_the_task_queue_when_redis_does_not_answer(client, db, settings):
    settings.TASKS = {"default": {"BACKEND": "s2s.core.taskqueue.RedisBackend"}}
    settings.RQ_QUEUES = {QUEUE: {"URL": "redis://127.0.0.1:9/0"}}  # nobody listens on 9
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "down": ["task queue"]}


def test_readiness_is_ok_with_the_queue_on_redis(client, db, redis_tasks):
    response = client.get("/readyz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_a_failed_task_is_run_again_and_its_effect_happens_once(
        redis_tasks, sending_school_user, receiving_school_user,
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        transfer = _upload(sending_school_user)  # its own notify task is never pushed
    with django_capture_on_commit_callbacks(execute=True):
        notify_then_fail_once.enqueue(transfer_id=transfer.pk)
    with django_capture_on_commit_callbacks(execute=True):
        _run_worker()
    assert int(redis_tasks.get(ATTEMPTS)) == 2  # failed once, run again
    addresses = list(OutboundEmail.objects.values_list("to", "subject"))
    assert addresses
    assert len(addresses) == len(set(addresses))  # nobody told twice
