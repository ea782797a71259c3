"""Recomputing stored search keys after the sound-alike key changes (issue 17: Welsh names).

A record's keys are written once, at intake. When `phonetics.sound_key` or the surname variants
change, records already stored keep the old keys and a search by the new ones would miss them:
migration 0007 and `s2s rekey_lost_pupils` rewrite them with the current code.
"""

from django.db import transaction

from s2s.lostpupils.keys import surname_variants, variants_text
from s2s.lostpupils.models import HELD, LostPupilName, LostPupilRecord
from s2s.lostpupils.phonetics import sound_key

_READ = ("id", "surname", "preferred_surname", "former_surname", "forename_norm",
         "forename_key", "name_keys")


def _changes(row: dict) -> dict | None:
    """Return the record's keys as the current code writes them, or None if they are so."""
    name_keys = variants_text(surname_variants(
        surname=row["surname"], preferred=row["preferred_surname"],
        former=row["former_surname"]))
    forename_key = sound_key(row["forename_norm"])
    if name_keys == row["name_keys"] and forename_key == row["forename_key"]:
        return None
    return {"id": row["id"], "name_keys": name_keys, "forename_key": forename_key}


def lost_pupil_keys_recompute(*, dry_run: bool = False, batch_size: int = 2000,
                              records=LostPupilRecord, names=LostPupilName) -> int:
    """Rewrite each held record's keys that differ from the current code's; return how many.

    The keys are the surname variants (`name_keys` and the name rows) and the forename key.

    Removed and purged records have no keys to rewrite. `records` and `names` are the models
    (a migration passes its historical ones). With `dry_run`, count and write nothing.
    """
    statuses = [str(status) for status in HELD]
    changed = 0
    last = 0
    while True:
        rows = list(records.objects.filter(status__in=statuses, pk__gt=last)
                    .order_by("pk").values(*_READ)[:batch_size])
        if not rows:
            return changed
        last = rows[-1]["id"]
        updates = [change for change in map(_changes, rows) if change is not None]
        changed += len(updates)
        if dry_run or not updates:
            continue
        with transaction.atomic():
            records.objects.bulk_update(
                [records(id=u["id"], name_keys=u["name_keys"], forename_key=u["forename_key"])
                 for u in updates], ["name_keys", "forename_key"])
            names.objects.filter(record_id__in=[u["id"] for u in updates]).delete()
            names.objects.bulk_create([
                names(record_id=u["id"], kind=kind, name=name, key=key)
                for u in updates for kind, name, key in
                (variant.split(":") for variant in u["name_keys"].split())])
