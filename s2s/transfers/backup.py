"""Backups: the database, the encrypted objects and which master key wraps each, in a directory.

A backup directory holds:

- `database.json.gz`: Django's `dumpdata` of every app (natural keys for content types and
  permissions, which `migrate` makes anew; sessions left out), read from one snapshot of the
  database (REPEATABLE READ on PostgreSQL; on SQLite the dump holds the write lock, so writes
  wait until it ends). It loads into SQLite or PostgreSQL alike, with the same version of s2s.
- `objects/`: each stored file's encrypted object, byte for byte, under its storage path.
  Objects are copied through Django's storage API, so local disk and S3 work the same.
- `objects.csv`: one line per object: path, the id of the master key that wraps its data key,
  its size in bytes and the SHA-256 of the encrypted bytes (checked again on restore).
- `manifest.json`: the format, when, which database, the counts, the master key ids needed and
  how many objects each wraps, and the audit chain's head at the time (the chain's follower
  runs first, so it covers the rows written until then; rows written since are dumped
  unchained and linked when restored).

The master keys themselves are never in a backup: the objects are useless without them, which
is the point. Keep them (S2S_ENCRYPTION_KEY and every key in S2S_ENCRYPTION_OLD_KEYS) in the
secret store the service reads them from, and a copy apart from the backups (README.md,
"Backups").
"""

import csv
import hashlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from s2s.audit.chain import chain_follow
from s2s.core.errors import ServiceError
from s2s.transfers import crypto
from s2s.transfers.models import StoredFile
from s2s.transfers.storage import file_storage

FORMAT = "s2s-backup-1"
MANIFEST = "manifest.json"
DATABASE = "database.json.gz"
OBJECTS = "objects"
OBJECT_LIST = "objects.csv"
# Made by `migrate` itself, or not worth keeping (everyone signs in again after a restore);
# django_rq's one model is a stand-in for its admin page, with no table.
NOT_DUMPED = ["contenttypes", "auth.permission", "sessions", "django_rq"]
# Rows that an empty, migrated database already holds.
NOT_DATA = {"contenttypes.contenttype", "auth.permission", "audit.auditchainhead"}
_CHUNK = 1 << 20

Progress = Callable[[int, int], None]


def _quiet(done: int, total: int) -> None:
    pass


@dataclass
class BackupSummary:
    objects: int = 0
    bytes: int = 0
    keys: dict[str, int] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_out(stored_path: str, target: Path) -> tuple[int, str]:
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with file_storage().open(stored_path, "rb") as source, target.open("wb") as sink:
        while chunk := source.read(_CHUNK):
            sink.write(chunk)
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def backup_write(*, directory: Path, stdout=None, progress: Progress = _quiet) -> BackupSummary:
    """Write a backup of the database and the stored objects into `directory` (new or empty)."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise ServiceError(_("%(directory)s is not empty: back up into a new directory.")
                           % {"directory": directory})
    (directory / OBJECTS).mkdir(parents=True)
    summary = BackupSummary()
    chain_follow()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The dump and the list of objects see one moment, so every reference holds.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        call_command("dumpdata", natural_foreign=True, exclude=NOT_DUMPED,
                     output=str(directory / DATABASE), verbosity=1 if stdout else 0,
                     stdout=stdout)
        head = apps.get_model("audit", "AuditChainHead").objects.filter(pk=1).first()
        rows = StoredFile.objects.order_by("pk").values_list("path", "key_id")
        total = rows.count()
        keys = Counter()
        with (directory / OBJECT_LIST).open("w", newline="") as listing:
            writer = csv.writer(listing)
            writer.writerow(["path", "key_id", "bytes", "sha256"])
            for done, (path, key_id) in enumerate(rows.iterator(2000), start=1):
                try:
                    size, sha256 = _copy_out(path, directory / OBJECTS / path)
                except FileNotFoundError:
                    summary.missing.append(path)  # deleted since the snapshot
                else:
                    writer.writerow([path, key_id, size, sha256])
                    keys[key_id] += 1
                    summary.objects += 1
                    summary.bytes += size
                progress(done, total)
    summary.keys = dict(sorted(keys.items()))
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "database": {"vendor": connection.vendor, "file": DATABASE,
                     "sha256": _sha256_of(directory / DATABASE)},
        "objects": {"file": OBJECT_LIST, "count": summary.objects, "bytes": summary.bytes,
                    "missing": summary.missing},
        "master_keys": {
            "note": "Not in this backup: restore needs each of these key ids configured in "
                    "S2S_ENCRYPTION_KEY or S2S_ENCRYPTION_OLD_KEYS.",
            "objects_by_key_id": summary.keys,
        },
        "audit_chain": {"length": head.length if head else 0, "hash": head.hash if head else ""},
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return summary


def backup_manifest(directory: Path) -> dict:
    """Return a backup's manifest, or refuse if the directory holds no backup s2s can read."""
    try:
        manifest = json.loads((Path(directory) / MANIFEST).read_text())
    except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError):
        raise ServiceError(_("%(directory)s holds no s2s backup (no readable %(manifest)s).")
                           % {"directory": directory, "manifest": MANIFEST}) from None
    if manifest.get("format") != FORMAT:
        raise ServiceError(_("%(directory)s is a backup in format '%(format)s'; this s2s reads "
                             "%(reads)s.") % {"directory": directory,
                                             "format": manifest.get("format"), "reads": FORMAT})
    return manifest


