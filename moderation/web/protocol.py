"""JSON errors for requests aiohttp refuses before any handler or middleware runs.

A request that is not valid HTTP (a broken request line, a header without a colon, a header
line over 8 KiB, a bad Content-Length) is answered by aiohttp's protocol handler itself, in
plain text. The storefront's client reads `{"error": {"code", "message"}}` everywhere else, so
the protocol handler is swapped for one that answers in the same shape. aiohttp's own `Server`
builds its handler from the module-level name `aiohttp.web_server.RequestHandler`; the swap is
process-wide, like the log filter in `requestlog.py`, and a test pins it to the aiohttp version
we install.
"""

from __future__ import annotations

import json
from http import HTTPStatus

import aiohttp.web_server
from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_request import BaseRequest

_CODES = {400: "malformed_http", 413: "body_too_large", 431: "headers_too_large"}


def protocol_error_message(status: int, exc: BaseException | None) -> str:
    """What was wrong, in one line: aiohttp's reason for a malformed request (never more than
    its first line, which names the problem, not the bytes), else the status phrase."""
    if isinstance(exc, HttpProcessingError) and exc.message:
        reason = str(exc.message).strip().splitlines()[0].rstrip(":")
        return f"the request is not valid HTTP: {reason}"
    try:
        return HTTPStatus(status).description or HTTPStatus(status).phrase
    except ValueError:
        return "the request could not be handled"


class JSONErrorRequestHandler(RequestHandler):
    """aiohttp's protocol handler, answering its own errors with a JSON error document."""

    def handle_error(
        self,
        request: BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        # The parent logs (through the filter that keeps the client out of the log) and
        # refuses when part of a response was already sent; its plain-text body is dropped.
        super().handle_error(request, status, exc, message)
        code = _CODES.get(status, "internal_error" if status >= 500 else "bad_request")
        body = {"error": {"code": code, "message": protocol_error_message(status, exc)}}
        response = web.Response(
            status=status, text=json.dumps(body), content_type="application/json"
        )
        response.force_close()
        return response


def answer_protocol_errors_in_json() -> None:
    """Make every aiohttp server in this process use `JSONErrorRequestHandler` (idempotent)."""
    aiohttp.web_server.RequestHandler = JSONErrorRequestHandler  # type: ignore[attr-defined]
