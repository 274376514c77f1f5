"""Health, readiness, metrics and the OpenAPI document (no authentication)."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import text

from moderation.web.jsonresp import json_response
from moderation.web.keys import METRICS, SCORER, SESSIONS
from moderation.web.openapi import document


async def healthz(request: web.Request) -> web.Response:
    """Liveness: the process answers."""
    return json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Readiness: the database answers and a scorer (policy, model) is loaded."""
    try:
        async with request.app[SESSIONS]() as session:
            await session.execute(text("SELECT 1"))
    except Exception:
        return json_response({"status": "unavailable", "reason": "database"}, status=503)
    return json_response(
        {"status": "ready", "model_version": request.app[SCORER].current.model_version}
    )


async def metrics(request: web.Request) -> web.Response:
    """Prometheus text format."""
    return web.Response(
        body=request.app[METRICS].render(), content_type="text/plain", charset="utf-8"
    )


async def openapi(request: web.Request) -> web.Response:
    """The OpenAPI 3.1 description of this API."""
    return json_response(document())
