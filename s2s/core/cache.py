"""The database cache, with its writes committed without waiting for the disk on PostgreSQL.

The shared cache holds counters (API rate limits, sign-in failures per address) written on
every API request. Django's database cache commits each write on its own; on PostgreSQL that
waits for the write-ahead log to reach the disk (about 4 ms on the shared box, more under
load). A counter lost in a crash costs nothing, so these commits do not wait
(`synchronous_commit = off`, for that transaction only). SQLite, and writes inside a
caller's transaction, are left as they are.
"""

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache as _DatabaseCache
from django.db import connections, router, transaction


class DatabaseCache(_DatabaseCache):
    """Django's database cache, committing its own writes asynchronously on PostgreSQL."""

    def _base_set(self, mode, key, value, timeout=DEFAULT_TIMEOUT):
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        if connection.vendor != "postgresql" or connection.in_atomic_block:
            return super()._base_set(mode, key, value, timeout)
        with transaction.atomic(using=db):
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
            return super()._base_set(mode, key, value, timeout)
