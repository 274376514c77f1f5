"""Reviews: store a scored submission, read its state (the domain; no HTTP here)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any, Final, cast

from sqlalchemy import Connection, Table, bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from moderation import shadow
from moderation.intake import ReviewIn, storable
from moderation.pseudonym import pseudonym
from moderation.scoring import Scored
from moderation.storage import audit
from moderation.storage.models import Edit, Review, Submitter, utcnow

# How much each label weighs when ordering the moderators' queue: criminal content and threats
# first, spam last.
SEVERITY_WEIGHT: Final = {
    "criminal": 3.0,
    "threat": 2.5,
    "hate": 2.0,
    "sexual": 2.0,
    "insult": 1.0,
    "personal_info": 0.8,
    "spam": 0.5,
}


# Core tables: the bulk inserts below skip the ORM's per-row bookkeeping altogether.
_REVIEWS: Final = cast(Table, Review.__table__)
_EDITS: Final = cast(Table, Edit.__table__)
_SUBMITTERS: Final = cast(Table, Submitter.__table__)
# Every column of `reviews` a new row is written with (the id comes back from the insert).
_REVIEW_COLUMNS: Final = tuple(c.key for c in _REVIEWS.columns if c.key != "id")
# The intake's statements, built once: a statement object keeps its compiled form's cache key,
# which SQLAlchemy would otherwise work out again for every batch.
_STORED_IDS: Final = select(_REVIEWS.c.review_id).where(
    _REVIEWS.c.review_id.in_(bindparam("ids", expanding=True))
)
_INSERT_REVIEWS: Final = insert(_REVIEWS).returning(_REVIEWS.c.id, sort_by_parameter_order=True)
_INSERT_EDITS: Final = insert(_EDITS)
_INSERT_SUBMITTERS: Final = insert(_SUBMITTERS)


def text_digest(text: str) -> str:
    """SHA-256 of the submitted text (idempotency compares these)."""
    return hashlib.sha256(text.encode()).hexdigest()


def severity(scored: Scored) -> float:
    """The queue order key: the weightiest flagged label's weighted score."""
    return max((SEVERITY_WEIGHT[f] * scored.scores[f] for f in scored.outcome.flags), default=0.0)


async def find(
    session: AsyncSession,
    review_id: str,
    *,
    with_submitter: bool = False,
) -> Review | None:
    """The stored review with its edits (and submitter record only when asked)."""
    if not storable(review_id):  # no stored id has one; PostgreSQL refuses to compare it
        return None
    options = [selectinload(Review.edits)]
    if with_submitter:
        options.append(selectinload(Review.submitter))
    return await session.scalar(
        select(Review).where(Review.review_id == review_id).options(*options)
    )


def stored_ids(connection: Connection, review_ids: Sequence[str]) -> list[str]:
    """The ids among `review_ids` that are stored already (a Core query: no ORM objects)."""
    wanted = [r for r in review_ids if storable(r)]  # PostgreSQL refuses to compare the others
    if not wanted:
        return []
    return list(connection.execute(_STORED_IDS, {"ids": wanted}).scalars())


async def find_many(session: AsyncSession, review_ids: Sequence[str]) -> dict[str, Review]:
    """The stored reviews (with their edits) among `review_ids`, by id.

    The usual answer is "none of them": the first query asks for ids only, and whole reviews
    are loaded just for the few found.
    """
    found = await (await session.connection()).run_sync(stored_ids, review_ids)
    if not found:
        return {}
    reviews = await session.scalars(
        select(Review).where(Review.review_id.in_(found)).options(selectinload(Review.edits))
    )
    return {r.review_id: r for r in reviews}


def build(
    review_in: ReviewIn, scored: Scored, *, policy_version: str, pseudonym_key: str
) -> Review:
    """The rows for a new review (not yet added to a session)."""
    now = utcnow()
    outcome = scored.outcome
    review = Review(
        review_id=review_in.review_id,
        product_id=review_in.product_id,
        text=review_in.text,
        text_sha256=text_digest(review_in.text),
        rating=review_in.rating,
        submitted_at=review_in.submitted_at or now,
        created_at=now,
        updated_at=now,
        auto_decision=outcome.decision,
        auto_published_text=outcome.published_text,
        labels={k: round(v, 4) for k, v in scored.scores.items()},
        flags=list(outcome.flags),
        reasons=outcome.reasons,
        rules=[
            {
                "label": a.label,
                "score": a.score,
                "threshold": round(a.threshold, 4),
                "action": a.action,
                "outcome": a.outcome,
                "detected": a.detected,
            }
            for a in outcome.applied
        ],
        model_version=scored.model_version,
        policy_version=policy_version,
        legal_hold=outcome.legal_hold,
        decision=outcome.decision,
        published_text=outcome.published_text,
        status="pending" if outcome.decision == "hold" else "final",
        severity=round(severity(scored), 4),
        spans=[
            {
                "start": sp.start,
                "end": sp.end,
                "kind": sp.kind,
                "label": sp.label,
                "severity": sp.severity,
            }
            for sp in scored.spans
        ],
        author=pseudonym(pseudonym_key, review_in.user_id),
    )
    review.edits = [
        Edit(start=e.start, end=e.end, kind=e.kind, replacement=e.replacement)
        for e in outcome.edits
    ]
    review.submitter = Submitter(
        user_id=review_in.user_id,
        ip=review_in.ip,
        user_agent=review_in.user_agent,
        submitted_at=review_in.submitted_at or now,
    )
    return review


