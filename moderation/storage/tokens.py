"""API tokens: random, shown once, stored as SHA-256, one role each."""

from __future__ import annotations

import hashlib
import secrets
from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from moderation.storage.models import Token

ROLES: Final = ("storefront", "moderator", "legal", "admin")
PREFIX: Final = "ngb_"


def token_hash(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


async def create_token(session: AsyncSession, role: str, name: str = "") -> str:
    """Store a new token for `role` and return it (the only time it is seen)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
    token = PREFIX + secrets.token_urlsafe(32)
    session.add(Token(token_sha256=token_hash(token), role=role, name=name or role))
    await session.flush()
    return token


async def role_of(session: AsyncSession, token: str) -> tuple[str, str] | None:
    """(role, name) of a valid, unrevoked token, or None."""
    row = (
        await session.execute(
            select(Token.role, Token.name).where(
                Token.token_sha256 == token_hash(token), Token.revoked_at.is_(None)
            )
        )
    ).first()
    return (row[0], row[1]) if row else None
