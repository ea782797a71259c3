"""The task queue, whichever backend holds it: the database's table, or Redis (RQ).

`S2S_TASKS_BACKEND` chooses (settings.py): `database` (django-tasks-db, the default: no extra
service), `redis` (django-tasks' own RQ backend, django-tasks-rq, on `S2S_REDIS_URL`) or
`immediate`. Code only ever calls `task.enqueue()`; this module holds the three things that
differ: the Redis backend's enqueue after commit, the readiness check, and the queue's length.

A database task row commits with the change that asked for it. A Redis push cannot, so
`RedisBackend` pushes only once the caller's transaction commits (and not at all if it rolls
back): a worker never picks up a task for an upload it cannot yet see. A push that fails after
the commit is logged and lost, like a task lost any other way; the minutely sweeps
(`send_pending_emails`, `notify_transfers`) do its work, which every task may do twice.
"""

import logging
from functools import cache

import django_rq
from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django_tasks.base import TaskResult, TaskResultStatus
from django_tasks.signals import task_enqueued
from django_tasks.utils import get_random_id
from django_tasks_rq.backend import Job, RQBackend, failed_callback, success_callback
from rq.job import Callback, JobStatus, Retry
from rq.worker import SimpleWorker

logger = logging.getLogger(__name__)

# The queue every s2s task goes on (RQ_QUEUES in settings.py), and the job class the worker
# must use to run django-tasks' tasks (`s2s task_worker` passes it).
QUEUE = "default"
JOB_CLASS = "django_tasks_rq.backend.Job"
# The worker class `s2s task_worker` runs on Redis (Worker, below).
WORKER_CLASS = f"{__name__}.Worker"
# A failed or abandoned task is tried again at once, then after 1 and 5 minutes (RQ's
# scheduler, which `s2s task_worker` runs in each worker, brings the later ones back).
RETRY = Retry(max=3, interval=[0, 60, 300])
# Seconds the readiness probe waits for Redis before calling it down.
PROBE_TIMEOUT = 2.0


class RedisBackend(RQBackend):
    """django-tasks-rq's backend, pushing each task once the caller's transaction commits.

    A task that fails, or whose worker died under it (RQ finds it abandoned), is tried again
    up to `RETRY.max` times, at once and then after a while: every s2s task may run twice
    without doing anything twice.
    """

    def enqueue(self, task, args, kwargs) -> TaskResult:
        """Return the task's result at once; push the job now, or when the caller commits."""
        self.validate_task(task)
        result = TaskResult(
            task=task, id=get_random_id(), status=TaskResultStatus.READY, enqueued_at=None,
            started_at=None, last_attempted_at=None, finished_at=None, args=args,
            kwargs=kwargs, backend=self.alias, errors=[], worker_ids=[],
        )
        if connection.in_atomic_block:
            transaction.on_commit(lambda: self._push(task, result), robust=True)
        else:
            self._push(task, result)
        return result

    def _push(self, task, result: TaskResult) -> None:
        queue = django_rq.get_queue(task.queue_name, job_class=Job,
                                    connection=_queue_client(task.queue_name))
        job = queue.create_job(
            task.module_path, args=result.args, kwargs=result.kwargs, job_id=result.id,
            status=JobStatus.SCHEDULED if task.run_after else JobStatus.QUEUED,
            on_failure=Callback(failed_callback), on_success=Callback(success_callback),
            meta={"backend_name": self.alias}, retry=RETRY,
        )
        if task.run_after is None:
            job = queue.enqueue_job(job)
        else:
            job = queue.schedule_job(job, task.run_after)
        object.__setattr__(result, "enqueued_at", job.enqueued_at)
        task_enqueued.send(type(self), task_result=result)


class Worker(SimpleWorker):
    """RQ's worker running each job in its own process, keeping its database connection.

    RQ's default worker forks a child for every job, and the child opens a new PostgreSQL
    connection: 55-58 ms of CPU a task in the soak (issue 18), most of it not the task's work.
    This one runs the job in the worker itself and, as Django's request cycle does, closes
    the connections that are broken, left in a transaction, or older than
    `S2S_DB_CONN_MAX_AGE` before and after each job, and keeps the rest.

    What the child gave is kept another way: a job that raises is recorded as failed (and
    retried, `RETRY`) by RQ without ending the worker; a worker killed mid-job stops sending
    heartbeats, and the next worker's maintenance finds the job abandoned and queues it again
    (`RETRY`), and every task may run twice without doing anything twice; a job that runs past
    its timeout is stopped by RQ's alarm in this process as it was in the child.
    """

    def perform_job(self, job, queue, *args, **kwargs) -> bool:
        close_old_connections()
        try:
            return super().perform_job(job, queue, *args, **kwargs)
        finally:
            close_old_connections()


def enqueue_unless_waiting(task, *, mark: str, seconds: int) -> bool:
    """Push `task` now unless one pushed under `mark` has not started yet; say if it was.

    For work that one run does for every caller (a sweep): the first caller sets `mark` in
    the queue's Redis and pushes the task, callers after it push nothing until the task,
    starting, clears the mark (`mark_clear`) before it looks for work, so whatever a caller
    committed before that is seen by this run, and a caller after it pushes the next.
    The mark expires after `seconds`, so a push lost after it was set delays the next one
    by that long at most. Redis only (`uses_redis`); call it after the caller commits.
    """
    client = _queue_client(task.queue_name)
    if not client.set(mark, 1, nx=True, ex=seconds):
        return False
    task.enqueue()
    return True


def mark_clear(task, *, mark: str) -> None:
    """Clear the mark `enqueue_unless_waiting` set for `task`, as the task starts its work."""
    if uses_redis():
        _queue_client(task.queue_name).delete(mark)


def uses_redis() -> bool:
    """Return whether the tasks go to Redis (S2S_TASKS_BACKEND=redis)."""
    return settings.TASKS["default"]["BACKEND"] == f"{__name__}.RedisBackend"


def _queue_client(queue_name: str):
    """Return this process's client of the Redis that holds `queue_name`."""
    return _client(settings.RQ_QUEUES[queue_name]["URL"])


@cache
def _client(url: str):
    """Return this process's client of the queue's Redis, whose pool keeps its connections.

    django-rq makes a new client, so a new connection and its handshake, each time it is
    asked for a queue: that was 12% of the upload's CPU under gunicorn (issue 18).
    """
    import redis

    return redis.Redis.from_url(url)


@cache
def _probe_client(url: str):
    import redis

    return redis.Redis.from_url(url, socket_timeout=PROBE_TIMEOUT,
                                socket_connect_timeout=PROBE_TIMEOUT)


def queue_check() -> None:
    """Return if the task queue answers; raise if not (readiness)."""
    if uses_redis():
        _probe_client(settings.RQ_QUEUES[QUEUE]["URL"]).ping()
        return
    from django_tasks_db.models import DBTaskResult

    # The database backend's queue is its table: it answers when a read of it does.
    with transaction.atomic():
        DBTaskResult.objects.values_list("pk", flat=True).first()


def tasks_queued() -> int:
    """Return how many tasks wait for a worker (queued, or scheduled for later)."""
    if uses_redis():
        queue = django_rq.get_queue(QUEUE, job_class=Job,
                                    connection=_queue_client(QUEUE))
        return queue.count + queue.scheduled_job_registry.count
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status=TaskResultStatus.READY).count()
