"""Delivering outbox messages to the storefront, signed with HMAC-SHA256, with retries."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import time
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from moderation.storage import outbox
from moderation.storage.models import utcnow
from moderation.web.keys import METRICS, SESSIONS, SETTINGS, WRITE_LOCK

log = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-Negahban-Signature"
TIMESTAMP_HEADER = "X-Negahban-Timestamp"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=` + hex HMAC of "<timestamp>.<body>" (the timestamp stops replays)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


async def deliver_due(app: web.Application, client: aiohttp.ClientSession) -> int:
    """Try every due message once; return how many were delivered."""
    settings = app[SETTINGS]
    if not settings.webhook_url or not settings.webhook_secret:
        return 0
    delivered = 0
    async with app[WRITE_LOCK], app[SESSIONS]() as session, session.begin():
        messages = await outbox.claim(session, utcnow())
    # The HTTP calls happen outside any transaction: a slow storefront holds no lock.
    for message in messages:
        body = json.dumps(
            {"event": message.event, "id": message.id, "review": message.payload},
            ensure_ascii=False,
        ).encode()
        stamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: stamp,
            SIGNATURE_HEADER: sign(settings.webhook_secret, stamp, body),
        }
        error: str | None = None
        try:
            async with client.post(
                settings.webhook_url,
                data=body,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=10),
            ) as resp:
                if resp.status >= 300:
                    error = f"HTTP {resp.status}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            error = type(exc).__name__
        async with app[WRITE_LOCK], app[SESSIONS]() as session, session.begin():
            await outbox.mark(
                session, message.id, ok=error is None, attempts=message.attempts + 1, error=error
            )
        app[METRICS].webhooks.labels(result="ok" if error is None else "error").inc()
        if error is None:
            delivered += 1
        else:
            log.warning("webhook for outbox message %d failed: %s", message.id, error)
    return delivered


async def webhook_ctx(app: web.Application) -> AsyncIterator[None]:
    """Run the delivery loop for the application's lifetime."""

    async def loop() -> None:
        async with aiohttp.ClientSession() as client:
            while True:
                try:
                    await deliver_due(app, client)
                except Exception:  # the loop must survive a database hiccup
                    log.exception("webhook delivery round failed")
                await asyncio.sleep(app[SETTINGS].webhook_poll_seconds)

    task = asyncio.create_task(loop())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
