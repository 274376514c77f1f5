"""Moderator endpoints: the queue, claims, decisions, undo and bulk decisions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from moderation import queue as domain
from moderation.intake import storable
from moderation.labels import LABELS
from moderation.storage.models import Review
from moderation.web.auth import roles
from moderation.web.body import json_body
from moderation.web.errors import fail
from moderation.web.jsonresp import json_response
from moderation.web.keys import ACTOR, SESSIONS, SETTINGS, WRITE_LOCK

_STATUS = {
    "not_found": 404,
    "claimed": 409,
    "not_in_queue": 409,
    "not_claimed": 409,
    "nothing_to_undo": 409,
    "undo_expired": 409,
}
DECISION_FIELDS = frozenset({"action", "text", "reason", "note"})
MAX_NOTE = 2000
MAX_AGE_HOURS = 24 * 366 * 100  # beyond this `now - max_age` leaves the calendar


def _queue_error(exc: domain.QueueError) -> web.HTTPException:
    from moderation.web.errors import JSONError

    return JSONError(_STATUS.get(exc.code, 400), exc.code, exc.message)


def _filters(request: web.Request) -> domain.Filters:
    q = request.query
    unknown = set(q) - {"label", "min_score", "max_age_hours", "limit", "list"}
    if unknown:
        fail(400, "unknown_parameter", f"unknown query parameter(s): {', '.join(sorted(unknown))}")
    label = q.get("label") or None
    if label is not None and label not in LABELS:
        fail(400, "invalid_parameter", f"'label' must be one of {', '.join(LABELS)}")
    try:
        min_score = float(q.get("min_score", "0"))
        limit = int(q.get("limit", "50"))
        max_age = float(q["max_age_hours"]) if "max_age_hours" in q else None
    except ValueError:
        fail(400, "invalid_parameter", "'min_score', 'limit' and 'max_age_hours' must be numbers")
    if (
        not 0.0 <= min_score <= 1.0
        or not 1 <= limit <= 200
        or (max_age is not None and not 0 < max_age <= MAX_AGE_HOURS)
    ):
        fail(
            400,
            "invalid_parameter",
            "'min_score' must be in [0, 1], 'limit' in [1, 200], "
            f"'max_age_hours' above 0 and at most {MAX_AGE_HOURS}",
        )
    which = q.get("list", "pending")
    if which not in ("pending", "rejected"):
        fail(400, "invalid_parameter", "'list' must be 'pending' or 'rejected'")
    return domain.Filters(
        label, min_score, timedelta(hours=max_age) if max_age else None, limit, which
    )


def _lease(request: web.Request) -> timedelta:
    return timedelta(minutes=request.app[SETTINGS].claim_minutes)


@roles("moderator")
async def list_queue(request: web.Request) -> web.Response:
    """GET /v1/queue: held items for this moderator, most severe first."""
    filters = _filters(request)
    async with request.app[SESSIONS]() as session:
        items = await domain.list_items(session, request[ACTOR], domain.now(), filters)
        views = [
            domain.moderator_view(r, await domain.author_history(session, r.author)) for r in items
        ]
    return json_response({"items": views, "count": len(views)})


async def _view_after(
    request: web.Request, operation: Callable[[AsyncSession], Awaitable[Review]]
) -> web.Response:
    """Run a queue operation in one write transaction; answer with the moderator's view."""
    try:
        async with request.app[WRITE_LOCK], request.app[SESSIONS]() as session, session.begin():
            review = await operation(session)
            view = domain.moderator_view(
                review, await domain.author_history(session, review.author)
            )
    except domain.QueueError as exc:
        raise _queue_error(exc) from None
    return json_response(view)


@roles("moderator")
async def claim(request: web.Request) -> web.Response:
    """POST /v1/queue/{review_id}/claim: take an item for a lease; 409 if someone else has it."""
    review_id, lease = request.match_info["review_id"], _lease(request)
    return await _view_after(
        request,
        lambda session: domain.claim(session, review_id, request[ACTOR], domain.now(), lease),
    )


@roles("moderator")
async def release(request: web.Request) -> web.Response:
    """POST /v1/queue/{review_id}/release: give a claimed item back."""
    try:
        async with request.app[WRITE_LOCK], request.app[SESSIONS]() as session, session.begin():
            await domain.release(session, request.match_info["review_id"], request[ACTOR])
    except domain.QueueError as exc:
        raise _queue_error(exc) from None
    return json_response({"released": True})


def _decision_body(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        fail(400, "wrong_type", "the body must be a JSON object")
    extra = set(body) - DECISION_FIELDS
    if extra:
        fail(400, "unknown_field", f"unknown field(s): {', '.join(sorted(extra))}")
    for key in ("action", "text", "reason", "note"):
        value = body.get(key)
        if value is not None and not isinstance(value, str):
            fail(400, "wrong_type", f"'{key}' must be a string")
        if isinstance(value, str) and (not storable(value) or len(value) > 5000):
            fail(
                400,
                "invalid_text",
                f"'{key}' has a NUL character or a lone surrogate, or is over 5000 characters",
            )
    if "action" not in body:
        fail(400, "missing_field", "'action' is required")
    return body


async def _decide(request: web.Request, review_id: str, body: dict[str, Any]) -> dict[str, Any]:
    async with request.app[WRITE_LOCK], request.app[SESSIONS]() as session, session.begin():
        review = await domain.decide(
            session,
            review_id,
            request[ACTOR],
            domain.now(),
            action=body["action"],
            text=body.get("text"),
            reason=body.get("reason"),
            note=body.get("note"),
            lease=_lease(request),
        )
        return domain.moderator_view(review, await domain.author_history(session, review.author))


@roles("moderator")
async def decide(request: web.Request) -> web.Response:
    """POST /v1/queue/{review_id}/decision: approve, approve_edited, edit, reject or escalate."""
    body = _decision_body(await json_body(request))
    try:
        view = await _decide(request, request.match_info["review_id"], body)
    except domain.QueueError as exc:
        raise _queue_error(exc) from None
    return json_response(view)


@roles("moderator")
async def undo(request: web.Request) -> web.Response:
    """POST /v1/queue/{review_id}/undo: take back this moderator's last decision."""
    window = timedelta(seconds=request.app[SETTINGS].undo_seconds)
    review_id = request.match_info["review_id"]
    return await _view_after(
        request,
        lambda session: domain.undo(session, review_id, request[ACTOR], domain.now(), window),
    )


@roles("moderator")
async def bulk(request: web.Request) -> web.Response:
    """POST /v1/queue/bulk: one decision over up to 100 items; a result per item."""
    body = await json_body(request)
    if not isinstance(body, dict) or not isinstance(body.get("review_ids"), list):
        fail(400, "wrong_type", "the body must have 'review_ids' (a list) and 'action'")
    ids = body.pop("review_ids")
    if not ids or len(ids) > 100 or not all(isinstance(i, str) for i in ids):
        fail(400, "invalid_parameter", "'review_ids' must hold 1 to 100 strings")
    decision = _decision_body(body)
    results: list[dict[str, Any]] = []
    for review_id in ids:
        try:
            view = await _decide(request, review_id, decision)
            results.append({"id": review_id, "decision": view["decision"]})
        except domain.QueueError as exc:
            results.append({"id": review_id, "error": {"code": exc.code, "message": exc.message}})
    return json_response({"results": results})
