"""The tests' own Redis database: S2S_TEST_REDIS_URL (db 5 of the local Redis by default).

The tests that use it empty it first; skipped when no Redis answers (`.ci/run` starts one).
"""

import os

import pytest

TEST_REDIS_URL = os.environ.get("S2S_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")


def redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


needs_redis = pytest.mark.skipif(not redis_reachable(), reason=f"no Redis at {TEST_REDIS_URL}")


def redis_emptied():
    """Return a client of the tests' Redis database, emptied."""
    import redis

    client = redis.Redis.from_url(TEST_REDIS_URL)
    client.flushdb()
    return client
