"""The shared caches: the database's, committing without waiting for the disk, and Redis'.

The shared cache holds counters (API rate limits, sign-in failures per address) written on
every API request. Django's database cache commits each write on its own; on PostgreSQL that
waits for the write-ahead log to reach the disk (about 4 ms on the shared box, more under
load). A counter lost in a crash costs nothing, so these commits do not wait
(`synchronous_commit = off`, for that transaction only). SQLite, and writes inside a
caller's transaction, are left as they are.

A count (`incr`, every API request's rate limit) is one locked read and one update in such a
transaction on PostgreSQL: Django's own reads the row, then writes it back through `set`,
which counts the table's rows first and rewrites its expiry (eight statements, two of them
commits). Its expiry is kept, and the lock stops two racing requests counting once.

On Redis a count is one round trip: Django's asks whether the key exists, then adds.
"""

import base64
import pickle

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache as _DatabaseCache
from django.core.cache.backends.redis import RedisCache as _RedisCache
from django.db import connections, router, transaction
from django.utils import timezone


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

    def incr(self, key, delta=1, version=None):
        """Add `delta` to the key's number and return it; ValueError when there is none."""
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        if connection.vendor != "postgresql" or connection.in_atomic_block:
            return super().incr(key, delta, version)
        key = self.make_and_validate_key(key, version=version)
        quote = connection.ops.quote_name
        table = quote(self._table)
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            cursor.execute(f"SELECT {quote('value')}, {quote('expires')} FROM {table} "
                           f"WHERE {quote('cache_key')} = %s FOR UPDATE", [key])
            row = cursor.fetchone()
            if row is None or row[1] < timezone.now():
                raise ValueError(f"Key '{key}' not found")
            value = pickle.loads(base64.b64decode(row[0].encode())) + delta
            cursor.execute(
                f"UPDATE {table} SET {quote('value')} = %s WHERE {quote('cache_key')} = %s",
                [base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1"),
                 key])
        return value


# INCRBY only a key that is there (Django's `incr` raises ValueError for one that is not).
_INCR_EXISTING = ("if redis.call('exists', KEYS[1]) == 1 then "
                  "return redis.call('incrby', KEYS[1], ARGV[1]) end return false")


class RedisCache(_RedisCache):
    """Django's Redis cache, counting (`incr`) in one round trip instead of two."""

    def incr(self, key, delta=1, version=None):
        """Add `delta` to the key's number and return it; ValueError when there is none."""
        key = self.make_and_validate_key(key, version=version)
        value = self._cache.get_client(key, write=True).eval(_INCR_EXISTING, 1, key, delta)
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value
