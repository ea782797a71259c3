"""Re-wrap every stored file's data key with the current master key; re-seal partnerships.

Files' content is untouched (only their data keys are re-wrapped); the sealed details of
shared partnership records are opened and sealed again under the current key.
"""

from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from s2s.core.progress import progress_printer
from s2s.transfers import crypto
from s2s.transfers.crypto import StoredFileError
from s2s.transfers.models import StoredFile
from s2s.transfers.storage import stored_file_rewrap

BATCH = 500


class Command(BaseCommand):
    help = (
        "Re-wrap each stored file's key with the current master key (S2S_ENCRYPTION_KEY), "
        "using the old keys in S2S_ENCRYPTION_OLD_KEYS to unwrap them. Files are not "
        "re-encrypted. Then re-seals the details of shared partnership records under the "
        "current key. Safe to run again: what is already under the current key is skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true",
            help="check that every key unwraps, and count, but change nothing",
        )
        parser.add_argument("--limit", type=int, default=None, help="handle at most N files")

    def handle(self, *, dry_run: bool, limit: int | None, **options):
        master = crypto.master_key_current()
        current = StoredFile.objects.filter(key_id=master.key_id).count()
        todo = StoredFile.objects.exclude(key_id=master.key_id).order_by("pk")
        total = todo.count() if limit is None else min(todo.count(), limit)
        self.stdout.write(
            f"Current master key {master.key_id}: {current} files already use it, "
            f"{total} to re-wrap{' (dry run)' if dry_run else ''}."
        )
        counts = self._rewrap_all(todo, master=master, total=total, dry_run=dry_run)
        verb = "Would re-wrap" if dry_run else "Re-wrapped"
        self.stdout.write(
            f"{verb} {counts['rewrapped']} files; {counts['skipped']} changed meanwhile; "
            f"{counts['failed']} could not be unwrapped."
        )
        failed = counts["failed"] + self._reseal_partnerships(dry_run=dry_run)
        if failed:
            raise CommandError(
                "Some files' keys could not be unwrapped or partnership records opened (see "
                "above): keep their master keys in S2S_ENCRYPTION_OLD_KEYS and run this again."
            )

    def _reseal_partnerships(self, *, dry_run: bool) -> int:
        # Partnerships seal with the master key too (`partnerships/sealing.py`); imported
        # here, the one place that must know every user of the master key.
        from s2s.partnerships.sealing import records_reseal

        counts = records_reseal(dry_run=dry_run)
        verb = "Would re-seal" if dry_run else "Re-sealed"
        self.stdout.write(
            f"{verb} {counts['resealed']} partnership records; {counts['current']} already "
            f"under the current key; {counts['failed']} could not be opened."
        )
        return counts["failed"]

    def _rewrap_all(self, todo, *, master: crypto.MasterKey, total: int, dry_run: bool):
        counts = Counter(rewrapped=0, skipped=0, failed=0)
        # On a terminal one line counts up; in a log, one line per batch.
        progress = progress_printer(self.stdout, "files", every=BATCH)
        done = 0
        last_pk = 0
        while done < total:
            batch = list(todo.filter(pk__gt=last_pk)[: min(BATCH, total - done)])
            if not batch:
                break
            for stored in batch:
                counts[self._rewrap_one(stored, master=master, dry_run=dry_run)] += 1
            done += len(batch)
            last_pk = batch[-1].pk
            progress(done, total)
        return counts

    def _rewrap_one(self, stored: StoredFile, *, master: crypto.MasterKey, dry_run: bool) -> str:
        try:
            changed = stored_file_rewrap(stored=stored, master=master, dry_run=dry_run)
        except StoredFileError as exc:
            self.stderr.write(f"Stored file {stored.pk}: {exc.message}")
            return "failed"
        return "rewrapped" if changed else "skipped"

