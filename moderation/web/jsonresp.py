"""JSON responses with Persian left readable (UTF-8, not \\u escapes)."""

import functools
import json
from typing import Any

from aiohttp import web

_dumps = functools.partial(json.dumps, ensure_ascii=False)


def json_response(data: Any, *, status: int = 200, headers: Any = None) -> web.Response:
    """`web.json_response` that writes UTF-8 text instead of ASCII escapes."""
    try:
        return web.json_response(data, status=status, headers=headers, dumps=_dumps)
    except UnicodeEncodeError:
        # A lone surrogate echoed from the request (an id in an error message) has no UTF-8
        # form; as a \u escape it is still valid JSON.
        return web.json_response(data, status=status, headers=headers)
