"""JSON errors: every failure the client can see has a code and a message."""

from typing import NoReturn

from aiohttp import web
from aiohttp.typedefs import Handler


def error_response(status: int, code: str, message: str) -> web.Response:
    """A `{"error": {"code", "message"}}` response."""
    return web.json_response({"error": {"code": code, "message": message}}, status=status)


def fail(status: int, code: str, message: str) -> NoReturn:
    """Raise an HTTP error carrying the JSON error body."""
    cls: type[web.HTTPException] = web.HTTPException
    for candidate in (
        web.HTTPBadRequest,
        web.HTTPUnauthorized,
        web.HTTPForbidden,
        web.HTTPNotFound,
        web.HTTPConflict,
        web.HTTPRequestEntityTooLarge,
        web.HTTPUnprocessableEntity,
        web.HTTPServiceUnavailable,
    ):
        if candidate.status_code == status:
            cls = candidate
            break
    raise cls(text=error_response(status, code, message).text, content_type="application/json")


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn aiohttp's plain-text errors (404, 405, 413) and crashes into JSON errors."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.content_type == "application/json":
            raise
        code = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}.get(
            exc.status, "http_error"
        )
        return error_response(exc.status, code, exc.reason)