def database_holds_data() -> list[str]:
    """Return the models that hold rows an empty, migrated database would not have."""
    return [model._meta.label for model in apps.get_models()
            if model._meta.label_lower not in NOT_DATA and model._meta.managed
            and model._base_manager.exists()]


def _copy_in(source: Path, stored_path: str, *, sha256: str, force: bool) -> bool:
    """Put one object back under its path; return False if the same bytes were already there."""
    storage = file_storage()
    if storage.exists(stored_path):
        digest = hashlib.sha256()
        with storage.open(stored_path, "rb") as present:
            while chunk := present.read(_CHUNK):
                digest.update(chunk)
        if digest.hexdigest() == sha256:
            return False
        if not force:
            raise ServiceError(_("The file store already holds a different object at "
                                 "%(path)s; restore with --force to replace it.")
                               % {"path": stored_path})
        storage.delete(stored_path)
    with source.open("rb") as handle:
        saved = storage.save(stored_path, handle)
    if saved != stored_path:
        raise ServiceError(_("The file store put %(path)s at %(saved)s instead.")
                           % {"path": stored_path, "saved": saved})
    return True


def backup_restore(*, directory: Path, force: bool = False, stdout=None,
                   progress: Progress = _quiet) -> BackupSummary:
    """Restore a backup into this service's database and file store.

    Refuses a database that holds data unless `force` (which empties it first), and a backup
    whose master keys are not all configured. Objects go back first, then the database, so no
    restored row points at an object that is not there.
    """
    directory = Path(directory)
    manifest = backup_manifest(directory)
    needed = manifest["master_keys"]["objects_by_key_id"]
    missing_keys = sorted(set(needed) - set(crypto.master_key_ring()))
    if missing_keys:
        raise ServiceError(_(
            "The backup's files are wrapped by master key(s) %(keys)s, which are not "
            "configured: set them in S2S_ENCRYPTION_OLD_KEYS (or S2S_ENCRYPTION_KEY) from where "
            "you keep them, then restore again.") % {"keys": ", ".join(missing_keys)})
    if _sha256_of(directory / DATABASE) != manifest["database"]["sha256"]:
        raise ServiceError(_("%(database)s in %(directory)s is damaged: its SHA-256 differs "
                             "from the manifest's.") % {"database": DATABASE,
                                                        "directory": directory})
    call_command("migrate", interactive=False, verbosity=0)
    holding = database_holds_data()
    if holding and not force:
        raise ServiceError(_(
            "The database already holds data (%(models)s): restore refuses to write over it. "
            "Restore with --force to empty it and load the backup instead.")
            % {"models": ", ".join(holding[:5]) + (", ..." if len(holding) > 5 else "")})
    with (directory / OBJECT_LIST).open(newline="") as listing:
        entries = list(csv.DictReader(listing))
    summary = BackupSummary(keys=needed)
    for done, entry in enumerate(entries, start=1):
        source = directory / OBJECTS / entry["path"]
        if not source.is_file() or _sha256_of(source) != entry["sha256"]:
            raise ServiceError(_("The backup's object %(path)s is missing or damaged.")
                               % {"path": entry["path"]})
        _copy_in(source, entry["path"], sha256=entry["sha256"], force=force)
        summary.objects += 1
        summary.bytes += int(entry["bytes"])
        progress(done, len(entries))
    with transaction.atomic():
        if holding:
            call_command("flush", interactive=False, verbosity=0)
        call_command("loaddata", str(directory / DATABASE), verbosity=1 if stdout else 0,
                     stdout=stdout)
    summary.missing = manifest["objects"]["missing"]
    return summary
