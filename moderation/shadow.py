"""Shadow scoring: a candidate model scores live reviews beside the model in service; its
decisions are recorded, compared and never acted on (the domain; no HTTP here).

This is how a new model is tried on the store's real traffic before it is activated: how many
decisions it would change, and which labels it would flag more or less often.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final, cast

from sqlalchemy import Connection, Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from moderation.scoring import Scored
from moderation.storage.models import Review, ShadowScore, utcnow

_SHADOW: Final = cast(Table, ShadowScore.__table__)
# The report reads at most this many of the latest shadow scores: enough for every share to be
# exact to a tenth of a percent, bounded so the page stays fast however long shadowing runs.
REPORT_LIMIT: Final = 50_000


async def store(session: AsyncSession, reviews: Sequence[Review], scored: Sequence[Scored]) -> None:
    """Record the shadow model's outcome for stored reviews (their ids set), in the caller's
    transaction."""
    await (await session.connection()).run_sync(write, reviews, scored)


def write(connection: Connection, reviews: Sequence[Review], scored: Sequence[Scored]) -> None:
    """`store` on a synchronous connection, in its transaction."""
    now = utcnow()
    rows = [
        {
            "review_pk": review.id,
            "model_version": s.model_version,
            "labels": {k: round(v, 4) for k, v in s.scores.items()},
            "flags": list(s.outcome.flags),
            "decision": s.outcome.decision,
            "legal_hold": s.outcome.legal_hold,
            "at": now,
        }
        for review, s in zip(reviews, scored, strict=True)
    ]
    if rows:
        connection.execute(insert(_SHADOW), rows)


async def report(session: AsyncSession, version: str, since: datetime | None) -> dict[str, Any]:
    """How the shadow model `version` compares with the automatic decisions made live.

    Counts only: no review text or id, so the report can be shared with whoever evaluates the
    candidate. `since` limits it to scores recorded after that time (the shadow's start).
    """
    query = (
        select(
            Review.auto_decision,
            Review.flags,
            Review.legal_hold,
            ShadowScore.decision,
            ShadowScore.flags,
            ShadowScore.legal_hold,
        )
        .join(Review, Review.id == ShadowScore.review_pk)
        .where(ShadowScore.model_version == version)
        .order_by(ShadowScore.id.desc())
        .limit(REPORT_LIMIT)
    )
    if since is not None:
        query = query.where(ShadowScore.at >= since)
    decisions: Counter[str] = Counter()
    added: Counter[str] = Counter()
    removed: Counter[str] = Counter()
    legal = Counter[str]()
    n = same = 0
    for live_decision, live_flags, live_hold, decision, flags, hold in await session.execute(query):
        n += 1
        same += live_decision == decision
        decisions[f"{live_decision} -> {decision}"] += 1
        for label in set(flags) - set(live_flags):
            added[label] += 1
        for label in set(live_flags) - set(flags):
            removed[label] += 1
        if live_hold != hold:
            legal["added" if hold else "removed"] += 1
    return {
        "reviews": n,
        "same_decision": round(same / n, 4) if n else None,
        "decisions": dict(sorted(decisions.items())),
        # Per label: reviews the shadow flags and the live model did not, and the reverse.
        "flags_added": dict(sorted(added.items())),
        "flags_removed": dict(sorted(removed.items())),
        "legal_hold_added": legal["added"],
        "legal_hold_removed": legal["removed"],
        "capped_at": REPORT_LIMIT if n == REPORT_LIMIT else None,
    }
