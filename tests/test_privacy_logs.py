"""The end-of-run log check finds submitted data in log lines, and only there."""

import asyncio
import logging
from typing import Any

import pytest

from moderation.settings import Settings
from moderation.web.app import create_app
from tests.conftest import LOG_FILE, find_leaks


def test_leak_finder_flags_ips_texts_and_tokens() -> None:
    lines = [
        "INFO moderation.requests POST /v1/reviews 201 3.1ms",
        "WARNING x client 203.0.113.7 said hi",
        "INFO y token ngb_abc",
        "INFO z کصکش",
    ]
    assert [n for n, _ in find_leaks(lines)] == [2, 3, 4]


def test_service_logs_reach_the_checked_file() -> None:
    logging.getLogger("moderation.requests").info("GET /healthz 200 0.1ms")
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert "GET /healthz 200" in LOG_FILE.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET /v1/reviews HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ngb_secret\x01\r\n\r\n",
        b"\x16\x03\x01 not http at all ngb_secret\r\n\r\n",
    ],
)
async def test_a_malformed_request_is_logged_without_the_client_or_its_bytes(
    aiohttp_server: Any, settings: Settings, caplog: pytest.LogCaptureFixture, request_bytes: bytes
) -> None:
    """aiohttp answers these before our code runs, and its own log line named the client."""
    caplog.set_level(logging.DEBUG, logger="aiohttp.server")
    server = await aiohttp_server(create_app(settings), host="127.0.0.1", access_log=None)
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(request_bytes)
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    assert status_line.split()[1:2] == [b"400"], status_line
    records = [r for r in caplog.records if r.name == "aiohttp.server"]
    assert records, "the malformed request left no log record"
    for record in records:
        line = logging.Formatter("%(message)s").format(record)
        assert "127.0.0.1" not in line and "ngb_secret" not in line, line
