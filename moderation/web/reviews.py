"""Storefront endpoints: submit reviews (one or a batch) and read their state."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web
from sqlalchemy.exc import IntegrityError

from moderation import reviews as domain
from moderation.intake import InputError, ReviewIn, parse_review
from moderation.scoring import Scored, Scorer
from moderation.storage.models import Review
from moderation.web.auth import roles
from moderation.web.body import json_body
from moderation.web.errors import fail
from moderation.web.keys import (
    ACTOR,
    EXECUTOR,
    METRICS,
    PSEUDONYM_KEY,
    SCORER,
    SESSIONS,
    SETTINGS,
    WRITE_LOCK,
)  # fmt: skip

log = logging.getLogger(__name__)


class Conflict(Exception):
    """The review id is taken by a review with another text."""


async def _score(app: web.Application, scorer: Scorer, items: list[ReviewIn]) -> list[Scored]:
    # Scoring is CPU work (≈1 ms a review): run it on the executor so the loop keeps serving.
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(
        app[EXECUTOR], scorer.score_many, [(r.review_id, r.text) for r in items]
    )


async def _existing(app: web.Application, review_in: ReviewIn) -> Review | None:
    async with app[SESSIONS]() as session:
        found = await domain.find(session, review_in.review_id)
    if found is not None and not domain.same_submission(found, review_in):
        raise Conflict(review_in.review_id)
    return found


async def _store(
    app: web.Application, review_in: ReviewIn, scored: Scored, actor: str, policy_version: str
) -> tuple[Review, bool]:
    """Store a scored review; (stored review, True if this call created it)."""
    review = domain.build(
        review_in,
        scored,
        policy_version=policy_version,
        pseudonym_key=app[PSEUDONYM_KEY],
    )
    try:
        async with app[WRITE_LOCK], app[SESSIONS]() as session, session.begin():
            await domain.store(session, review, actor)
    except IntegrityError:
        # Two posts of the same review_id raced; the other one stored it first.
        found = await _existing(app, review_in)
        if found is None:
            raise
        return found, False
    metrics = app[METRICS]
    metrics.decisions.labels(decision=review.decision).inc()
    for flag in review.flags:
        metrics.flags.labels(label=flag, decision=review.decision).inc()
    return review, True


async def submit(
    app: web.Application,
    items: list[ReviewIn],
    actor: str,
) -> list[tuple[Review, bool] | Conflict]:
    """Score and store new reviews; known ones are returned as stored (idempotent)."""
    results: list[tuple[Review, bool] | Conflict | None] = []
    todo: list[tuple[int, ReviewIn]] = []
    for review_in in items:
        try:
            found = await _existing(app, review_in)
        except Conflict as exc:
            results.append(exc)
            continue
        results.append((found, False) if found is not None else None)
        if found is None:
            todo.append((len(results) - 1, review_in))
    if todo:
        # One scorer for the whole request: a model swap mid-request does not mix versions.
        scorer = app[SCORER].current
        scored = await _score(app, scorer, [r for _, r in todo])
        for (i, review_in), s in zip(todo, scored, strict=True):
            try:
                results[i] = await _store(app, review_in, s, actor, scorer.policy.version)
            except Conflict as exc:
                results[i] = exc
    return [r for r in results if r is not None]


def _conflict_message(review_id: str) -> str:
    return (
        f"review '{review_id}' was already submitted with a different text; "
        "a review id cannot be reused"
    )


@roles("storefront")
async def post_review(request: web.Request) -> web.Response:
    """POST /v1/reviews: score and store one review."""
    body = await json_body(request)
    try:
        review_in = parse_review(body, max_text=request.app[SETTINGS].max_text_chars)
    except InputError as exc:
        fail(400, exc.code, exc.message)
    (outcome,) = await submit(request.app, [review_in], request[ACTOR])
    if isinstance(outcome, Conflict):
        fail(409, "review_id_conflict", _conflict_message(review_in.review_id))
    review, created = outcome
    return web.json_response(domain.result(review), status=201 if created else 200)


@roles("storefront")
async def post_batch(request: web.Request) -> web.Response:
    """POST /v1/reviews/batch: up to `max_batch` reviews; a result or an error per item."""
    body = await json_body(request)
    settings = request.app[SETTINGS]
    items = body.get("reviews") if isinstance(body, dict) else None
    if not isinstance(items, list) or (isinstance(body, dict) and set(body) - {"reviews"}):
        fail(400, "wrong_type", 'the body must be {"reviews": [ ... ]} and nothing else')
    if not items:
        fail(400, "empty_batch", "'reviews' is empty")
    if len(items) > settings.max_batch:
        fail(
            413,
            "batch_too_large",
            f"'reviews' has {len(items)} items; the limit is {settings.max_batch}",
        )
    out: list[dict[str, Any]] = [{} for _ in items]
    valid: list[tuple[int, ReviewIn]] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        try:
            review_in = parse_review(item, max_text=settings.max_text_chars)
        except InputError as exc:
            out[i] = {"index": i, "error": {"code": exc.code, "message": exc.message}}
            continue
        first = seen.get(review_in.review_id)
        if first is not None:
            message = f"review '{review_in.review_id}' is also item {first}"
            out[i] = {"index": i, "error": {"code": "duplicate_in_batch", "message": message}}
            continue
        seen[review_in.review_id] = i
        valid.append((i, review_in))
    outcomes = await submit(request.app, [r for _, r in valid], request[ACTOR])
    for (i, review_in), outcome in zip(valid, outcomes, strict=True):
        if isinstance(outcome, Conflict):
            out[i] = {
                "index": i,
                "error": {
                    "code": "review_id_conflict",
                    "message": _conflict_message(review_in.review_id),
                },
            }
        else:
            review, created = outcome
            out[i] = {
                "index": i,
                "status": 201 if created else 200,
                "result": domain.result(review),
            }
    errors = sum(1 for o in out if "error" in o)
    return web.json_response({"results": out, "accepted": len(out) - errors, "errors": errors})


@roles("storefront", "moderator")
async def get_review(request: web.Request) -> web.Response:
    """GET /v1/reviews/{review_id}: the current state."""
    review_id = request.match_info["review_id"]
    async with request.app[SESSIONS]() as session:
        review = await domain.find(session, review_id)
    if review is None:
        fail(404, "not_found", f"no review '{review_id}'")
    return web.json_response(domain.result(review))


@roles("storefront")
async def delete_review(request: web.Request) -> web.Response:
    """DELETE /v1/reviews/{review_id}: erase a review (the author's request); refused on hold."""
    from moderation.legal import forget_released, under_hold
    from moderation.storage import audit

    review_id = request.match_info["review_id"]
    async with request.app[WRITE_LOCK], request.app[SESSIONS]() as session, session.begin():
        review = await domain.find(session, review_id, with_submitter=True)
        if review is None:
            fail(404, "not_found", f"no review '{review_id}'")
        if review.legal_hold and await under_hold(session, review.id):
            fail(
                409,
                "legal_hold",
                "this review is kept for legal follow-up and cannot be "
                "deleted until the legal hold is released",
            )
        await forget_released(session, review.id)
        await session.delete(review)
        await audit.append(session, request[ACTOR], "review.deleted", review_id, {})
    return web.json_response({"deleted": review_id})
