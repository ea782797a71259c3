"""Seal and open the details of a shared record, so they are encrypted at rest.

AES-256-GCM under a key derived (HKDF) from the master key of `transfers/crypto.py`, as
stored files are.

A sealed value is the master key's id (16 characters), a 12-byte nonce and the ciphertext of
the JSON details; the id says which configured master key (current or old) opens it.
"""

import json
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from s2s.transfers.crypto import master_key_current, master_key_ring

_LABEL = b"s2s partnership record details"
_KEY_ID = 16
_NONCE = 12
_cache: dict[tuple[str, bytes], AESGCM] = {}


def _aead(key_id: str, master: bytes) -> AESGCM:
    found = _cache.get((key_id, master))
    if found is None:
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_LABEL).derive(master)
        found = _cache[(key_id, master)] = AESGCM(derived)
    return found


def seal(details: dict) -> bytes:
    """Return the details encrypted under the current master key."""
    master = master_key_current()
    nonce = os.urandom(_NONCE)
    plain = json.dumps(details, separators=(",", ":")).encode()
    return (master.key_id.encode() + nonce
            + _aead(master.key_id, master.key).encrypt(nonce, plain, master.key_id.encode()))


def unseal(sealed: bytes | memoryview | None) -> dict:
    """Return the details a sealed value holds ({} for none)."""
    if not sealed:
        return {}
    sealed = bytes(sealed)
    key_id = sealed[:_KEY_ID].decode()
    master = master_key_ring()[key_id]
    nonce, body = sealed[_KEY_ID:_KEY_ID + _NONCE], sealed[_KEY_ID + _NONCE:]
    return json.loads(_aead(key_id, master.key).decrypt(nonce, body, key_id.encode()))


def key_id_of(sealed: bytes | memoryview) -> str:
    """Return the id of the master key a sealed value is under."""
    return bytes(sealed[:_KEY_ID]).decode()


def reseal(sealed: bytes | memoryview) -> bytes:
    """Return the same details sealed again under the current master key."""
    return seal(unseal(sealed))


def records_reseal(*, dry_run: bool = False, batch: int = 500) -> dict[str, int]:
    """Re-seal every shared record not under the current master key (`s2s rotate_master_key`).

    Return counts: `resealed`, `current` (already under the current key) and `failed` (under
    a key no longer configured: keep it in S2S_ENCRYPTION_OLD_KEYS and run again). Each record
    is rewritten only if it still holds what was read, so a retention or objection deleting it
    meanwhile is no failure.
    """
    from s2s.partnerships.models import SharedRecord

    current = master_key_current().key_id
    counts = {"resealed": 0, "current": 0, "failed": 0}
    last = 0
    sealed = SharedRecord.objects.filter(sealed__isnull=False)
    while True:
        rows = list(sealed.filter(pk__gt=last).order_by("pk").values_list("pk", "sealed")
                    [:batch])
        if not rows:
            return counts
        for pk, value in rows:
            if key_id_of(value) == current:
                counts["current"] += 1
                continue
            try:
                fresh = reseal(value)  # opens first: a missing key fails even in a dry run
            except KeyError:
                counts["failed"] += 1
                continue
            if not dry_run:
                SharedRecord.objects.filter(pk=pk, sealed=value).update(sealed=fresh)
            counts["resealed"] += 1
        last = rows[-1][0]
