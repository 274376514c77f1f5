"""Shared secrets generated once and kept in the database (e.g. the pseudonym key)."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from moderation.storage.models import ServiceKey


async def get_or_create(sessions: async_sessionmaker[AsyncSession], name: str) -> str:
    """The secret `name`; the first instance to ask creates it, the others read it."""
    async with sessions() as session:
        value = await session.scalar(select(ServiceKey.value).where(ServiceKey.name == name))
    if value is not None:
        return value
    try:
        async with sessions() as session, session.begin():
            session.add(ServiceKey(name=name, value=secrets.token_hex(32)))
    except IntegrityError:
        pass  # another instance created it first
    async with sessions() as session:
        value = await session.scalar(select(ServiceKey.value).where(ServiceKey.name == name))
    if value is None:  # pragma: no cover - the row was just written
        raise RuntimeError(f"service key {name} could not be created")
    return value
