"""The moderators' page session: an HMAC-signed cookie (never the token) and its CSRF secret."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final
from urllib.parse import urlsplit

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from moderation.storage.models import Token
from moderation.storage.tokens import token_hash
from moderation.web import persian
from moderation.web.errors import fail
from moderation.web.keys import SESSION_SECRET, SESSIONS

COOKIE: Final = "negahban_session"
PATH: Final = "/queue"
LIFETIME: Final = timedelta(hours=8)
CSRF_FIELD: Final = "csrf"
CSRF_HEADER: Final = "X-CSRF-Token"
_CONTEXT: Final = b"negahban-page-session-v1."  # keeps these MACs apart from other uses of a key


@dataclass(frozen=True, slots=True)
class Signed:
    """What the cookie carries: the token's row id, when it ends, the CSRF secret."""

    token_id: int
    expires: int  # Unix seconds
    csrf: str


@dataclass(frozen=True, slots=True)
class Moderator:
    """A signed-in moderator, checked against the token table on every request."""

    name: str
    csrf: str

    @property
    def actor(self) -> str:
        """The audit actor; the same as for this token on the JSON API."""
        return f"moderator:{self.name}"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, body: str) -> str:
    return _b64(hmac.new(secret.encode(), _CONTEXT + body.encode(), hashlib.sha256).digest())


def new_session(token_id: int, now: float) -> Signed:
    """A fresh session with its own CSRF secret."""
    return Signed(token_id, int(now + LIFETIME.total_seconds()), secrets.token_urlsafe(32))


def sign(secret: str, signed: Signed) -> str:
    """The cookie value: base64url(JSON payload) '.' base64url(HMAC-SHA256)."""
    payload = {"tid": signed.token_id, "exp": signed.expires, "csrf": signed.csrf}
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    return f"{body}.{_mac(secret, body)}"


def verify(secret: str, value: str, now: float) -> Signed | None:
    """The session in a cookie value, or None when it is tampered with, malformed or expired."""
    body, dot, mac = value.partition(".")
    if not dot or not hmac.compare_digest(_mac(secret, body).encode(), mac.encode()):
        return None
    try:
        data: Any = json.loads(_unb64(body))
    except (ValueError, binascii.Error):
        return None
    if not isinstance(data, dict):
        return None
    tid, exp, csrf = data.get("tid"), data.get("exp"), data.get("csrf")
    if not (type(tid) is int and type(exp) is int and isinstance(csrf, str) and csrf):
        return None
    if exp <= now:
        return None
    return Signed(tid, exp, csrf)


async def token_row(session: AsyncSession, token: str) -> tuple[int, str, str] | None:
    """(row id, role, name) of a valid, unrevoked token."""
    row = (
        await session.execute(
            select(Token.id, Token.role, Token.name).where(
                Token.token_sha256 == token_hash(token), Token.revoked_at.is_(None)
            )
        )
    ).first()
    return (row[0], row[1], row[2]) if row else None


async def _moderator_name(session: AsyncSession, token_id: int) -> str | None:
    row = (
        await session.execute(
            select(Token.role, Token.name).where(Token.id == token_id, Token.revoked_at.is_(None))
        )
    ).first()
    return row[1] if row and row[0] == "moderator" else None


async def current(request: web.Request) -> Moderator | None:
    """The signed-in moderator, or None (no cookie, bad signature, expired, token revoked)."""
    value = request.cookies.get(COOKIE)
    if not value:
        return None
    signed = verify(request.app[SESSION_SECRET], value, time.time())
    if signed is None:
        return None
    # A revoked token ends its sessions at once, not when the cookie expires.
    async with request.app[SESSIONS]() as session:
        name = await _moderator_name(session, signed.token_id)
    return Moderator(name, signed.csrf) if name is not None else None


def set_cookie(response: web.StreamResponse, request: web.Request, signed: Signed) -> None:
    """Set the session cookie: HttpOnly, SameSite=Strict, only under /queue, Secure on https."""
    response.set_cookie(
        COOKIE,
        sign(request.app[SESSION_SECRET], signed),
        path=PATH,
        max_age=int(LIFETIME.total_seconds()),
        httponly=True,
        samesite="Strict",
        secure=request.secure,
    )


def clear_cookie(response: web.StreamResponse) -> None:
    """Remove the session cookie."""
    response.del_cookie(COOKIE, path=PATH)


def check_csrf(request: web.Request, moderator: Moderator, form: Mapping[str, Any]) -> None:
    """403 unless the request carries this session's CSRF value (header or form field)."""
    sent = request.headers.get(CSRF_HEADER) or form.get(CSRF_FIELD)
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), moderator.csrf.encode()):
        fail(403, "csrf", persian.CSRF)


def check_origin(request: web.Request) -> None:
    """403 when a browser says the form was posted from another site (login has no CSRF yet)."""
    origin = request.headers.get("Origin")
    if origin and urlsplit(origin).netloc != request.host:
        fail(403, "csrf", persian.CSRF)