async def store(session: AsyncSession, review: Review, actor: str) -> None:
    """Add a built review and its audit event to the caller's transaction."""
    await store_many(session, [review], actor)


async def store_many(session: AsyncSession, reviews: Sequence[Review], actor: str) -> None:
    """Write built reviews, their edits, submitters and audit events in the caller's
    transaction (`write_many`), and open the legal case of each one on legal hold."""
    if not reviews:
        return
    await (await session.connection()).run_sync(write_many, reviews, actor)
    for review in reviews:
        if review.legal_hold:
            # Criminal content: the evidence and its digest are fixed now, at intake.
            from moderation.legal import open_case

            await open_case(session, review, f"policy:{review.policy_version}")


def write_many(connection: Connection, reviews: Sequence[Review], actor: str) -> None:
    """Write built reviews, their edits, submitters and audit events on a (synchronous)
    connection, in its transaction: one bulk insert per table. Legal cases are not opened
    here (`store_many` does that).

    The reviews stay transient (never added to a session): the ORM's unit of work spent
    about as long on bookkeeping these rows do not need as on writing them; without it a
    review is stored in about half the time in batches (`benchmarks/write_path.py`,
    docs/benchmarks.md). Each review gets its primary key set from the insert. Synchronous,
    so that the service can run a whole write transaction on its database thread in one hop
    (`SyncWriter`); the async session runs it through `run_sync`.
    """
    if not reviews:
        return
    ids = connection.execute(
        _INSERT_REVIEWS, [{k: getattr(r, k) for k in _REVIEW_COLUMNS} for r in reviews]
    ).scalars()
    edits: list[dict[str, Any]] = []
    submitters: list[dict[str, Any]] = []
    for review, pk in zip(reviews, ids, strict=True):
        review.id = pk
        edits.extend(
            {"review_pk": pk, "start": e.start, "end": e.end, "kind": e.kind,
             "replacement": e.replacement}
            for e in review.edits
        )  # fmt: skip
        sub = review.submitter
        if sub is not None:
            submitters.append(
                {"review_pk": pk, "user_id": sub.user_id, "ip": sub.ip,
                 "user_agent": sub.user_agent, "submitted_at": sub.submitted_at}
            )  # fmt: skip
    if edits:
        connection.execute(_INSERT_EDITS, edits)
    if submitters:
        connection.execute(_INSERT_SUBMITTERS, submitters)
    audit.append_rows(
        connection,
        [
            (
                actor,
                "review.scored",
                r.review_id,
                {
                    "decision": r.decision,
                    "flags": r.flags,
                    "model_version": r.model_version,
                    "policy_version": r.policy_version,
                    "legal_hold": r.legal_hold,
                    "text_sha256": r.text_sha256,
                },
            )
            for r in reviews
        ],
    )


def write_new(
    connection: Connection,
    batch: Sequence[tuple[str, Review]],
    shadow_scored: Sequence[Scored] | None = None,
) -> bool:
    """Store a batch of (actor, built review) with the shadow model's outcomes, if any, in
    the connection's transaction; False, having written nothing, when any of the reviews is
    stored already (the caller answers those as stored). Legal cases are not opened here."""
    if stored_ids(connection, [review.review_id for _, review in batch]):
        return False
    for actor in dict.fromkeys(actor for actor, _ in batch):
        write_many(connection, [r for a, r in batch if a == actor], actor)
    if shadow_scored is not None:
        shadow.write(connection, [r for _, r in batch], shadow_scored)
    return True


def result(review: Review) -> dict[str, Any]:
    """The DESIGN.md result shape plus reasons and the current (moderated) state."""
    out: dict[str, Any] = {
        "id": review.review_id,
        "decision": review.decision,
        "published_text": review.published_text,
        "labels": review.labels,
        "flags": review.flags,
        "edits": review.edit_dicts(),
        "legal_hold": review.legal_hold,
        "model_version": review.model_version,
        "reasons": review.reasons,
        "status": review.status,
    }
    if review.moderator_action is not None:
        out["moderation"] = {
            "action": review.moderator_action,
            "decided_at": review.decided_at.isoformat() if review.decided_at else None,
        }
    return out


def same_submission(review: Review, review_in: ReviewIn) -> bool:
    """True when a re-post carries the text that was stored (idempotent retry)."""
    return review.text_sha256 == text_digest(review_in.text)
