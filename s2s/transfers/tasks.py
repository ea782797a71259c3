"""The file exchange's tasks. Tasks take ids, never objects (they are stored as JSON)."""

from django_tasks import task

from s2s.core import taskqueue
from s2s.transfers.services.notify import (
    NEW_TASK_WAITING,
    transfer_notify,
    transfers_notify_pending,
)


@task()
def notify_transfer(transfer_id: int) -> int:
    """Write an accepted upload's emails to the outbox (once)."""
    return transfer_notify(transfer_id=transfer_id)


@task()
def notify_pending_transfers() -> int:
    """Write the emails of uploads whose own task was lost or failed."""
    return transfers_notify_pending()


@task()
def notify_new_transfers() -> int:
    """Write the emails of every upload not yet told, however young (queued on Redis)."""
    # First: an upload committed from here on queues the next run, one before is seen now.
    taskqueue.mark_clear(notify_new_transfers, mark=NEW_TASK_WAITING)
    return transfers_notify_pending(limit=None, after=None)
