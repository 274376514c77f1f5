"""Request metrics and a privacy-safe request log: method, route template, status, time."""

from __future__ import annotations

import logging
import time

from aiohttp import web
from aiohttp.typedefs import Handler

from moderation.web.keys import METRICS

log = logging.getLogger("moderation.requests")


class ServerErrorsWithoutClient(logging.Filter):
    """aiohttp's own server log names the client («Error handling request from 203.0.113.7»)
    and attaches the parser's exception, which can quote the request line or a header. Such a
    record is kept (a malformed request is worth knowing about) but reduced to the exception's
    type."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        record.msg = "error handling a request: %s"
        record.args = (type(exc).__name__ if exc is not None else "unknown",)
        record.exc_info = None
        record.exc_text = None
        return True


def keep_client_out_of_server_log() -> None:
    """Install `ServerErrorsWithoutClient` on aiohttp's server logger, once per process."""
    server_log = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, ServerErrorsWithoutClient) for f in server_log.filters):
        server_log.addFilter(ServerErrorsWithoutClient())


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
