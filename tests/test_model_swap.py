"""Shipping a model without a restart: POST /v1/admin/model under a stream of requests."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from moderation.classifier.artifact import save_model
from moderation.classifier.train import train_model
from tests.conftest import Service, make_tokens
from tests.test_classifier import examples


@pytest.fixture(scope="module")
def two_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    models = tmp_path_factory.mktemp("swap-models")
    for version in ("2026-01-01.1", "2026-01-01.2"):
        save_model(train_model(examples(), version=version, pipeline_params={"cv": 2}), models)
    return models


async def test_swap_under_load_loses_no_request_and_versions_change_once(
    aiohttp_client: Any, settings: Any, two_models: Path
) -> None:
    from moderation.web.app import create_app

    app = create_app(replace(settings, models_dir=two_models, model="2026-01-01.1"))
    client = await aiohttp_client(app)
    service = Service(client, await make_tokens(settings.database_url))
    loop = asyncio.get_running_loop()
    seen: list[tuple[float, float, str]] = []  # (sent, answered, model version)
    statuses: list[int] = []
    swap_window: list[float] = []

    async def post(i: int) -> None:
        body = {
            "review_id": f"s-{i}",
            "product_id": "p",
            "text": f"مودم خوبیه {i}",
            "submitter": {"user_id": "u"},
        }
        sent = loop.time()
        resp = await client.post("/v1/reviews", json=body, headers=service.auth("storefront"))
        statuses.append(resp.status)
        seen.append((sent, loop.time(), (await resp.json())["model_version"]))

    some_done = asyncio.Event()

    async def stream() -> None:
        for start in range(0, 120, 8):  # 120 requests, 8 at a time, in order
            await asyncio.gather(*(post(i) for i in range(start, start + 8)))
            if start >= 24:
                some_done.set()

    async def swap() -> None:
        await some_done.wait()  # swap while the stream goes on, after some answers
        swap_window.append(loop.time())
        resp = await client.post(
            "/v1/admin/model", json={"version": "2026-01-01.2"}, headers=service.auth("admin")
        )
        assert resp.status == 200
        swap_window.append(loop.time())
        assert (await resp.json()) == {"model_version": "2026-01-01.2", "previous": "2026-01-01.1"}

    await asyncio.gather(stream(), swap())
    assert statuses.count(201) == 120  # no request failed
    start, end = swap_window
    # Answered before the swap began: the old model. Sent after it ended: the new one. Only
    # requests in flight during the swap may carry either, each one whole.
    assert {v for _, answered, v in seen if answered < start} == {"2026-01-01.1"}
    assert {v for sent, _, v in seen if sent > end} == {"2026-01-01.2"}
    # The version changes once: apart from requests in flight during the swap, everything
    # before it is old and everything after it is new (checked above); nothing else appears.
    assert {v for _, _, v in seen} == {"2026-01-01.1", "2026-01-01.2"}
    in_flight = [v for sent, answered, v in seen if answered >= start and sent <= end]
    assert len(in_flight) <= 16  # at most two batches straddle the swap
    ready = await (await client.get("/readyz")).json()
    assert ready["model_version"] == "2026-01-01.2"


async def test_switching_to_a_bad_artifact_is_refused_and_keeps_the_model(
    service_factory: Any, two_models: Path
) -> None:
    service = await service_factory(models_dir=two_models, model="2026-01-01.1")
    for body in ({"version": "nope"}, {"version": "../etc/passwd"}, {"v": 1}, []):
        resp = await service.client.post(
            "/v1/admin/model", json=body, headers=service.auth("admin")
        )
        assert resp.status == 400
    resp = await service.client.post(
        "/v1/admin/model", json={"version": "2026-01-01.2"}, headers=service.auth("moderator")
    )
    assert resp.status == 403
    info = await (await service.client.get("/v1/admin/model", headers=service.auth("admin"))).json()
    assert info["model_version"] == "2026-01-01.1"
    assert info["available"] == ["2026-01-01.1", "2026-01-01.2"]
