"""Data minimisation: IPs and user agents of old reviews are removed unless under legal hold."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from moderation.storage import audit
from moderation.storage.models import LegalCase, Submitter


async def run_retention(session: AsyncSession, now: datetime, keep: timedelta) -> int:
    """Strip IP and user agent from submitter records older than `keep`; return how many."""
    held = select(LegalCase.review_pk).where(LegalCase.status == "open")
    result = await session.execute(
        update(Submitter)
        .where(
            Submitter.submitted_at < now - keep,
            Submitter.minimised_at.is_(None),
            Submitter.review_pk.not_in(held),
        )
        .values(ip=None, user_agent=None, minimised_at=now)
        .execution_options(synchronize_session=False)
    )
    count = int(result.rowcount or 0)  # type: ignore[attr-defined]
    await audit.append(
        session,
        "system:retention",
        "retention.run",
        None,
        {"minimised": count, "older_than_days": keep.days},
    )
    return count
