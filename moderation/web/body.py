"""Reading a JSON body: size, encoding and syntax errors become named JSON errors."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from moderation.web.errors import fail


async def json_body(request: web.Request) -> Any:
    """The decoded JSON body, or a 400/413 JSON error saying what is wrong with it."""
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        fail(413, "body_too_large", f"the body is larger than {request.app._client_max_size} bytes")
    if not raw.strip():
        fail(400, "empty_body", "the request body is empty; send a JSON object")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        fail(400, "invalid_utf8", f"the body is not valid UTF-8 (byte {exc.start})")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        fail(
            400,
            "invalid_json",
            f"the body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
        )
    except RecursionError:
        fail(400, "invalid_json", "the body is not valid JSON here: it is nested too deeply")
    except ValueError:  # an integer of more than 4300 digits
        fail(400, "invalid_json", "the body is not valid JSON here: a number is too long")
