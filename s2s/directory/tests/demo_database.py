"""The demo loaded once for a test module, in a transaction rolled back after its last test."""

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings


@dataclass
class DemoLoaded:
    output: str  # what `s2s demo` printed
    storages: dict  # the STORAGES setting its files are in


@contextmanager
def demo_loaded(django_db_blocker, files: Path) -> Iterator[DemoLoaded]:
    """Load the demo (quick password hashing, tasks inline, files under `files`); undo it after.

    Each test of the module runs in a savepoint inside the transaction.
    """
    storages = {**settings.STORAGES, "transfers": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": files}}}
    quick = override_settings(
        STORAGES=storages, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}})
    with django_db_blocker.unblock(), quick, transaction.atomic():
        out = io.StringIO()
        call_command("demo", "--if-empty", stdout=out)
        yield DemoLoaded(output=out.getvalue(), storages=storages)
        transaction.set_rollback(True)
