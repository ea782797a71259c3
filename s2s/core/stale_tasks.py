"""Tasks whose worker died: claimed (RUNNING) long ago and never finished, queued again.

django-tasks-db marks a task RUNNING when a worker claims it and finished when the worker
records the outcome; a worker that is killed in between (SIGKILL, out of memory, the box
restarting) leaves it RUNNING for ever, and no other worker takes it. `s2s requeue_stale_tasks`
(scheduled every 5 minutes) puts such a task back to READY once it has been running for
longer than any task takes, so another worker runs it again. Every task must therefore be
safe to run twice: each one claims its rows with a conditional update or a lock, and checks
what is already done (`transfer_notify` looks at `notified_at`, the outbox at the email's
status).
"""

import logging
from datetime import timedelta

from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

# Far longer than any of our tasks runs (the sweeps stop after a few hundred rows), so a task
# still at work is never run twice at once.
STALE_AFTER = timedelta(minutes=30)


def stale_tasks_requeue(*, older_than: timedelta = STALE_AFTER, dry_run: bool = False
                        ) -> list[DBTaskResult]:
    """Put back to READY the tasks RUNNING since before `older_than` ago; return them."""
    cutoff = timezone.now() - older_than
    stale = list(DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING,
                                             started_at__lt=cutoff).order_by("started_at"))
    if dry_run:
        return stale
    requeued = []
    for result in stale:
        # Conditional: a worker that finishes it now, or another reaper, wins.
        if DBTaskResult.objects.filter(
            pk=result.pk, status=TaskResultStatus.RUNNING, started_at=result.started_at
        ).update(status=TaskResultStatus.READY, started_at=None) == 1:
            logger.warning("Task %s (%s) was claimed by %s at %s and never finished; queued "
                           "again", result.pk, result.task_path, result.worker_ids[-1:],
                           result.started_at)
            requeued.append(result)
    return requeued
