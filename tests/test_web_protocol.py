"""Requests that are not valid HTTP get the same JSON error document as every other error."""

from __future__ import annotations

import asyncio
import json
from http import HTTPStatus
from typing import Any

import pytest

from moderation.web.protocol import protocol_error_message
from tests.conftest import Service

HEADER_LIMIT = 8190  # aiohttp's default max_line_size / max_field_size


async def exchange(service: Service, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes on a fresh connection; the status, headers and body sent back."""
    server = service.client.server
    reader, writer = await asyncio.open_connection(server.host, server.port)
    try:
        writer.write(request)
        await writer.drain()
        response = await asyncio.wait_for(reader.read(), timeout=10)
    finally:
        writer.close()
    head, _, body = response.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {
        name.strip().lower(): value.strip()
        for name, _, value in (line.partition(":") for line in header_lines)
    }
    return int(status_line.split()[1]), headers, body


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"GET /healthz HTTP/1.1\r\nHost: x\r\nno colon in this header\r\n\r\n", 400),
        (b"G(T /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        (b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Long: " + b"a" * (HEADER_LIMIT + 10)
         + b"\r\n\r\n", 400),
        (b"POST /v1/reviews HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n", 400),
        (b"POST /v1/reviews HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
         b"Transfer-Encoding: chunked\r\n\r\n", 400),
    ],
    ids=["no-colon", "bad-method", "header-too-long", "bad-length", "length-and-chunked"],
)
async def test_malformed_http_gets_a_json_error(
    service: Service, request_bytes: bytes, status: int
) -> None:
    got, headers, body = await exchange(service, request_bytes)
    assert got == status
    assert headers["content-type"].startswith("application/json")
    error = json.loads(body)["error"]
    assert error["code"] == "malformed_http"
    assert error["message"].startswith("the request is not valid HTTP: ")
    assert len(error["message"]) > len("the request is not valid HTTP: ")


async def test_a_valid_request_after_the_swap_is_served_as_before(service: Service) -> None:
    got, headers, body = await exchange(
        service, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    assert got == 200
    assert headers["content-type"].startswith("application/json")
    assert json.loads(body)


def test_the_message_names_the_problem_not_the_bytes() -> None:
    from aiohttp.http_exceptions import BadHttpMessage

    exc: Any = BadHttpMessage("Invalid header value char:\n\n  b'secret-token\\x01'\n  ^")
    assert protocol_error_message(400, exc) == (
        "the request is not valid HTTP: Invalid header value char"
    )
    assert protocol_error_message(504, None) == HTTPStatus(504).description
