"""JSON errors: every failure the client can see has a code and a message."""

from __future__ import annotations

import logging
import traceback
from typing import NoReturn

from aiohttp import web
from aiohttp.typedefs import Handler

from moderation.web.jsonresp import json_response

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
    return json_response({"error": {"code": code, "message": message}}, status=status)


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
    except Exception as exc:
        # Only the route, the exception types and where they were raised are logged, never the
        # messages: a database error's message holds the SQL parameters (review text, IP).
        log.error(
            "unhandled error on %s %s: %s\n%s",
            request.method,
            request.match_info.route.resource.canonical
            if request.match_info.route.resource
            else "?",
            _chain(exc),
            "".join(traceback.format_tb(exc.__traceback__)).rstrip(),
        )
        return error_response(500, "internal_error", "the service failed to handle this request")


def _chain(exc: BaseException) -> str:
    """The types of an exception and of its causes, e.g. `DBAPIError <- DataError`."""
    names: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        names.append(f"{type(current).__module__}.{type(current).__qualname__}")
        current = current.__cause__ or current.__context__
    return " <- ".join(names)
