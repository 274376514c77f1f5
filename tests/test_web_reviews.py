"""POST /v1/reviews and friends: decisions, idempotency, roles, and every kind of bad input."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select

from moderation.storage.engine import make_engine, make_sessionmaker
from moderation.storage.models import AuditEvent, Edit, Review, Submitter
from tests.conftest import Service

RESULT_KEYS = {
    "id",
    "decision",
    "published_text",
    "labels",
    "flags",
    "edits",
    "legal_hold",
    "model_version",
    "reasons",
    "status",
}


def review(review_id: str = "r-1", text: str = "مودم خوبیه، راضیم", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "review_id": review_id,
        "product_id": "p-9",
        "text": text,
        "submitter": {"user_id": "u-77", "ip": "203.0.113.7", "user_agent": "Mozilla/5.0"},
    }
    body.update(extra)
    return body


async def count_rows(database_url: str) -> dict[str, int]:
    engine = make_engine(database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            return {
                m.__tablename__: int(await session.scalar(select(func.count()).select_from(m)))
                for m in (Review, Edit, Submitter, AuditEvent)
            }
    finally:
        await engine.dispose()


async def test_clean_review_is_published_unchanged(service: Service) -> None:
    resp = await service.client.post(
        "/v1/reviews", json=review(), headers=service.auth("storefront")
    )
    assert resp.status == 201
    body = await resp.json()
    assert set(body) >= RESULT_KEYS
    assert (body["decision"], body["published_text"], body["status"]) == (
        "publish",
        "مودم خوبیه، راضیم",
        "final",
    )


async def test_phone_number_is_redacted_with_a_persian_reason(service: Service) -> None:
    resp = await service.client.post(
        "/v1/reviews",
        json=review(text="شماره‌م 09121234567 هست"),
        headers=service.auth("storefront"),
    )
    body = await resp.json()
    assert body["decision"] == "publish_edited"
    assert body["published_text"] == "شماره‌م [شماره تلفن] هست"
    assert body["edits"] == [
        {"start": 8, "end": 19, "kind": "personal_info", "replacement": "[شماره تلفن]"}
    ]
    assert any("حریم خصوصی" in r for r in body["reasons"])


async def test_repost_same_text_returns_stored_decision_without_a_new_row(
    service: Service, settings: Any
) -> None:
    first = await service.client.post(
        "/v1/reviews", json=review(), headers=service.auth("storefront")
    )
    again = await service.client.post(
        "/v1/reviews", json=review(), headers=service.auth("storefront")
    )
    assert (first.status, again.status) == (201, 200)
    assert await first.json() == await again.json()
    counts = await count_rows(settings.database_url)
    assert counts["reviews"] == 1 and counts["audit_events"] == 1


async def test_repost_with_another_text_is_a_409(service: Service) -> None:
    await service.client.post("/v1/reviews", json=review(), headers=service.auth("storefront"))
    resp = await service.client.post(
        "/v1/reviews", json=review(text="متن دیگر"), headers=service.auth("storefront")
    )
    assert resp.status == 409
    assert (await resp.json())["error"]["code"] == "review_id_conflict"


async def test_get_returns_current_state_to_storefront_and_moderator(service: Service) -> None:
    await service.client.post("/v1/reviews", json=review(), headers=service.auth("storefront"))
    for role in ("storefront", "moderator"):
        resp = await service.client.get("/v1/reviews/r-1", headers=service.auth(role))
        assert resp.status == 200
        assert (await resp.json())["id"] == "r-1"
    missing = await service.client.get("/v1/reviews/nope", headers=service.auth("storefront"))
    assert missing.status == 404 and (await missing.json())["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("POST", "/v1/reviews", {"storefront"}),
        ("POST", "/v1/reviews/batch", {"storefront"}),
        ("GET", "/v1/reviews/r-1", {"storefront", "moderator"}),
    ],
)
async def test_roles(service: Service, method: str, path: str, allowed: set[str]) -> None:
    body = {"reviews": [review()]} if path.endswith("batch") else review()
    await service.client.post("/v1/reviews", json=review(), headers=service.auth("storefront"))
    for role in ("storefront", "moderator", "legal", "admin"):
        resp = await service.client.request(method, path, json=body, headers=service.auth(role))
        assert (resp.status < 400) == (role in allowed), (role, resp.status)
        if role not in allowed:
            assert resp.status == 403
            assert (await resp.json())["error"]["code"] == "forbidden"
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic x"}):
        resp = await service.client.request(method, path, json=body, headers=headers)
        assert resp.status == 401
        assert (await resp.json())["error"]["code"] == "unauthorized"


BAD: list[tuple[str, Any, str]] = [
    ("not json", b"{not json", "invalid_json"),
    ("invalid utf-8", b'{"text": "\xff\xfe"}', "invalid_utf8"),
    ("empty body", b"", "empty_body"),
    ("array", [1, 2], "wrong_type"),
    ("missing text", {k: v for k, v in review().items() if k != "text"}, "missing_field"),
    ("missing submitter", {k: v for k, v in review().items() if k != "submitter"}, "missing_field"),
    ("text not a string", review(text=42), "wrong_type"),
    ("empty text", review(text="   "), "empty_field"),
    ("text too long", review(text="ا" * 5001), "too_long"),
    ("NUL in text", review(text="سلام\x00"), "invalid_text"),
    (
        "lone surrogate",
        b'{"review_id":"r","product_id":"p","text":"\\ud800","submitter":{"user_id":"u"}}',
        "invalid_text",
    ),
    ("unknown field", review(colour="red"), "unknown_field"),
    ("unknown submitter field", review(submitter={"user_id": "u", "phone": "1"}), "unknown_field"),
    ("bad rating", review(rating=9), "wrong_type"),
    ("boolean rating", review(rating=True), "wrong_type"),
    ("bad ip", review(submitter={"user_id": "u", "ip": "999.1.1.1"}), "invalid_ip"),
    ("naive time", review(submitted_at="2026-11-24T10:00:00"), "invalid_time"),
    ("review id too long", review(review_id="x" * 129), "too_long"),
]


@pytest.mark.parametrize(("name", "body", "code"), BAD, ids=[b[0] for b in BAD])
async def test_bad_input_gets_a_named_json_error_and_writes_nothing(
    service: Service, settings: Any, name: str, body: Any, code: str
) -> None:
    kwargs: dict[str, Any] = {"data": body} if isinstance(body, bytes) else {"json": body}
    resp = await service.client.post("/v1/reviews", headers=service.auth("storefront"), **kwargs)
    assert resp.status == 400, name
    error = (await resp.json())["error"]
    assert error["code"] == code and error["message"]
    assert (await count_rows(settings.database_url))["reviews"] == 0


async def test_oversized_body_is_a_json_413(service_factory: Any) -> None:
    service = await service_factory(max_body_bytes=10_000)
    resp = await service.client.post(
        "/v1/reviews", data=b"x" * 20_000, headers=service.auth("storefront")
    )
    assert resp.status == 413
    assert (await resp.json())["error"]["code"] == "body_too_large"


async def test_batch_gives_a_result_or_an_error_per_item(service: Service) -> None:
    body = {
        "reviews": [
            review("b-1"),
            review("b-2", text=""),
            review("b-1"),
            review("b-3", text="ایمیلم a@b.com"),
        ]
    }
    resp = await service.client.post(
        "/v1/reviews/batch", json=body, headers=service.auth("storefront")
    )
    assert resp.status == 200
    out = await resp.json()
    assert (out["accepted"], out["errors"]) == (2, 2)
    results = out["results"]
    assert results[0]["result"]["decision"] == "publish"
    assert results[1]["error"]["code"] == "empty_field"
    assert results[2]["error"]["code"] == "duplicate_in_batch"
    assert results[3]["result"]["published_text"] == "ایمیلم [ایمیل]"


async def test_batch_limit(service: Service) -> None:
    body = {"reviews": [review(f"x-{i}") for i in range(501)]}
    resp = await service.client.post(
        "/v1/reviews/batch", json=body, headers=service.auth("storefront")
    )
    assert resp.status == 413 and (await resp.json())["error"]["code"] == "batch_too_large"


async def test_submitter_record_is_stored_for_legal_follow_up(
    service: Service, settings: Any
) -> None:
    await service.client.post("/v1/reviews", json=review(), headers=service.auth("storefront"))
    engine = make_engine(settings.database_url)
    async with make_sessionmaker(engine)() as session:
        sub = await session.scalar(select(Submitter))
    await engine.dispose()
    assert sub is not None and (sub.user_id, sub.ip) == ("u-77", "203.0.113.7")


async def test_health_ready_metrics_openapi(service: Service) -> None:
    assert (await service.client.get("/healthz")).status == 200
    ready = await (await service.client.get("/readyz")).json()
    assert ready == {"status": "ready", "model_version": "rules-only"}
    await service.client.post("/v1/reviews", json=review(), headers=service.auth("storefront"))
    metrics = await (await service.client.get("/metrics")).text()
    assert 'moderation_decisions_total{decision="publish"} 1.0' in metrics
    assert "moderation_http_request_seconds_bucket" in metrics
    assert 'moderation_model_info{version="rules-only"} 1.0' in metrics
    doc = await (await service.client.get("/v1/openapi.json")).json()
    assert doc["openapi"].startswith("3.")
    assert "/v1/reviews" in doc["paths"]


async def test_unknown_path_and_method_are_json(service: Service) -> None:
    resp = await service.client.get("/nope")
    assert resp.status == 404 and (await resp.json())["error"]["code"] == "not_found"
    resp = await service.client.delete("/v1/reviews", headers=service.auth("storefront"))
    assert resp.status == 405
    assert (await resp.json())["error"]["code"] == "method_not_allowed"


async def test_concurrent_posts_are_batched_and_stay_idempotent(service: Service,
                                                                settings: Any) -> None:
    store = service.auth("storefront")
    bodies = [review(f"c-{i}", text=f"مودم خوبیه {i}") for i in range(40)]
    bodies += [review("c-0", text="مودم خوبیه 0"), review("c-1", text="متن دیگری")]
    responses = await asyncio.gather(*(service.client.post("/v1/reviews", json=b, headers=store)
                                       for b in bodies))
    statuses = [r.status for r in responses]
    assert statuses[:40].count(201) + statuses[40:].count(201) == 40  # each id created once
    assert sorted(statuses[40:]) in ([200, 409], [201, 409], [200, 201])
    assert (await count_rows(settings.database_url))["reviews"] == 40
