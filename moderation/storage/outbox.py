"""The webhook outbox: messages written with the change they report, delivered later."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from moderation.storage.models import OutboxMessage, utcnow

MAX_BACKOFF: Final = timedelta(hours=1)


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: 2, 4, 8 … seconds, at most an hour."""
    return min(timedelta(seconds=2 ** min(attempts, 20)), MAX_BACKOFF)


def enqueue(session: AsyncSession, event: str, review_id: str, payload: dict[str, Any]) -> None:
    """Add a message to the caller's transaction: it exists exactly when the change does."""
    session.add(OutboxMessage(event=event, review_id=review_id, payload=payload))


async def claim(
    session: AsyncSession, now: datetime, lease: timedelta = timedelta(seconds=60), limit: int = 20
) -> list[OutboxMessage]:
    """Take due messages for delivery: their next attempt moves `lease` ahead, so another
    instance (or this one after a crash) retries them only if this delivery never reports."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.delivered_at.is_(None), OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        # Several instances deliver in parallel without taking the same message.
        query = query.with_for_update(skip_locked=True)
    messages = list((await session.scalars(query)).all())
    for m in messages:
        m.next_attempt_at = now + lease
    await session.flush()
    return messages


async def mark(
    session: AsyncSession, message_id: int, *, ok: bool, attempts: int, error: str | None = None
) -> None:
    """Record one delivery attempt."""
    now = utcnow()
    values: dict[str, Any] = {"attempts": attempts, "last_error": error}
    if ok:
        values["delivered_at"] = now
    else:
        values["next_attempt_at"] = now + backoff(attempts)
    await session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values)
    )
