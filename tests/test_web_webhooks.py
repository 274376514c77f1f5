"""Outcome webhooks: signed, retried with backoff, and not lost when the service restarts."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from typing import Any

from aiohttp import web
from sqlalchemy import select

from moderation.storage import outbox
from moderation.storage.engine import make_engine, make_sessionmaker
from moderation.storage.migrate import upgrade_async
from moderation.storage.models import OutboxMessage
from moderation.storage.outbox import backoff
from moderation.web.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

SECRET = "s3cret"


async def enqueue(database_url: str, review_id: str) -> None:
    await upgrade_async(database_url)
    engine = make_engine(database_url)
    async with make_sessionmaker(engine)() as session, session.begin():
        outbox.enqueue(
            session, "review.decided", review_id, {"id": review_id, "decision": "publish"}
        )
    await engine.dispose()


async def messages(database_url: str) -> list[OutboxMessage]:
    engine = make_engine(database_url)
    async with make_sessionmaker(engine)() as session:
        rows = list((await session.scalars(select(OutboxMessage))).all())
    await engine.dispose()
    return rows


class Receiver:
    """A storefront stand-in on loopback that fails the first `failures` calls."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.received: list[tuple[bytes, dict[str, str]]] = []
        self.app = web.Application()
        self.app.router.add_post("/hook", self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        if self.failures > 0:
            self.failures -= 1
            return web.Response(status=503)
        self.received.append((body, dict(request.headers)))
        return web.Response(status=204)


async def wait_for(predicate: Any, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not await predicate():
        if loop.time() > end:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


async def test_delivery_is_signed_with_hmac_sha256(
    aiohttp_server: Any, service_factory: Any, settings: Any
) -> None:
    receiver = Receiver()
    server = await aiohttp_server(receiver.app)
    await enqueue(settings.database_url, "r-1")
    await service_factory(webhook_url=str(server.make_url("/hook")), webhook_secret=SECRET)

    async def got() -> bool:
        return len(receiver.received) == 1

    await wait_for(got)
    body, headers = receiver.received[0]
    expected = (
        "sha256="
        + hmac.new(
            SECRET.encode(), headers[TIMESTAMP_HEADER].encode() + b"." + body, hashlib.sha256
        ).hexdigest()
    )
    assert headers[SIGNATURE_HEADER] == expected == sign(SECRET, headers[TIMESTAMP_HEADER], body)
    payload = json.loads(body)
    assert payload["event"] == "review.decided" and payload["review"]["id"] == "r-1"


async def test_failed_delivery_is_retried_until_it_succeeds(
    aiohttp_server: Any, service_factory: Any, settings: Any, monkeypatch: Any
) -> None:
    # Backoff shortened so the test does not wait seconds; the schedule itself is tested below.
    monkeypatch.setattr(outbox, "backoff", lambda attempts: backoff(0) * 0)
    receiver = Receiver(failures=2)
    server = await aiohttp_server(receiver.app)
    await enqueue(settings.database_url, "r-2")
    await service_factory(webhook_url=str(server.make_url("/hook")), webhook_secret=SECRET)

    async def delivered() -> bool:
        rows = await messages(settings.database_url)
        return rows[0].delivered_at is not None

    await wait_for(delivered)
    (row,) = await messages(settings.database_url)
    assert row.attempts == 3 and len(receiver.received) == 1


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [2, 4, 8]
    assert backoff(50).total_seconds() == 3600


async def test_pending_webhook_survives_a_restart(
    aiohttp_server: Any, aiohttp_client: Any, settings: Any, unused_tcp_port: int
) -> None:
    from dataclasses import replace

    from moderation.web.app import create_app

    await enqueue(settings.database_url, "r-3")
    # First life: the storefront is down (nothing listens on the port).
    down = replace(
        settings, webhook_url=f"http://127.0.0.1:{unused_tcp_port}/hook", webhook_secret=SECRET
    )
    client = await aiohttp_client(create_app(down))

    async def tried() -> bool:
        return (await messages(settings.database_url))[0].attempts >= 1

    await wait_for(tried)
    await client.close()
    (row,) = await messages(settings.database_url)
    assert row.delivered_at is None and row.last_error
    # Make the retry due now, as if the backoff had passed while the service was down.
    engine = make_engine(settings.database_url)
    async with make_sessionmaker(engine)() as session, session.begin():
        stored = await session.get(OutboxMessage, row.id)
        assert stored is not None
        stored.next_attempt_at = row.created_at
    await engine.dispose()
    # Second life: the storefront is back.
    receiver = Receiver()
    server = await aiohttp_server(receiver.app)
    await aiohttp_client(
        create_app(
            replace(settings, webhook_url=str(server.make_url("/hook")), webhook_secret=SECRET)
        )
    )

    async def got() -> bool:
        return len(receiver.received) == 1

    await wait_for(got)
