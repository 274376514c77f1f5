"""Which model the instances serve: activations recorded in the database, the latest wins.

An activation made through one instance (or the CLI) reaches every instance sharing the
database, and a restarted instance comes back on it instead of on its configured default.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from moderation.storage import audit
from moderation.storage.models import ModelActivation, utcnow


async def latest(session: AsyncSession) -> ModelActivation | None:
    """The activation in force, or None when no model was ever activated."""
    return await session.scalar(
        select(ModelActivation).order_by(ModelActivation.id.desc()).limit(1)
    )


async def activate(
    session: AsyncSession, version: str, actor: str, previous: str | None
) -> ModelActivation:
    """Record an activation and its audit event, in the caller's transaction.

    The caller checks that the artifact loads first: a row naming a broken artifact would
    send every instance after it.
    """
    row = ModelActivation(version=version, activated_at=utcnow(), actor=actor)
    session.add(row)
    await session.flush()
    await audit.append(
        session, actor, "model.activated", None, {"from": previous, "to": version, "id": row.id}
    )
    return row
