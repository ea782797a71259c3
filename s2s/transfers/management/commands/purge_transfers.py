"""`s2s purge_transfers`: the nightly retention job (issue 4, "Retention and audit").

Deletes the files due for deletion (their encrypted objects and pupil index; the transfer's
row stays as `deleted`, and the audit trail keeps its UPNs), then warns about files that will
go soon without having been collected. Scheduled daily at 02:00 (`s2s/schedule.py`); safe to
run at any time, and two runs at once never do the same thing twice.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from s2s.transfers.retention import (
    deletion_date,
    notices_prune,
    transfer_purge,
    transfer_retention_warn,
    transfers_to_delete,
    warning_sent,
    warnings_due,
)

# On a terminal, a progress line once this many files have been dealt with.
PROGRESS_EVERY = 100


class Command(BaseCommand):
    help = (
        "Delete files kept past their retention period (S2S_RETAIN_COLLECTED_DAYS after "
        "collection or rejection, S2S_RETAIN_UNCOLLECTED_DAYS after upload if never "
        "collected) and warn before deleting an uncollected one (S2S_RETENTION_WARN_DAYS). "
        "Prints what it did (or, with --dry-run, would do)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true",
                            help="delete nothing, send nothing, record nothing")
        parser.add_argument("--limit", type=int, default=None, metavar="N",
                            help="do at most N things (deletions and warnings) this run")

    def handle(self, *args, dry_run=False, limit=None, **options):
        self.now = timezone.now()
        self.dry_run = dry_run
        self.left = limit
        self.progress = self.stderr.isatty() and options.get("verbosity", 1) > 0
        deleted = self._delete()
        warned = self._warn()
        pruned = 0 if dry_run else notices_prune(now=self.now)
        verb, warn_verb = ("Would delete", "would warn") if dry_run else ("Deleted", "warned")
        self.stdout.write(
            f"{verb} {deleted} file(s); {warn_verb} about {warned} file(s)"
            + (f"; pruned {pruned} old notice record(s)." if pruned else ".")
        )

    def _room(self) -> bool:
        return self.left is None or self.left > 0

    def _spend(self) -> None:
        if self.left is not None:
            self.left -= 1

    def _show_progress(self, done: int, total: int, what: str) -> None:
        if self.progress and total >= PROGRESS_EVERY and (done % PROGRESS_EVERY == 0
                                                           or done == total):
            end = "\n" if done == total else ""
            self.stderr.write(f"\r{what}: {done}/{total}", ending=end)
            self.stderr.flush()

    def _delete(self) -> int:
        due = transfers_to_delete(now=self.now)
        total = due.count() if self.left is None else min(due.count(), self.left)
        count = 0
        for transfer in due.iterator():
            if not self._room():
                break
            if self.dry_run or transfer_purge(transfer=transfer, now=self.now):
                count += 1
                self._spend()
                self.stdout.write(
                    f"{'Would delete' if self.dry_run else 'Deleted'} {transfer.name} "
                    f"(transfer {transfer.pk}, {transfer.get_status_display().lower()}, "
                    f"due {deletion_date(transfer):%Y-%m-%d})"
                )
            self._show_progress(count, total, "Deleting")
        return count

    def _warn(self) -> int:
        count = 0
        for warning in warnings_due(now=self.now):
            if not self._room():
                break
            if self.dry_run:
                if warning_sent(warning=warning):
                    continue
            elif transfer_retention_warn(warning=warning, now=self.now) is None:
                continue
            count += 1
            self._spend()
            self.stdout.write(
                f"{'Would warn' if self.dry_run else 'Warned'} that {warning.transfer.name} "
                f"(transfer {warning.transfer.pk}) will be deleted on "
                f"{warning.delete_on:%Y-%m-%d}, in {warning.days} day(s)"
            )
        return count

