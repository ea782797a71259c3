"""Issue 20: API rate limits per token, 429 with Retry-After, counted in the shared cache."""

import socket
import uuid

import pytest
from django.core.cache import cache

from s2s.api.tests.conftest import api_client
from s2s.api.throttling import seconds_left
from s2s.core.envvars import env_rate


@pytest.fixture
def three_a_minute(settings):
    settings.S2S_API_RATE = (3, 60)


def _over_the_limit(client):
    answers = [client.get("/api/v1/files") for _ in range(4)]
    return [a.status_code for a in answers], answers[-1]


def test_a_token_over_its_rate_is_refused_with_429_and_retry_after(
        three_a_minute, receiving_school_user):
    statuses, refused = _over_the_limit(api_client(receiving_school_user))
    assert statuses == [200, 200, 200, 429]
    assert 1 <= int(refused["Retry-After"]) <= 60
    body = refused.json()
    assert body["code"] == "rate_limited"
    assert "at most 3 in 60 seconds" in body["message"]


def test_each_token_has_its_own_count(three_a_minute, receiving_school_user):
    first, second = api_client(receiving_school_user), api_client(receiving_school_user)
    assert _over_the_limit(first)[0][-1] == 429
    assert second.get("/api/v1/files").status_code == 200


def test_a_request_without_a_working_token_is_refused_before_it_is_counted(
        three_a_minute, receiving_school_user):
    stranger = api_client(receiving_school_user)
    stranger.key = "s2s_not-a-token"
    assert {stranger.get("/api/v1/files").status_code for _ in range(5)} == {401}


def test_the_wait_is_the_time_left_in_the_period():
    assert seconds_left(60, 1_200_000_020.2) == 40
    assert seconds_left(60, 1_200_000_019.9) == 41
    assert seconds_left(3600, 7200.0) == 3600


@pytest.mark.parametrize(("text", "rate"), [("600/minute", (600, 60)), ("5/second", (5, 1)),
                                            ("10000/day", (10000, 86400))])
def test_a_rate_is_read_from_its_setting(monkeypatch, text, rate):
    monkeypatch.setenv("S2S_API_RATE", text)
    assert env_rate("S2S_API_RATE", "600/minute") == rate


@pytest.mark.parametrize("text", ["600", "600/fortnight", "-1/minute", "0/minute", "lots/hour"])
def test_a_rate_that_is_not_one_is_a_configuration_error(monkeypatch, text):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("S2S_API_RATE", text)
    with pytest.raises(ImproperlyConfigured, match="S2S_API_RATE must be"):
        env_rate("S2S_API_RATE", "600/minute")


def _redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_reachable(), reason="no Redis on 127.0.0.1:6379")
def test_the_count_lives_in_redis_when_s2s_cache_url_names_it(
        settings, three_a_minute, receiving_school_user):
    settings.CACHES = {"default": {
        "BACKEND": "s2s.core.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/0",
        # Others share this Redis: a key space of this test's own, removed after.
        "KEY_PREFIX": f"s2s-test-{uuid.uuid4().hex}"}}
    redis = cache._cache.get_client()
    ours = f"{settings.CACHES['default']['KEY_PREFIX']}:*"
    try:
        statuses, _refused = _over_the_limit(api_client(receiving_school_user))
        assert statuses == [200, 200, 200, 429]
        [key] = redis.keys(ours)
        assert int(redis.get(key)) == 4
        assert 0 < redis.ttl(key) <= 61
    finally:
        for key in redis.keys(ours):
            redis.delete(key)


@pytest.mark.skipif(not _redis_reachable(), reason="no Redis on 127.0.0.1:6379")
def test_a_redis_count_refuses_a_missing_key_and_keeps_the_expiry(settings):
    settings.CACHES = {"default": {
        "BACKEND": "s2s.core.cache.RedisCache", "LOCATION": "redis://127.0.0.1:6379/0",
        "KEY_PREFIX": f"s2s-test-{uuid.uuid4().hex}"}}
    try:
        with pytest.raises(ValueError, match="not found"):
            cache.incr("count")
        assert cache.get("count") is None  # not created by the refused count
        cache.add("count", 0, timeout=30)
        assert [cache.incr("count"), cache.incr("count", 5)] == [1, 6]
        assert cache.get("count") == 6
        redis = cache._cache.get_client()
        assert 0 < redis.ttl(cache.make_key("count")) <= 30
    finally:
        cache.delete("count")
