"""Recently seen tokens, so not every request costs a database read."""

from __future__ import annotations

import time

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from moderation.storage.tokens import role_of

_CACHE_SECONDS = 30.0  # a revoked token stops working within this time


class TokenCache:
    """Recently seen tokens, so not every request costs a database read."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[float, tuple[str, str] | None]] = {}

    async def lookup(
        self,
        sessions: async_sessionmaker[AsyncSession],
        token: str,
    ) -> tuple[str, str] | None:
        """(role, name) of the token, or None."""
        now = time.monotonic()
        hit = self._seen.get(token)
        if hit and now - hit[0] < _CACHE_SECONDS:
            return hit[1]
        async with sessions() as session:
            found = await role_of(session, token)
        if len(self._seen) > 10_000:
            self._seen.clear()
        if found is not None:  # unknown tokens are not cached: a new token works at once
            self._seen[token] = (now, found)
        return found
