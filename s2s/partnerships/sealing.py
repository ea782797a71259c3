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
