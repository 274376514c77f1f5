"""The audit trail: append-only events, each carrying the digest of the one before."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final, cast

from sqlalchemy import Connection, Table, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from moderation.storage.models import AuditEvent, utcnow

GENESIS: Final = "0" * 64
_LOCK_KEY: Final = 7_420_001  # pg_advisory_xact_lock key serialising appends to the chain
_EVENTS: Final = cast(Table, AuditEvent.__table__)
# Built once: a statement keeps its cache key, which SQLAlchemy would otherwise recompute.
_LAST_DIGEST: Final = select(_EVENTS.c.digest).order_by(_EVENTS.c.id.desc()).limit(1)
_INSERT_EVENTS: Final = insert(_EVENTS)
_LOCK: Final = text("SELECT pg_advisory_xact_lock(:k)")


def canonical(obj: Any) -> bytes:
    """Canonical JSON: sorted keys, no spaces, UTF-8 (the input of every digest)."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def event_digest(
    prev: str, at: datetime, actor: str, action: str, review_id: str | None, data: dict[str, Any]
) -> str:
    """SHA-256 of an event's content and its predecessor's digest."""
    body = {
        "prev": prev,
        "at": at.isoformat(),
        "actor": actor,
        "action": action,
        "review_id": review_id,
        "data": data,
    }
    return hashlib.sha256(canonical(body)).hexdigest()


async def append(
    session: AsyncSession, actor: str, action: str, review_id: str | None, data: dict[str, Any]
) -> None:
    """Add one event to the chain, in the caller's transaction."""
    await append_many(session, [(actor, action, review_id, data)])


async def append_many(
    session: AsyncSession, entries: Sequence[tuple[str, str, str | None, dict[str, Any]]]
) -> None:
    """Add events to the chain in order, in the caller's transaction (`append_rows`)."""
    if entries:
        await (await session.connection()).run_sync(append_rows, entries)


def append_rows(
    connection: Connection, entries: Sequence[tuple[str, str, str | None, dict[str, Any]]]
) -> None:
    """Add events to the chain in order, in the connection's transaction: one read, one
    insert, Core statements (synchronous: see `reviews.write_many`)."""
    if not entries:
        return
    if connection.dialect.name == "postgresql":
        # Appends from several instances must not read the same predecessor: hold a
        # transaction-scoped lock until commit.
        connection.execute(_LOCK, {"k": _LOCK_KEY})
    prev = connection.scalar(_LAST_DIGEST)
    prev = prev or GENESIS
    rows: list[dict[str, Any]] = []
    for actor, action, review_id, data in entries:
        at = utcnow()
        digest = event_digest(prev, at, actor, action, review_id, data)
        rows.append(
            {
                "at": at,
                "actor": actor,
                "action": action,
                "review_id": review_id,
                "data": data,
                "prev_digest": prev,
                "digest": digest,
            }
        )
        prev = digest
    # One multi-row insert, rows in chain order: ids are assigned in that order, and verify
    # walks by id.
    connection.execute(_INSERT_EVENTS, rows)


def verify_chain(events: Sequence[AuditEvent]) -> list[str]:
    """Problems found walking the chain in id order; empty when it is intact."""
    problems: list[str] = []
    prev = GENESIS
    for e in events:
        if e.prev_digest != prev:
            problems.append(
                f"event {e.id}: does not follow the previous event "
                "(an event was deleted, inserted or reordered)"
            )
        expected = event_digest(e.prev_digest, e.at, e.actor, e.action, e.review_id, e.data)
        if e.digest != expected:
            problems.append(f"event {e.id}: content does not match its digest (edited)")
        prev = e.digest
    return problems
