"""Admin endpoints: the model in service and the one in its shadow, on every instance."""

from __future__ import annotations

from aiohttp import web

from moderation import shadow
from moderation.classifier.artifact import ModelError
from moderation.storage import activations
from moderation.web import modelsync
from moderation.web.auth import roles
from moderation.web.body import json_body
from moderation.web.errors import fail
from moderation.web.jsonresp import json_response
from moderation.web.keys import ACTOR, SCORER, SESSIONS, SETTINGS


@roles("admin")
async def get_model(request: web.Request) -> web.Response:
    """GET /v1/admin/model: the model in service, the activation in force, what is available."""
    from moderation.classifier.artifact import available

    scorer = request.app[SCORER].current
    async with request.app[SESSIONS]() as session:
        row = await activations.latest(session)
    activation = (
        None
        if row is None
        else {"version": row.version, "at": row.activated_at.isoformat(), "by": row.actor}
    )
    return json_response(
        {
            "model_version": scorer.model_version,
            "thresholds": dict(scorer.model.thresholds) if scorer.model else None,
            "activation": activation,
            # False while this instance cannot load the activated artifact (see modelsync).
            "in_sync": row is None or row.version == scorer.model_version,
            "available": available(request.app[SETTINGS].models_dir),
        }
    )


@roles("admin")
async def switch_model(request: web.Request) -> web.Response:
    """POST /v1/admin/model {"version"}: load and check, record the activation every instance
    follows, then swap; in-flight requests finish on the old model."""
    body = await json_body(request)
    if (
        not isinstance(body, dict)
        or set(body) != {"version"}
        or not isinstance(body["version"], str)
    ):
        fail(400, "wrong_type", 'the body must be {"version": "<artifact in models/>"}')
    try:
        version, previous = await modelsync.change(
            request.app, "live", body["version"], request[ACTOR]
        )
    except ModelError as exc:
        fail(400, "invalid_model", str(exc))
    return json_response({"model_version": version, "previous": previous})


@roles("admin")
async def get_shadow(request: web.Request) -> web.Response:
    """GET /v1/admin/shadow: the model scored in the shadow of the live one, and how their
    decisions compare since it started (counts only)."""
    async with request.app[SESSIONS]() as session:
        row = await activations.latest(session, "shadow")
        version = None if row is None else row.version
        comparison = None
        if row is not None and version is not None:
            comparison = await shadow.report(session, version, row.activated_at)
    return json_response(
        {
            "shadow_version": version,
            "serving_here": modelsync.current(request.app, "shadow"),
            "live_version": request.app[SCORER].current.model_version,
            "since": None if row is None or version is None else row.activated_at.isoformat(),
            "by": None if row is None else row.actor,
            "comparison": comparison,
        }
    )


@roles("admin")
async def set_shadow(request: web.Request) -> web.Response:
    """POST /v1/admin/shadow {"version": "<artifact>" | null}: score every new review with this
    model too, on every instance, recording what it would decide; null stops it."""
    body = await json_body(request)
    if (
        not isinstance(body, dict)
        or set(body) != {"version"}
        or not (body["version"] is None or isinstance(body["version"], str))
    ):
        fail(400, "wrong_type", 'the body must be {"version": "<artifact in models/>" or null}')
    try:
        version, previous = await modelsync.change(
            request.app, "shadow", body["version"], request[ACTOR]
        )
    except ModelError as exc:
        fail(400, "invalid_model", str(exc))
    return json_response({"shadow_version": version, "previous": previous})
