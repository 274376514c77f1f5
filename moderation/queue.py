"""The moderators' queue: list, claim (a lease), decide, undo (the domain; no HTTP here)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from moderation.edits import Edit as PlannedEdit
from moderation.edits import apply_edits
from moderation.intake import storable
from moderation.labels import LABELS
from moderation.storage import audit, outbox
from moderation.storage.models import AuditEvent, ModeratorLabel, Review, utcnow

ACTIONS: Final = ("approve", "approve_edited", "edit", "reject", "escalate")
REJECT_REASONS: Final = (*LABELS, "off_topic", "other")
# What each action publishes, and the labels it confirms for retraining.
_DECISION: Final = {
    "approve": "publish",
    "approve_edited": "publish_edited",
    "edit": "publish_edited",
    "reject": "reject",
    "escalate": "hold",
}


class QueueError(Exception):
    """A queue operation that cannot be done; `code` maps to an HTTP status in the web layer."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Filters:
    """What a moderator asked the queue for."""

    label: str | None = None
    min_score: float = 0.0
    max_age: timedelta | None = None
    limit: int = 50
    which: str = "pending"  # pending | rejected


def _open_to(moderator: str, now: datetime) -> Any:
    """Unclaimed, claimed by this moderator, or the lease ran out."""
    return or_(
        Review.claimed_by.is_(None), Review.claimed_by == moderator, Review.claim_expires_at < now
    )


def _decidable() -> Any:
    """Held reviews, and rejected ones (a rejection can be overturned)."""
    return or_(Review.status == "pending", Review.decision == "reject")


async def list_items(
    session: AsyncSession, moderator: str, now: datetime, filters: Filters
) -> list[Review]:
    """Items this moderator may take, most severe first, then oldest."""
    if filters.which == "rejected":
        query = select(Review).where(Review.decision == "reject", Review.status == "final")
    else:
        query = select(Review).where(Review.status == "pending")
    query = query.where(_open_to(moderator, now)).options(selectinload(Review.edits))
    if filters.max_age is not None:
        query = query.where(Review.created_at >= now - filters.max_age)
    rows = (
        await session.scalars(
            query.order_by(Review.severity.desc(), Review.created_at, Review.id).limit(
                filters.limit if filters.label is None and not filters.min_score else 2000
            )
        )
    ).all()
    # Label and score filters look inside the JSON scores; done here, portable to both
    # databases, over a bounded candidate list.
    out = [
        r
        for r in rows
        if (filters.label is None or filters.label in r.flags)
        and (
            not filters.min_score
            or max((r.labels.get(f, 0.0) for f in r.flags), default=0.0) >= filters.min_score
        )
    ]
    return out[: filters.limit]


async def author_history(session: AsyncSession, author: str) -> dict[str, int]:
    """How this author's reviews ended: published, edited, held, rejected."""
    rows = (
        await session.execute(
            select(Review.decision, func.count())
            .where(Review.author == author)
            .group_by(Review.decision)
        )
    ).all()
    counts = {decision: int(n) for decision, n in rows}
    return {
        "published": counts.get("publish", 0),
        "edited": counts.get("publish_edited", 0),
        "held": counts.get("hold", 0),
        "rejected": counts.get("reject", 0),
    }


def moderator_view(review: Review, history: dict[str, int]) -> dict[str, Any]:
    """What a moderator sees: never the storefront user id, IP or user agent."""
    return {
        "id": review.review_id,
        "product_id": review.product_id,
        "text": review.text,
        "spans": review.spans,
        "edits": review.edit_dicts(),
        "auto_decision": review.auto_decision,
        "auto_published_text": review.auto_published_text,
        "decision": review.decision,
        "status": review.status,
        "labels": review.labels,
        "flags": review.flags,
        "rules": review.rules,
        "model_version": review.model_version,
        "policy_version": review.policy_version,
        "legal_hold": review.legal_hold,
        "severity": review.severity,
        "created_at": review.created_at.isoformat(),
        "claimed_by": review.claimed_by,
        "claim_expires_at": review.claim_expires_at.isoformat()
        if review.claim_expires_at
        else None,
        "author": {"pseudonym": review.author, "history": history},
    }


