"""Request metrics and a privacy-safe request log: method, route template, status, time."""

from __future__ import annotations

import logging
import time

from aiohttp import web
from aiohttp.typedefs import Handler

from moderation.web.keys import METRICS

log = logging.getLogger("moderation.requests")


def route_of(request: web.Request) -> str:
    """The route template (/v1/reviews/{review_id}), never the concrete path or query."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "unmatched"


@web.middleware
async def observe(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Count and time every request. No IP, path values, query, headers or body are logged."""
    start = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        elapsed = time.perf_counter() - start
        route = route_of(request)
        metrics = request.app[METRICS]
        metrics.requests.labels(method=request.method, route=route, status=str(status)).inc()
        metrics.latency.labels(method=request.method, route=route).observe(elapsed)
        log.info("%s %s %d %.1fms", request.method, route, status, elapsed * 1000)
