"""The API's rate limit: so many requests per token per period, counted in the shared cache.

A fixed window (`S2S_API_RATE`, default 600 a minute): each token's count for the current
period lives under one cache key, so every worker adds to the same count (Redis counts
atomically; the database cache may miss one of two racing requests). Over the limit the
request is refused before the endpoint runs: 429 with `Retry-After`, the seconds until the
period ends (api/errors.py).
"""

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

# Django's database cache gives a key its default timeout (300 s) again when it counts; a
# longer period re-sets its own.
_DEFAULT_TIMEOUT = 300


def seconds_left(period: int, now: float) -> int:
    """Return the whole seconds until the period that holds `now` ends (at least 1)."""
    return max(1, math.ceil(period - now % period))


class TokenRate(BaseThrottle):
    """Allow each API token `S2S_API_RATE` requests per period; requests without one pass.

    Shared by every request of every thread, so it keeps no state between its calls.
    """

    def allow_request(self, request: HttpRequest) -> bool:
        """Count this request against its token's period; return whether it is within the rate."""
        token_id = getattr(request, "api_token_id", None)
        if token_id is None:
            return True  # authentication refuses it anyway
        limit, period = settings.S2S_API_RATE
        key = f"api-rate:{token_id}:{int(time.time() // period)}"
        try:
            count = cache.incr(key)
        except ValueError:  # the period's first request
            cache.add(key, 0, timeout=period + 1)
            try:
                count = cache.incr(key)
            except ValueError:  # an expired row that `add` left in place (the clock moved on)
                cache.set(key, 1, timeout=period + 1)
                count = 1
        if period > _DEFAULT_TIMEOUT:
            cache.touch(key, timeout=period + 1)
        return count <= limit

    def wait(self) -> int:
        """Return the seconds until the current period ends, when the count starts again."""
        return seconds_left(settings.S2S_API_RATE[1], time.time())
