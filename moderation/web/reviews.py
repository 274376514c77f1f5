"""Storefront endpoints: submit reviews (one or a batch) and read their state."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web

from moderation import reviews as domain
from moderation.intake import InputError, ReviewIn, parse_review
from moderation.storage.models import Review
from moderation.web.auth import roles
from moderation.web.batcher import Conflict
from moderation.web.body import json_body
from moderation.web.errors import fail
from moderation.web.jsonresp import json_response
from moderation.web.keys import ACTOR, BATCHER, SESSIONS, SETTINGS, WRITE_LOCK

log = logging.getLogger(__name__)


async def submit(
    app: web.Application, items: list[ReviewIn], actor: str
) -> list[tuple[Review, bool] | Conflict]:
    """Score and store new reviews; known ones are returned as stored (idempotent)."""
    outcomes = await asyncio.gather(
        *(app[BATCHER].submit(r, actor) for r in items), return_exceptions=True
    )
    results: list[tuple[Review, bool] | Conflict] = []
    for outcome in outcomes:
        if isinstance(outcome, BaseException) and not isinstance(outcome, Conflict):
            raise outcome
        results.append(outcome)
    return results


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
    return json_response(domain.result(review), status=201 if created else 200)


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
    return json_response({"results": out, "accepted": len(out) - errors, "errors": errors})


@roles("storefront", "moderator")
async def get_review(request: web.Request) -> web.Response:
    """GET /v1/reviews/{review_id}: the current state."""
    review_id = request.match_info["review_id"]
    async with request.app[SESSIONS]() as session:
        review = await domain.find(session, review_id)
    if review is None:
        fail(404, "not_found", f"no review '{review_id}'")
    return json_response(domain.result(review))


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
    return json_response({"deleted": review_id})
