"""Concurrency: 20 moderators work one queue through TWO service processes on one PostgreSQL.

No item is decided twice (one `queue.<action>` audit event and one moderator label per item),
no claim is lost (a moderator holding a claim always gets its decision through, and every item
ends decided), and the only refusals are the expected 409s (`claimed`, `not_in_queue`).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from moderation.storage.audit import verify_chain
from moderation.storage.engine import make_engine, make_sessionmaker
from moderation.storage.models import AuditEvent, ModeratorLabel, Review
from moderation.storage.tokens import create_token
from tests.conftest import fresh_postgres
from tests.test_durability import ServiceProcess, call, service_env, stopped_at_exit

HELD = "پشتیبانتون کصکشه"  # held for a moderator without a model
ITEMS = 60
MODERATORS = 20
DECISIONS = ("approve", "approve_edited", "edit")  # final: a decided item leaves the queue
EXPECTED_409 = {"claimed", "not_in_queue"}
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=30)


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    """A fresh PostgreSQL database (the only database two processes can share)."""
    async with fresh_postgres("negahban_conc") as url:
        yield url


@contextlib.asynccontextmanager
async def two_instances(
    database_url: str, tmp_path: Path
) -> AsyncIterator[tuple[ServiceProcess, ServiceProcess]]:
    """Two service processes on one database, stopped whatever the test does."""
    models = tmp_path / "models"
    models.mkdir()
    env = service_env(database_url, models)
    a = ServiceProcess(env, tmp_path, "instance-a")
    b = ServiceProcess(env, tmp_path, "instance-b")
    with stopped_at_exit(a, b):
        # Both start at once on the empty database, as behind a load balancer after a deploy.
        await asyncio.gather(a.start(), b.start())
        yield a, b


async def tokens(database_url: str) -> tuple[str, list[str]]:
    """A storefront token and MODERATORS moderator tokens, each with its own name."""
    engine = make_engine(database_url)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            store = await create_token(session, "storefront", "shop")
            mods = [await create_token(session, "moderator", f"m{i:02}") for i in range(MODERATORS)]
    finally:
        await engine.dispose()
    return store, mods


class Tally:
    """What the moderators saw."""

    def __init__(self) -> None:
        self.decided: dict[str, list[tuple[str, str]]] = defaultdict(list)  # id -> (who, action)
        self.refusals: Counter[tuple[str, int, str]] = Counter()  # (step, status, code)
        self.claims = 0


async def moderator(
    http: aiohttp.ClientSession, base: str, token: str, name: str, tally: Tally, seed: int
) -> None:
    """Take items off the top of the queue until it is empty, racing the others for them."""
    rnd = random.Random(seed)
    auth = {"Authorization": f"Bearer {token}"}
    for _ in range(200):  # bounded: the queue is empty long before
        status, listing = await call(http, "GET", f"{base}/v1/queue?limit=5", headers=auth)
        assert status == 200, listing
        if not listing["items"]:
            return
        review_id = rnd.choice(listing["items"])["id"]  # most moderators want the same few
        action = rnd.choice(DECISIONS)
        body: dict[str, Any] = {"action": action}
        if action == "edit":
            body["text"] = f"ویرایش شده توسط {name}"
        if rnd.random() < 0.7:  # claim first (the page does), else decide straight away
            status, out = await call(
                http, "POST", f"{base}/v1/queue/{review_id}/claim", headers=auth
            )
            if status != 200:
                tally.refusals[("claim", status, out["error"]["code"])] += 1
                continue
            tally.claims += 1
            assert out["claimed_by"] == f"moderator:{name}"
            await asyncio.sleep(rnd.random() * 0.02)  # reading the item
            status, out = await call(
                http, "POST", f"{base}/v1/queue/{review_id}/decision", json=body, headers=auth
            )
            # A claim is a lease nobody else can break: the decision must go through.
            assert status == 200, ("decision after own claim refused", review_id, out)
        else:
            status, out = await call(
                http, "POST", f"{base}/v1/queue/{review_id}/decision", json=body, headers=auth
            )
            if status != 200:
                tally.refusals[("decision", status, out["error"]["code"])] += 1
                continue
        assert (out["id"], out["status"]) == (review_id, "final"), out
        tally.decided[review_id].append((name, action))
    raise AssertionError(f"{name} never saw an empty queue")


async def test_twenty_moderators_on_two_instances_decide_each_item_once(
    pg_url: str, tmp_path: Path
) -> None:
    async with two_instances(pg_url, tmp_path) as (a, b):
        store, mods = await tokens(pg_url)
        instances = [a.base, b.base]
        async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as http:
            ids = [f"conc-{n:03}" for n in range(ITEMS)]
            for n, review_id in enumerate(ids):
                body = {
                    "review_id": review_id,
                    "product_id": "p-1",
                    "text": f"{HELD} {n}",
                    "submitter": {"user_id": f"u-{n % 9}"},
                }
                status, result = await call(
                    http,
                    "POST",
                    f"{instances[n % 2]}/v1/reviews",
                    json=body,
                    headers={"Authorization": f"Bearer {store}"},
                )
                assert status == 201 and result["decision"] == "hold", result
            tally = Tally()
            await asyncio.wait_for(
                asyncio.gather(
                    *(
                        moderator(http, instances[i % 2], tok, f"m{i:02}", tally, seed=i)
                        for i, tok in enumerate(mods)
                    )
                ),
                timeout=120,
            )
            # Every item ends decided, and only once, as the service itself reports it.
            assert sorted(tally.decided) == ids
            twice = {k: v for k, v in tally.decided.items() if len(v) != 1}
            assert not twice, twice
            assert set(code for _, _, code in tally.refusals) <= EXPECTED_409, tally.refusals
            assert {status for _, status, _ in tally.refusals} <= {409}, tally.refusals
            for n, review_id in enumerate(ids):
                status, state = await call(
                    http,
                    "GET",
                    f"{instances[n % 2]}/v1/reviews/{review_id}",
                    headers={"Authorization": f"Bearer {store}"},
                )
                (who, action) = tally.decided[review_id][0]
                assert status == 200 and state["status"] == "final", state
                assert state["moderation"]["action"] == action
        # The database agrees: one decision event and one training label per item.
        engine = make_engine(pg_url)
        try:
            async with make_sessionmaker(engine)() as session:
                events = list(
                    (await session.scalars(select(AuditEvent).order_by(AuditEvent.id))).all()
                )
                labels = dict(
                    (
                        await session.execute(
                            select(Review.review_id, func.count())
                            .join(ModeratorLabel, ModeratorLabel.review_pk == Review.id)
                            .group_by(Review.review_id)
                        )
                    ).all()
                )
        finally:
            await engine.dispose()
        decisions = [
            e for e in events if e.action in {f"queue.{d}" for d in DECISIONS} | {"queue.reject"}
        ]
        per_item = Counter(e.review_id for e in decisions)
        assert per_item == dict.fromkeys(ids, 1), per_item
        for e in decisions:
            who, action = tally.decided[e.review_id or ""][0]
            assert (e.actor, e.action) == (f"moderator:{who}", f"queue.{action}")
        assert labels == dict.fromkeys(ids, 1), labels
        # Two processes appended to one audit chain: it is still one unbroken chain.
        assert verify_chain(events) == []
        for service in (a, b):
            assert service.log_leaks() == [], service.tail()
        print(
            f"\n{len(ids)} items, {MODERATORS} moderators on 2 instances: {tally.claims} claims, "
            f"refusals {dict(tally.refusals)}"
        )


async def test_the_same_reviews_sent_to_two_instances_at_once_are_stored_once(
    pg_url: str, tmp_path: Path
) -> None:
    """A storefront retrying through a load balancer: each review reaches both instances at
    the same moment. Each is created once (201 from one instance, the stored result with 200
    from the other), nothing is written twice, and the audit chain stays one chain."""
    async with two_instances(pg_url, tmp_path) as (a, b):
        store, _ = await tokens(pg_url)
        headers = {"Authorization": f"Bearer {store}"}
        ids = [f"twice-{n:03}" for n in range(40)]
        bodies = [
            {"review_id": r, "product_id": "p-1", "text": f"{HELD} {n}",
             "submitter": {"user_id": f"u-{n % 7}", "ip": "192.0.2.7"}}
            for n, r in enumerate(ids)
        ]  # fmt: skip
        async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as http:
            answers = await asyncio.gather(
                *(
                    call(http, "POST", f"{base}/v1/reviews", json=body, headers=headers)
                    for body in bodies
                    for base in (a.base, b.base)
                )
            )
        for n, review_id in enumerate(ids):
            pair = answers[2 * n : 2 * n + 2]
            assert sorted(status for status, _ in pair) == [200, 201], (review_id, pair)
            first, second = (result for _, result in pair)
            assert first == second  # the retry gets the stored decision itself
            assert first["id"] == review_id and first["decision"] == "hold"
        engine = make_engine(pg_url)
        try:
            async with make_sessionmaker(engine)() as session:
                stored = (await session.scalars(select(Review.review_id))).all()
                events = list(
                    (await session.scalars(select(AuditEvent).order_by(AuditEvent.id))).all()
                )
        finally:
            await engine.dispose()
        assert sorted(stored) == ids
        scored = Counter(e.review_id for e in events if e.action == "review.scored")
        assert scored == dict.fromkeys(ids, 1)
        assert verify_chain(events) == []
        for service in (a, b):
            assert service.log_leaks() == [], service.tail()
