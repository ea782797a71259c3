"""Re-wrap every stored file's data key with the current master key; re-seal partnerships.

Files' content is untouched (only their data keys are re-wrapped); the sealed details of
shared partnership records are opened and sealed again under the current key.
"""

from collections import Counter

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s.core.commands import LanguageCommand
from s2s.core.progress import progress_printer
from s2s.transfers import crypto
from s2s.transfers.crypto import StoredFileError
from s2s.transfers.models import StoredFile
from s2s.transfers.storage import stored_file_rewrap

BATCH = 500


class Command(LanguageCommand):
    help = gettext_lazy(
        "Re-wrap each stored file's key with the current master key (S2S_ENCRYPTION_KEY), "
        "using the old keys in S2S_ENCRYPTION_OLD_KEYS to unwrap them. Files are not "
        "re-encrypted. Then re-seals the details of shared partnership records under the "
        "current key. Safe to run again: what is already under the current key is skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true",
            help=gettext_lazy("check that every key unwraps, and count, but change nothing"),
        )
        parser.add_argument("--limit", type=int, default=None,
                            help=gettext_lazy("handle at most N files"))

    def handle(self, *, dry_run: bool, limit: int | None, **options):
        master = crypto.master_key_current()
        current = StoredFile.objects.filter(key_id=master.key_id).count()
        todo = StoredFile.objects.exclude(key_id=master.key_id).order_by("pk")
        total = todo.count() if limit is None else min(todo.count(), limit)
        line = (_("Current master key %(key)s: %(current)d files already use it, %(total)d to "
                  "re-wrap (dry run).") if dry_run else
                _("Current master key %(key)s: %(current)d files already use it, %(total)d to "
                  "re-wrap."))
        self.stdout.write(line % {"key": master.key_id, "current": current, "total": total})
        counts = self._rewrap_all(todo, master=master, total=total, dry_run=dry_run)
        done = (_("Would re-wrap %(rewrapped)d files; %(skipped)d changed meanwhile; "
                  "%(failed)d could not be unwrapped.") if dry_run else
                _("Re-wrapped %(rewrapped)d files; %(skipped)d changed meanwhile; %(failed)d "
                  "could not be unwrapped."))
        self.stdout.write(done % counts)
        failed = counts["failed"] + self._reseal_partnerships(dry_run=dry_run)
        if failed:
            raise CommandError(_(
                "Some files' keys could not be unwrapped or partnership records opened (see "
                "above): keep their master keys in S2S_ENCRYPTION_OLD_KEYS and run this again."))

    def _reseal_partnerships(self, *, dry_run: bool) -> int:
        # Partnerships seal with the master key too (`partnerships/sealing.py`); imported
        # here, the one place that must know every user of the master key.
        from s2s.partnerships.sealing import records_reseal

        counts = records_reseal(dry_run=dry_run)
        done = (_("Would re-seal %(resealed)d partnership records; %(current)d already under "
                  "the current key; %(failed)d could not be opened.") if dry_run else
                _("Re-sealed %(resealed)d partnership records; %(current)d already under the "
                  "current key; %(failed)d could not be opened."))
        self.stdout.write(done % counts)
        return counts["failed"]

    def _rewrap_all(self, todo, *, master: crypto.MasterKey, total: int, dry_run: bool):
        counts = Counter(rewrapped=0, skipped=0, failed=0)
        # On a terminal one line counts up; in a log, one line per batch.
        progress = progress_printer(self.stdout, _("files"), every=BATCH)
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
            self.stderr.write(_("Stored file %(id)s: %(problem)s")
                              % {"id": stored.pk, "problem": exc.message})
            return "failed"
        return "rewrapped" if changed else "skipped"

