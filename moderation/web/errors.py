"""JSON errors: every failure the client can see has a code and a message."""

from __future__ import annotations

import logging
from typing import NoReturn

from aiohttp import web
from aiohttp.typedefs import Handler

log = logging.getLogger(__name__)

_BY_STATUS: dict[int, type[web.HTTPException]] = {
    cls.status_code: cls
    for cls in (
        web.HTTPBadRequest,
        web.HTTPUnauthorized,
        web.HTTPForbidden,
        web.HTTPNotFound,
        web.HTTPMethodNotAllowed,
        web.HTTPConflict,
        web.HTTPRequestEntityTooLarge,
        web.HTTPUnprocessableEntity,
        web.HTTPTooManyRequests,
        web.HTTPServiceUnavailable,
        web.HTTPGone,
    )
}
_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "body_too_large",
    429: "rate_limited",
    503: "unavailable",
}


def error_response(status: int, code: str, message: str) -> web.Response:
    """A `{"error": {"code", "message"}}` response."""
    return web.json_response({"error": {"code": code, "message": message}}, status=status)


class JSONError(web.HTTPException):
    """An HTTP error whose body is already the JSON error document."""

    def __init__(self, status: int, code: str, message: str) -> None:
        self.status_code = status
        super().__init__(
            text=error_response(status, code, message).text, content_type="application/json"
        )


def fail(status: int, code: str, message: str) -> NoReturn:
    """Stop handling with a JSON error."""
    raise JSONError(status, code, message)


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn aiohttp's plain errors (404, 405, 413) and crashes into JSON errors."""
    try:
        return await handler(request)
    except JSONError:
        raise
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code = _CODES.get(exc.status, "http_error")
        message = exc.reason
        if exc.status == 413:
            message = "the request body is larger than this service accepts"
        return error_response(exc.status, code, message)
    except Exception:
        # Only the route and exception type are logged: the body may hold review text.
        log.exception(
            "unhandled error on %s %s",
            request.method,
            request.match_info.route.resource.canonical
            if request.match_info.route.resource
            else "?",
        )
        return error_response(500, "internal_error", "the service failed to handle this request")
