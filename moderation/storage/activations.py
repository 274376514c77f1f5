"""Which model the instances serve, and which they score in its shadow: changes recorded in
the database, the latest of each role wins.

A change made through one instance (or the CLI) reaches every instance sharing the database,
and a restarted instance comes back on it instead of on its configured default.
"""

from __future__ import annotations

from typing import Final, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from moderation.storage import audit
from moderation.storage.models import ModelActivation, utcnow

Role = Literal["live", "shadow"]
ROLES: Final[tuple[Role, ...]] = ("live", "shadow")


async def latest(session: AsyncSession, role: Role = "live") -> ModelActivation | None:
    """The change in force for `role`, or None when there never was one."""
    return await session.scalar(
        select(ModelActivation)
        .where(ModelActivation.role == role)
        .order_by(ModelActivation.id.desc())
        .limit(1)
    )


async def activate(
    session: AsyncSession,
    version: str | None,
    actor: str,
    previous: str | None,
    role: Role = "live",
) -> ModelActivation:
    """Record a change and its audit event, in the caller's transaction.

    The caller checks that the artifact loads first: a row naming a broken artifact would
    send every instance after it. `version` None is only for "shadow": scoring stops.
    """
    if version is None and role == "live":
        raise ValueError("the live model cannot be turned off")
    row = ModelActivation(role=role, version=version, activated_at=utcnow(), actor=actor)
    session.add(row)
    await session.flush()
    action = "model.activated" if role == "live" else "model.shadow"
    data = {"from": previous, "to": version, "id": row.id}
    await audit.append(session, actor, action, None, data)
    return row
