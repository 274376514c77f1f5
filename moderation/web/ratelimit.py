"""Per-token rate limiting: a token bucket for each bearer token (keyed by its hash).

Registered right after `authenticate`, so it only ever sees requests whose token is valid:
an unknown token is refused (401) before it can take a bucket, and the number of buckets is
bounded by the number of real tokens. Routes without a bearer role (health, metrics, the
OpenAPI document, the moderators' page) are not limited here.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from moderation.settings import Settings
from moderation.web.errors import error_response
from moderation.web.keys import ROLE

_MAX_BUCKETS = 10_000  # safety valve; full buckets of idle tokens are dropped first


class TokenBuckets:
    """Token buckets: `rate` requests a second on average, bursts of up to `burst`."""

    def __init__(
        self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if rate < 0 or burst < 0:
            raise ValueError("rate_limit_per_second and rate_limit_burst must not be negative")
        self.rate = rate
        # A burst of 0 means "one second's worth"; a bucket always holds at least one request.
        self.capacity = max(burst if burst > 0 else rate, 1.0)
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last refill)

    def take(self, key: str) -> float:
        """0.0 when the request may go ahead, else the seconds until it may."""
        now = self.clock()
        tokens, last = self._buckets.get(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.rate)
        if tokens >= 1.0:
            self._store(key, tokens - 1.0, now)
            return 0.0
        self._store(key, tokens, now)
        return (1.0 - tokens) / self.rate

    def _store(self, key: str, tokens: float, now: float) -> None:
        if key not in self._buckets and len(self._buckets) >= _MAX_BUCKETS:
            idle = self.capacity / self.rate  # after this long a bucket is full again
            self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < idle}
            if len(self._buckets) >= _MAX_BUCKETS:
                self._buckets.clear()
        self._buckets[key] = (tokens, now)


def _token_key(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    # Only the hash is kept in memory, as in the database.
    return hashlib.sha256(token.strip().encode()).hexdigest()


def rate_limit(settings: Settings) -> Middleware:
    """The middleware for one application; `rate_limit_per_second = 0` turns it off."""
    if settings.rate_limit_per_second <= 0:

        @web.middleware
        async def unlimited(request: web.Request, handler: Handler) -> web.StreamResponse:
            return await handler(request)

        return unlimited

    buckets = TokenBuckets(settings.rate_limit_per_second, settings.rate_limit_burst)

    @web.middleware
    async def limited(request: web.Request, handler: Handler) -> web.StreamResponse:
        key = _token_key(request) if ROLE in request else None
        if key is not None:
            wait = buckets.take(key)
            if wait > 0:
                response = error_response(
                    429,
                    "rate_limited",
                    f"too many requests with this token; retry in {wait:.2f} seconds",
                )
                response.headers["Retry-After"] = str(max(1, math.ceil(wait)))
                return response
        return await handler(request)

    return limited
