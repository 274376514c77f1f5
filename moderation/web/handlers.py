"""HTTP handlers: validate at the edge, call the domain, shape the response."""

import asyncio

from aiohttp import web

from moderation.web.keys import SCORER


async def healthz(request: web.Request) -> web.Response:
    """Liveness: the process answers."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Readiness: the scorer (policy and model) is loaded."""
    scorer = request.app[SCORER]
    await asyncio.sleep(0)
    return web.json_response({"status": "ready", "model_version": scorer.model_version})


def setup_routes(app: web.Application) -> None:
    """Register every route."""
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
