"""The emails an accepted upload sends, written by the worker after the upload has committed.

The transfer row is the outbox: `notified_at` is empty until its emails are written, and a
partial index finds the rows still waiting. The task that writes them writes the emails and
stamps `notified_at` in one transaction, so running it twice (a retry, two sweeps racing)
writes them once. With the task queue in the database, the upload queues one
`notify_transfer` task in its own transaction (the task row exists exactly when the file
does). On Redis, a push cannot join the transaction anyway: once the upload commits it
queues `notify_new_transfers` unless one is already waiting to start, and that one task
writes the emails of every upload not yet told, so a busy minute pushes a handful of tasks
rather than one per upload (a push cost 0.6 ms of the upload's CPU, issue 18). Either way
the minutely sweep (`s2s notify_transfers`) catches any upload whose task was lost or failed.

The same once-only step tells the arrival listeners (`core/arrivals.py`: a CME case's child
turning up) that a CTF delivered to a school brought its pupils there. The upload's answer
does not need it, and on the upload's path it cost a query and its Python on every CTF
(issue 18); here it is flagged seconds later, exactly once, or by the sweep within minutes.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from s2s.core import taskqueue
from s2s.core.arrivals import pupils_arrived
from s2s.transfers import emails
from s2s.transfers.models import Transfer

# The sweep leaves younger uploads to their own task, which normally runs within seconds.
SWEEP_AFTER = timedelta(minutes=1)
SWEEP_LIMIT = 500
# Set in the queue's Redis while a `notify_new_transfers` task waits to start.
NEW_TASK_WAITING = "s2s:transfers:notify-new-waiting"
# A push lost after the mark was set delays the next one by this long at most (the minutely
# sweep writes those emails meanwhile).
NEW_TASK_WAITING_SECONDS = 60


def transfer_notify_queue(*, transfer: Transfer) -> None:
    """Queue the upload's emails for the worker: in the caller's transaction, or after it.

    A generic zip sends none (seed 003, 5.7), so it is marked notified at once.
    """
    if transfer.is_generic:
        Transfer.objects.filter(pk=transfer.pk).update(notified_at=transfer.uploaded_at)
        return
    # Imported here: the tasks module imports this one.
    from s2s.transfers.tasks import notify_new_transfers, notify_transfer

    if taskqueue.uses_redis():
        transaction.on_commit(lambda: taskqueue.enqueue_unless_waiting(
            notify_new_transfers, mark=NEW_TASK_WAITING, seconds=NEW_TASK_WAITING_SECONDS),
            robust=True)
        return
    notify_transfer.enqueue(transfer_id=transfer.pk)


def transfer_notify(*, transfer_id: int) -> int:
    """Write the upload's emails to the outbox and tell of its arrivals, once.

    Return how many emails were written.
    """
    with transaction.atomic():
        transfer = (
            Transfer.objects.select_for_update(of=("self",))
            .select_related("source_establishment__la", "destination_establishment__la",
                            "source_la", "destination_la", "redirected_from", "uploaded_by")
            .filter(pk=transfer_id, notified_at__isnull=True).first()
        )
        if transfer is None:
            return 0  # already told, or the file is gone
        written = emails.transfer_uploaded_notify(transfer=transfer)
        _arrivals_tell(transfer)
        Transfer.objects.filter(pk=transfer.pk).update(notified_at=timezone.now())
    return written


def _arrivals_tell(transfer: Transfer) -> None:
    """Tell the arrival listeners of a CTF delivered to a school (a CME case's child)."""
    if transfer.file_type != "CTF" or transfer.destination_establishment_id is None:
        return
    if transfer.is_lost_pupil:
        return
    pupils_arrived(establishment=transfer.destination_establishment, via="ctf",
                   upns=transfer.pupils.values_list("upn", flat=True))


def transfers_notify_pending(*, now=None, limit: int | None = SWEEP_LIMIT,
                             after: timedelta | None = SWEEP_AFTER) -> int:
    """Write the emails of uploads whose task has not done it within a minute (`after`).

    With `after` None, of every upload not yet told, however young (`notify_new_transfers`).
    """
    pending = Transfer.objects.filter(notified_at__isnull=True)
    if after is not None:
        pending = pending.filter(uploaded_at__lte=(now or timezone.now()) - after)
    pks = pending.order_by("uploaded_at").values_list("pk", flat=True)[:limit]
    return sum(transfer_notify(transfer_id=pk) for pk in list(pks))
