"""The end-of-run log check finds submitted data in log lines, and only there."""

import logging

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
