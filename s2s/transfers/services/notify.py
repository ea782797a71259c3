"""The emails an accepted upload sends, written by the worker after the upload has committed.

The upload queues one `notify_transfer` task in its own transaction, so the request does not
render a dozen templates and the task exists exactly when the file does. The task writes the
emails to the outbox and stamps `notified_at` in one transaction, so running it twice (a
retry, the sweep racing the task) writes them once. The minutely sweep
(`s2s notify_transfers`) catches any upload whose task was lost or failed.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from s2s.transfers import emails
from s2s.transfers.models import Transfer

# The sweep leaves younger uploads to their own task, which normally runs within seconds.
SWEEP_AFTER = timedelta(minutes=1)
SWEEP_LIMIT = 500


def transfer_notify_queue(*, transfer: Transfer) -> None:
    """Queue the upload's emails for the worker, in the caller's transaction.

    A generic zip sends none (seed 003, 5.7), so it is marked notified at once.
    """
    if transfer.is_generic:
        Transfer.objects.filter(pk=transfer.pk).update(notified_at=transfer.uploaded_at)
        return
    # Imported here: the tasks module imports this one.
    from s2s.transfers.tasks import notify_transfer

    notify_transfer.enqueue(transfer_id=transfer.pk)


def transfer_notify(*, transfer_id: int) -> int:
    """Write the upload's emails to the outbox, once; return how many were written."""
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
        Transfer.objects.filter(pk=transfer.pk).update(notified_at=timezone.now())
    return written


def transfers_notify_pending(*, now=None, limit: int = SWEEP_LIMIT) -> int:
    """Write the emails of uploads whose task has not done it within a minute."""
    now = now or timezone.now()
    pending = (Transfer.objects.filter(notified_at__isnull=True,
                                       uploaded_at__lte=now - SWEEP_AFTER)
               .order_by("uploaded_at").values_list("pk", flat=True)[:limit])
    return sum(transfer_notify(transfer_id=pk) for pk in list(pending))
