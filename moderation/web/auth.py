"""Bearer tokens and roles: each handler declares the roles it admits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from aiohttp import web
from aiohttp.typedefs import Handler

from moderation.web.errors import fail
from moderation.web.keys import ACTOR, ROLE, SESSIONS, TOKEN_CACHE

F = TypeVar("F", bound=Callable[..., Any])


def roles(*allowed: str) -> Callable[[F], F]:
    """Declare the roles a handler admits."""

    def mark(handler: F) -> F:
        handler.roles = frozenset(allowed)  # type: ignore[attr-defined]
        return handler

    return mark


def _bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


@web.middleware
async def authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
    """401 without a valid token, 403 with a token of a role the handler does not admit."""
    allowed: frozenset[str] | None = getattr(request.match_info.handler, "roles", None)
    if allowed is None:
        return await handler(request)
    token = _bearer(request)
    if token is None:
        fail(401, "unauthorized", "send 'Authorization: Bearer <token>'")
    found = await request.app[TOKEN_CACHE].lookup(request.app[SESSIONS], token)
    if found is None:
        fail(401, "unauthorized", "the token is not valid")
    role, name = found
    if role not in allowed:
        fail(403, "forbidden", f"the '{role}' role may not use this endpoint")
    request[ROLE] = role
    request[ACTOR] = f"{role}:{name}"
    return await handler(request)
