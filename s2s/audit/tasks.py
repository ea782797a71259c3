"""The audit trail's task: the follower that links new rows into the hash chain (chain.py)."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from s2s.audit.chain import chain_follow

# After an audited commit the follower runs this much later, so each process queues at most
# one follower a second however many audited commits it makes.
FOLLOW_AFTER = timedelta(seconds=1)
# When the follower this process last queued is due (per process; threads racing here queue
# one follower too many, which finds nothing to do).
_follower_due = None


@task()
def follow_audit_chain() -> int:
    """Link the audit rows written since the last run into the chain; return how many."""
    return chain_follow()


def follow_soon() -> None:
    """Make sure a follower runs after this moment: queue one unless one is already due later.

    A follower due later than now reads every row committed before now, so one queued task
    covers every audited commit until it is due. The backend that runs tasks at once (tests)
    runs it now.
    """
    global _follower_due
    if not follow_audit_chain.get_backend().supports_defer:
        follow_audit_chain.enqueue()
        return
    now = timezone.now()
    if _follower_due is not None and _follower_due > now:
        return
    due = now + FOLLOW_AFTER
    follow_audit_chain.using(run_after=due).enqueue()
    _follower_due = due