async def claim(
    session: AsyncSession, review_id: str, moderator: str, now: datetime, lease: timedelta
) -> Review:
    """Take an item for `lease`; one atomic UPDATE, so two moderators cannot both win."""
    _known(review_id)
    result = await session.execute(
        update(Review)
        .where(Review.review_id == review_id, _decidable(), _open_to(moderator, now))
        .values(claimed_by=moderator, claim_expires_at=now + lease)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        await _explain(session, review_id, now)
    await audit.append(
        session, moderator, "queue.claim", review_id, {"until": (now + lease).isoformat()}
    )
    review = await _load(session, review_id)
    assert review is not None
    return review


async def release(session: AsyncSession, review_id: str, moderator: str) -> None:
    """Give an item back before its lease ends."""
    result = None
    if storable(review_id):  # else no claim can exist (and PostgreSQL cannot compare it)
        result = await session.execute(
            update(Review)
            .where(Review.review_id == review_id, Review.claimed_by == moderator)
            .values(claimed_by=None, claim_expires_at=None)
            .execution_options(synchronize_session=False)
        )
    if result is None or result.rowcount != 1:  # type: ignore[attr-defined]
        raise QueueError("not_claimed", f"you do not hold a claim on '{review_id}'")
    await audit.append(session, moderator, "queue.release", review_id, {})


def _known(review_id: str) -> None:
    """No stored id holds a NUL or a lone surrogate (PostgreSQL cannot even compare one)."""
    if not storable(review_id):
        raise QueueError("not_found", "no review with this id")


async def _load(session: AsyncSession, review_id: str) -> Review | None:
    return await session.scalar(
        select(Review)
        .where(Review.review_id == review_id)
        .options(selectinload(Review.edits))
        .execution_options(populate_existing=True)
    )


async def _explain(session: AsyncSession, review_id: str, now: datetime) -> None:
    review = await _load(session, review_id)
    if review is None:
        raise QueueError("not_found", f"no review '{review_id}'")
    if not (review.status == "pending" or review.decision == "reject"):
        raise QueueError("not_in_queue", f"review '{review_id}' is not waiting for a decision")
    raise QueueError(
        "claimed",
        f"review '{review_id}' is claimed by another moderator until "
        f"{review.claim_expires_at.isoformat() if review.claim_expires_at else '?'}",
    )


def _state(review: Review) -> dict[str, Any]:
    return {
        "decision": review.decision,
        "published_text": review.published_text,
        "status": review.status,
        "legal_hold": review.legal_hold,
        "moderator_action": review.moderator_action,
        "moderator_reason": review.moderator_reason,
        "moderator_note": review.moderator_note,
        "decided_by": review.decided_by,
        "decided_at": review.decided_at.isoformat() if review.decided_at else None,
    }


def confirmed_labels(review: Review, action: str, reason: str | None) -> list[str]:
    """The labels a decision confirms: none when approved, the reason's label when rejected."""
    if action in ("approve", "edit"):
        return []
    if action == "approve_edited":
        # The automatic edits were right: the flags they fixed stand (e.g. personal_info).
        return [f for f in review.flags if f in ("personal_info", "spam", "insult")]
    if action == "escalate":
        return sorted(set(review.flags) | {"criminal"}, key=LABELS.index)
    if reason in LABELS:
        return sorted(set(review.flags) | {reason}, key=LABELS.index)
    return list(review.flags)


async def decide(
    session: AsyncSession,
    review_id: str,
    moderator: str,
    now: datetime,
    *,
    action: str,
    text: str | None = None,
    reason: str | None = None,
    note: str | None = None,
    lease: timedelta,
) -> Review:
    """Apply a moderator's decision; audit, webhook and training label in the same transaction."""
    if action not in ACTIONS:
        raise QueueError("invalid_action", f"action must be one of {', '.join(ACTIONS)}")
    if action == "edit" and not (text and text.strip()):
        raise QueueError("missing_text", "'edit' needs the moderator's 'text'")
    if action == "reject" and reason not in REJECT_REASONS:
        raise QueueError(
            "invalid_reason", f"'reject' needs a 'reason' from: {', '.join(REJECT_REASONS)}"
        )
    review = await claim(session, review_id, moderator, now, lease)  # atomic: we hold it now
    before = _state(review)
    if action == "approve":
        published: str | None = review.text
    elif action == "approve_edited":
        edits = [PlannedEdit(e.start, e.end, e.kind, e.replacement) for e in review.edits]
        published = apply_edits(review.text, edits)
    elif action == "edit":
        published = text
    else:
        published = None
    review.decision = _DECISION[action]
    review.published_text = published
    review.status = "escalated" if action == "escalate" else "final"
    review.legal_hold = review.legal_hold or action == "escalate"
    review.moderator_action = action
    review.moderator_reason = reason
    review.moderator_note = note
    review.decided_by = moderator
    review.decided_at = now
    review.updated_at = now
    review.claimed_by = None
    review.claim_expires_at = None
    labels = confirmed_labels(review, action, reason)
    session.add(
        ModeratorLabel(
            review_pk=review.id, labels=labels, action=action, moderator=moderator, at=now
        )
    )
    await audit.append(
        session,
        moderator,
        f"queue.{action}",
        review_id,
        {"before": before, "after": _state(review), "reason": reason, "note": note},
    )
    outbox.enqueue(session, "review.decided", review_id, _webhook_state(review))
    await session.flush()
    if action == "escalate":
        from moderation.legal import load_for_case, open_case

        full = await load_for_case(session, review_id)
        assert full is not None
        await open_case(session, full, moderator)
    return review


def _webhook_state(review: Review) -> dict[str, Any]:
    return {
        "id": review.review_id,
        "decision": review.decision,
        "published_text": review.published_text,
        "status": review.status,
        "moderator_action": review.moderator_action,
    }


async def undo(
    session: AsyncSession, review_id: str, moderator: str, now: datetime, window: timedelta
) -> Review:
    """Restore the state before this moderator's last decision, within `window`."""
    _known(review_id)
    review = await _load(session, review_id)
    if review is None:
        raise QueueError("not_found", f"no review '{review_id}'")
    if review.decided_by != moderator or review.decided_at is None:
        raise QueueError("nothing_to_undo", "you made no decision on this review to undo")
    if now - review.decided_at > window:
        raise QueueError(
            "undo_expired", f"decisions can be undone for {int(window.total_seconds())} seconds"
        )
    event = await session.scalar(
        select(AuditEvent)
        .where(
            AuditEvent.review_id == review_id,
            AuditEvent.action.like("queue.%"),
            AuditEvent.actor == moderator,
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    if event is None or "before" not in event.data:
        raise QueueError("nothing_to_undo", "no decision found to undo")
    before = event.data["before"]
    after = _state(review)
    review.decision = before["decision"]
    review.published_text = before["published_text"]
    review.status = before["status"]
    review.legal_hold = before["legal_hold"]
    review.moderator_action = before["moderator_action"]
    review.moderator_reason = before["moderator_reason"]
    review.moderator_note = before["moderator_note"]
    review.decided_by = before["decided_by"]
    review.decided_at = (
        datetime.fromisoformat(before["decided_at"]) if before["decided_at"] else None
    )
    review.updated_at = now
    # The undone decision's label must not train the next model.
    await session.execute(
        update(ModeratorLabel)
        .where(
            ModeratorLabel.review_pk == review.id,
            ModeratorLabel.superseded.is_(False),
            ModeratorLabel.moderator == moderator,
        )
        .values(superseded=True)
        .execution_options(synchronize_session=False)
    )
    await audit.append(
        session, moderator, "queue.undo", review_id, {"before": after, "after": _state(review)}
    )
    outbox.enqueue(session, "review.decided", review_id, _webhook_state(review))
    await session.flush()
    return review


async def export_labels(session: AsyncSession) -> Sequence[tuple[Review, ModeratorLabel]]:
    """Every standing moderator label with its review, oldest first."""
    rows = (
        await session.execute(
            select(Review, ModeratorLabel)
            .join(ModeratorLabel, ModeratorLabel.review_pk == Review.id)
            .where(ModeratorLabel.superseded.is_(False))
            .order_by(ModeratorLabel.id)
        )
    ).all()
    return [(r, m) for r, m in rows]


def now() -> datetime:
    """The queue's clock (a function, so tests can pass their own times instead)."""
    return utcnow()
