"""Admin endpoints: switch the model in service without a restart."""

from __future__ import annotations

import asyncio

from aiohttp import web

from moderation.classifier.artifact import ModelError, load_model
from moderation.scoring import Scorer
from moderation.web.auth import roles
from moderation.web.body import json_body
from moderation.web.errors import fail
from moderation.web.jsonresp import json_response
from moderation.web.keys import ACTOR, EXECUTOR, METRICS, SCORER, SESSIONS, SETTINGS, WRITE_LOCK


@roles("admin")
async def get_model(request: web.Request) -> web.Response:
    """GET /v1/admin/model: the model in service and the artifacts available."""
    from moderation.classifier.artifact import available

    scorer = request.app[SCORER].current
    return json_response(
        {
            "model_version": scorer.model_version,
            "thresholds": dict(scorer.model.thresholds) if scorer.model else None,
            "available": available(request.app[SETTINGS].models_dir),
        }
    )


@roles("admin")
async def switch_model(request: web.Request) -> web.Response:
    """POST /v1/admin/model {"version"}: load, check, then swap; in-flight requests finish."""
    body = await json_body(request)
    if (
        not isinstance(body, dict)
        or set(body) != {"version"}
        or not isinstance(body["version"], str)
    ):
        fail(400, "wrong_type", 'the body must be {"version": "<artifact in models/>"}')
    settings = request.app[SETTINGS]
    loop = asyncio.get_running_loop()
    try:
        # Loading unpickles several MB: off the event loop, on the scoring thread.
        model = await loop.run_in_executor(
            request.app[EXECUTOR], load_model, body["version"], settings.models_dir
        )
    except ModelError as exc:
        fail(400, "invalid_model", str(exc))
    holder = request.app[SCORER]
    old = holder.current
    # Warm up before the swap, so the first real request does not pay for lazy set-up.
    await loop.run_in_executor(request.app[EXECUTOR], model.predict_scores, ["گرم کردن مدل"])
    holder.current = Scorer(old.policy, model, old.lexicon)
    request.app[METRICS].set_model(model.version)
    from moderation.storage import audit

    async with request.app[WRITE_LOCK], request.app[SESSIONS]() as session, session.begin():
        await audit.append(
            session,
            request[ACTOR],
            "model.switched",
            None,
            {"from": old.model_version, "to": model.version},
        )
    return json_response({"model_version": model.version, "previous": old.model_version})
