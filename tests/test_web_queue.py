"""The moderator queue: claims and their expiry, races, decisions, undo, bulk, privacy."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import select

from moderation.storage.engine import make_engine, make_sessionmaker
from moderation.storage.models import ModeratorLabel, OutboxMessage
from moderation.storage.tokens import create_token
from moderation.web.app import create_app
from tests.conftest import Service

HELD = "پشتیبانتون کصکشه"  # severe profanity: held for a moderator, not masked
SECRET_UA = "SecretAgent/9.9"


def review(review_id: str, text: str = HELD, user: str = "user-4242") -> dict[str, Any]:
    return {
        "review_id": review_id,
        "product_id": "p-1",
        "text": text,
        "submitter": {"user_id": user, "ip": "198.51.100.23", "user_agent": SECRET_UA},
    }


async def submit(service: Service, *ids: str) -> None:
    for rid in ids:
        resp = await service.client.post(
            "/v1/reviews", json=review(rid), headers=service.auth("storefront")
        )
        assert (await resp.json())["decision"] == "hold"


async def second_moderator(database_url: str) -> dict[str, str]:
    engine = make_engine(database_url)
    async with make_sessionmaker(engine)() as session, session.begin():
        token = await create_token(session, "moderator", "second")
    await engine.dispose()
    return {"Authorization": f"Bearer {token}"}


async def test_queue_lists_held_items_with_why_they_were_held(service: Service) -> None:
    await submit(service, "q-1")
    resp = await service.client.get("/v1/queue", headers=service.auth("moderator"))
    (item,) = (await resp.json())["items"]
    assert item["id"] == "q-1" and item["flags"] == ["insult"]
    assert item["spans"][0]["label"] == "insult"
    assert item["rules"][0]["action"] == "mask" and item["rules"][0]["outcome"] == "hold"
    assert item["edits"][0]["replacement"].endswith("***")
    assert item["author"]["pseudonym"].startswith("u-")
    assert item["author"]["history"]["held"] == 1


async def test_moderators_never_see_the_submitters_identity(service: Service) -> None:
    await submit(service, "q-1")
    bodies = [
        await (await service.client.get("/v1/queue", headers=service.auth("moderator"))).text(),
        await (
            await service.client.post("/v1/queue/q-1/claim", headers=service.auth("moderator"))
        ).text(),
        await (
            await service.client.get("/v1/reviews/q-1", headers=service.auth("moderator"))
        ).text(),
        await (
            await service.client.post(
                "/v1/queue/q-1/decision",
                json={"action": "approve_edited"},
                headers=service.auth("moderator"),
            )
        ).text(),
    ]
    for body in bodies:
        assert "198.51.100.23" not in body and SECRET_UA not in body and "user-4242" not in body


async def test_claimed_item_is_not_offered_to_another_moderator(
    service: Service, settings: Any
) -> None:
    await submit(service, "q-1")
    other = await second_moderator(settings.database_url)
    assert (
        await service.client.post("/v1/queue/q-1/claim", headers=service.auth("moderator"))
    ).status == 200
    resp = await service.client.post("/v1/queue/q-1/claim", headers=other)
    assert resp.status == 409 and (await resp.json())["error"]["code"] == "claimed"
    listing = await (await service.client.get("/v1/queue", headers=other)).json()
    assert listing["items"] == []
    decide = await service.client.post(
        "/v1/queue/q-1/decision", json={"action": "approve"}, headers=other
    )
    assert decide.status == 409


async def test_an_expired_claim_comes_back(service_factory: Any, settings: Any) -> None:
    service = await service_factory(claim_minutes=0.001)  # a lease of 60 ms
    await submit(service, "q-1")
    other = await second_moderator(settings.database_url)
    assert (
        await service.client.post("/v1/queue/q-1/claim", headers=service.auth("moderator"))
    ).status == 200
    await asyncio.sleep(0.2)
    assert (await service.client.post("/v1/queue/q-1/claim", headers=other)).status == 200


async def test_two_moderators_racing_for_an_item_exactly_one_wins(
    aiohttp_client: Any, settings: Any, service: Service
) -> None:
    await submit(service, "q-1")
    # A second service instance on the same database, as behind a load balancer.
    second: TestClient = await aiohttp_client(create_app(replace(settings)))
    tokens = [service.auth("moderator"), await second_moderator(settings.database_url)]
    for _ in range(3):
        results = await asyncio.gather(
            service.client.post("/v1/queue/q-1/claim", headers=tokens[0]),
            second.post("/v1/queue/q-1/claim", headers=tokens[1]),
        )
        statuses = sorted(r.status for r in results)
        if statuses != [200, 200]:
            break
    assert statuses == [200, 409]


async def test_decisions_change_state_fire_the_webhook_and_record_labels(
    service: Service, settings: Any
) -> None:
    await submit(service, "q-1", "q-2", "q-3")
    mod = service.auth("moderator")
    edit = await service.client.post(
        "/v1/queue/q-1/decision", json={"action": "edit", "text": "پشتیبانی ضعیف بود"}, headers=mod
    )
    assert (await edit.json())["decision"] == "publish_edited"
    state = await (
        await service.client.get("/v1/reviews/q-1", headers=service.auth("storefront"))
    ).json()
    assert state["published_text"] == "پشتیبانی ضعیف بود"
    assert state["moderation"]["action"] == "edit" and state["status"] == "final"
    reject = await service.client.post(
        "/v1/queue/q-2/decision",
        json={"action": "reject", "reason": "insult", "note": "personal attack"},
        headers=mod,
    )
    assert (await reject.json())["decision"] == "reject"
    bad = await service.client.post(
        "/v1/queue/q-3/decision", json={"action": "reject", "reason": "because"}, headers=mod
    )
    assert bad.status == 400 and (await bad.json())["error"]["code"] == "invalid_reason"
    engine = make_engine(settings.database_url)
    async with make_sessionmaker(engine)() as session:
        labels = list((await session.scalars(select(ModeratorLabel))).all())
        sent = list((await session.scalars(select(OutboxMessage))).all())
    await engine.dispose()
    assert sorted((m.action, tuple(m.labels)) for m in labels) == [
        ("edit", ()),
        ("reject", ("insult",)),
    ]
    assert {m.review_id for m in sent} == {"q-1", "q-2"}


async def test_rejected_review_can_be_overturned(service: Service) -> None:
    await submit(service, "q-1")
    mod = service.auth("moderator")
    await service.client.post(
        "/v1/queue/q-1/decision", json={"action": "reject", "reason": "insult"}, headers=mod
    )
    rejected = await (await service.client.get("/v1/queue?list=rejected", headers=mod)).json()
    assert [i["id"] for i in rejected["items"]] == ["q-1"]
    resp = await service.client.post(
        "/v1/queue/q-1/decision", json={"action": "approve_edited"}, headers=mod
    )
    assert (await resp.json())["decision"] == "publish_edited"


async def test_undo_restores_the_previous_state(service: Service, settings: Any) -> None:
    await submit(service, "q-1")
    mod = service.auth("moderator")
    await service.client.post("/v1/queue/q-1/decision", json={"action": "approve"}, headers=mod)
    resp = await service.client.post("/v1/queue/q-1/undo", headers=mod)
    body = await resp.json()
    assert resp.status == 200 and (body["decision"], body["status"]) == ("hold", "pending")
    listing = await (await service.client.get("/v1/queue", headers=mod)).json()
    assert [i["id"] for i in listing["items"]] == ["q-1"]
    other = await second_moderator(settings.database_url)
    assert (await service.client.post("/v1/queue/q-1/undo", headers=other)).status == 409


async def test_undo_window_closes(service_factory: Any) -> None:
    service = await service_factory(undo_seconds=0.05)
    await submit(service, "q-1")
    mod = service.auth("moderator")
    await service.client.post("/v1/queue/q-1/decision", json={"action": "approve"}, headers=mod)
    await asyncio.sleep(0.2)
    resp = await service.client.post("/v1/queue/q-1/undo", headers=mod)
    assert resp.status == 409 and (await resp.json())["error"]["code"] == "undo_expired"


async def test_bulk_decision_reports_each_item(service: Service) -> None:
    await submit(service, "q-1", "q-2")
    resp = await service.client.post(
        "/v1/queue/bulk",
        json={"review_ids": ["q-1", "q-2", "nope"], "action": "reject", "reason": "insult"},
        headers=service.auth("moderator"),
    )
    results = (await resp.json())["results"]
    assert [r.get("decision") for r in results[:2]] == ["reject", "reject"]
    assert results[2]["error"]["code"] == "not_found"


async def test_queue_filters_and_bad_parameters(service: Service) -> None:
    await submit(service, "q-1")
    mod = service.auth("moderator")
    for query, count in (
        ("label=insult", 1),
        ("label=spam", 0),
        ("min_score=0.99", 0),
        ("max_age_hours=1", 1),
        ("limit=1", 1),
    ):
        body = await (await service.client.get(f"/v1/queue?{query}", headers=mod)).json()
        assert body["count"] == count, query
    for query in ("label=rude", "min_score=2", "limit=0", "list=all", "colour=red", "limit=x"):
        resp = await service.client.get(f"/v1/queue?{query}", headers=mod)
        assert resp.status == 400, query
        assert json.loads(await resp.text())["error"]["code"] in (
            "invalid_parameter",
            "unknown_parameter",
        )
