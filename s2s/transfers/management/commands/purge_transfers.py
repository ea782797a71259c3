"""`s2s purge_transfers`: the nightly retention job (issue 4, "Retention and audit").

Deletes the files due for deletion (their encrypted objects and pupil index; the transfer's
row stays as `deleted`, and the audit trail keeps its UPNs), then warns about files that will
go soon without having been collected. Scheduled daily at 02:00 (`s2s/schedule.py`); safe to
run at any time, and two runs at once never do the same thing twice.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s.core.commands import LanguageCommand
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


class Command(LanguageCommand):
    help = gettext_lazy(
        "Delete files kept past their retention period (S2S_RETAIN_COLLECTED_DAYS after "
        "collection or rejection, S2S_RETAIN_UNCOLLECTED_DAYS after upload if never "
        "collected) and warn before deleting an uncollected one (S2S_RETENTION_WARN_DAYS). "
        "Prints what it did (or, with --dry-run, would do)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true",
                            help=gettext_lazy("delete nothing, send nothing, record nothing"))
        parser.add_argument("--limit", type=int, default=None, metavar="N",
                            help=gettext_lazy("do at most N things (deletions and warnings) this "
                                              "run"))

    def handle(self, *args, dry_run=False, limit=None, **options):
        self.now = timezone.now()
        self.dry_run = dry_run
        self.left = limit
        self.progress = self.stderr.isatty() and options.get("verbosity", 1) > 0
        deleted = self._delete()
        warned = self._warn()
        pruned = 0 if dry_run else notices_prune(now=self.now)
        values = {"deleted": deleted, "warned": warned, "pruned": pruned}
        if dry_run:
            done = _("Would delete %(deleted)d file(s); would warn about %(warned)d file(s).")
        elif pruned:
            done = _("Deleted %(deleted)d file(s); warned about %(warned)d file(s); pruned "
                     "%(pruned)d old notice record(s).")
        else:
            done = _("Deleted %(deleted)d file(s); warned about %(warned)d file(s).")
        self.stdout.write(done % values)

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
                line = (_("Would delete %(file)s (transfer %(id)s, %(status)s, due %(date)s)")
                        if self.dry_run else
                        _("Deleted %(file)s (transfer %(id)s, %(status)s, due %(date)s)"))
                self.stdout.write(line % {
                    "file": transfer.name, "id": transfer.pk,
                    "status": str(transfer.get_status_display()).lower(),
                    "date": f"{deletion_date(transfer):%Y-%m-%d}"})
            self._show_progress(count, total, _("Deleting"))
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
            line = (_("Would warn that %(file)s (transfer %(id)s) will be deleted on %(date)s, "
                      "in %(days)d day(s)") if self.dry_run else
                    _("Warned that %(file)s (transfer %(id)s) will be deleted on %(date)s, in "
                      "%(days)d day(s)"))
            self.stdout.write(line % {"file": warning.transfer.name, "id": warning.transfer.pk,
                                      "date": f"{warning.delete_on:%Y-%m-%d}",
                                      "days": warning.days})
        return count

