"""Fixtures for the encrypted store: files under tmp_path, known master keys."""

import pytest

# Two master keys, written down: bytes 0..31 and bytes 100..131, and their key ids.
KEY_A = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
KEY_A_ID = "d5b50071e2eec6e3"
KEY_B = "ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CBgoM="
KEY_B_ID = "b6f8954313447989"


@pytest.fixture(autouse=True)
def file_store(settings, tmp_path):
    """Point the transfers storage at a fresh directory; return that directory."""
    location = tmp_path / "files"
    settings.STORAGES = {
        **settings.STORAGES,
        "transfers": {
            "BACKEND": "s2s.transfers.storage.LocalObjectStorage",  # as deployed
            "OPTIONS": {"location": location},
        },
    }
    return location


@pytest.fixture(autouse=True)
def master_key(settings):
    settings.ENCRYPTION_KEY = KEY_A
    settings.ENCRYPTION_OLD_KEYS = []
    return KEY_A


def stored_objects(location):
    """Return the paths of the objects in the store, relative to it."""
    if not location.exists():
        return []
    return sorted(str(p.relative_to(location)) for p in location.rglob("*") if p.is_file())


@pytest.fixture
def upload(db):
    """Return a function that uploads bytes under a name as a user, through the service."""
    import io

    from s2s.transfers.services import transfer_upload

    def send(user, name, content):
        return transfer_upload(user=user, name=name, content=io.BytesIO(content))

    return send
