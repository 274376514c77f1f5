"""Shipping a model without a restart: POST /v1/admin/model under a stream of requests."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from moderation.classifier.artifact import save_model
from moderation.classifier.train import train_model
from tests.conftest import Service, make_tokens
from tests.test_classifier import examples

REPO = Path(__file__).resolve().parent.parent


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


# ------------------------------------------------------------- several instances, restarts
# An activation is recorded in the database; every instance sharing it follows, and a
# restarted instance comes back on it rather than on its configured default.

POLL = 0.05


async def _start(aiohttp_client: Any, settings: Any, models: Path, **overrides: Any) -> Service:
    from moderation.web.app import create_app

    options = {"models_dir": models, "model": "2026-01-01.1", "model_poll_seconds": POLL}
    client = await aiohttp_client(create_app(replace(settings, **{**options, **overrides})))
    return Service(client, await make_tokens(settings.database_url))


async def _model_info(service: Service) -> dict[str, Any]:
    resp = await service.client.get("/v1/admin/model", headers=service.auth("admin"))
    assert resp.status == 200
    info: dict[str, Any] = await resp.json()
    return info


async def _until(service: Service, version: str, seconds: float = 20.0) -> dict[str, Any]:
    """The instance's model info once it serves `version` (fails after `seconds`)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        info = await _model_info(service)
        if info["model_version"] == version:
            return info
        assert asyncio.get_running_loop().time() < deadline, info
        await asyncio.sleep(POLL)


async def _metrics(service: Service) -> str:
    return await (await service.client.get("/metrics", headers=service.auth("admin"))).text()


async def _review_version(service: Service, review_id: str) -> str:
    resp = await service.client.post(
        "/v1/reviews",
        json={
            "review_id": review_id,
            "product_id": "p",
            "text": "مودم خوبیه",
            "submitter": {"user_id": "u"},
        },
        headers=service.auth("storefront"),
    )
    assert resp.status == 201
    version: str = (await resp.json())["model_version"]
    return version


async def test_an_activation_on_one_instance_reaches_the_others_and_survives_a_restart(
    aiohttp_client: Any, settings: Any, two_models: Path
) -> None:
    a = await _start(aiohttp_client, settings, two_models)
    b = await _start(aiohttp_client, settings, two_models)
    assert (await _model_info(b))["activation"] is None  # nothing activated yet: the default
    resp = await a.client.post(
        "/v1/admin/model", json={"version": "2026-01-01.2"}, headers=a.auth("admin")
    )
    assert resp.status == 200
    info = await _until(b, "2026-01-01.2")
    assert info["in_sync"] is True
    assert info["activation"]["version"] == "2026-01-01.2"
    assert info["activation"]["by"].startswith("admin")
    assert await _review_version(b, "multi-1") == "2026-01-01.2"
    # A new instance starts on the activated model, even when the default it is configured
    # with names an artifact that is gone.
    c = await _start(aiohttp_client, settings, two_models, model="2026-01-09.9")
    assert (await _model_info(c))["model_version"] == "2026-01-01.2"
    assert await _review_version(c, "multi-2") == "2026-01-01.2"
    # Rolling back is one more activation, and it reaches the others the same way.
    resp = await b.client.post(
        "/v1/admin/model", json={"version": "2026-01-01.1"}, headers=b.auth("admin")
    )
    assert (await resp.json()) == {"model_version": "2026-01-01.1", "previous": "2026-01-01.2"}
    await _until(a, "2026-01-01.1")


async def test_an_instance_missing_the_artifact_keeps_serving_and_says_it_is_out_of_sync(
    aiohttp_client: Any, settings: Any, two_models: Path, tmp_path: Path
) -> None:
    partial = tmp_path / "partial-models"
    partial.mkdir()
    for f in two_models.glob("2026-01-01.1.*"):
        shutil.copy(f, partial / f.name)
    a = await _start(aiohttp_client, settings, two_models)
    lagging = await _start(aiohttp_client, settings, partial)
    resp = await a.client.post(
        "/v1/admin/model", json={"version": "2026-01-01.2"}, headers=a.auth("admin")
    )
    assert resp.status == 200
    # It has tried the activated artifact and failed: still answering, on the model it has,
    # and saying so.
    deadline = asyncio.get_running_loop().time() + 20
    while "moderation_model_in_sync 0.0" not in await _metrics(lagging):
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(POLL)
    info = await _model_info(lagging)
    assert info["in_sync"] is False and info["model_version"] == "2026-01-01.1"
    assert await _review_version(lagging, "lag-1") == "2026-01-01.1"
    # Once the artifact is deployed to its disk, it catches up without a restart.
    for f in two_models.glob("2026-01-01.2.*"):
        shutil.copy(f, partial / f.name)
    info = await _until(lagging, "2026-01-01.2")
    assert info["in_sync"] is True
    assert "moderation_model_in_sync 1.0" in await _metrics(lagging)


async def test_a_refused_activation_records_nothing(
    aiohttp_client: Any, settings: Any, two_models: Path
) -> None:
    a = await _start(aiohttp_client, settings, two_models)
    resp = await a.client.post("/v1/admin/model", json={"version": "nope"}, headers=a.auth("admin"))
    assert resp.status == 400
    assert (await resp.json())["error"]["code"] == "invalid_model"
    assert (await _model_info(a))["activation"] is None
    # A restart is not sent to the refused artifact either.
    b = await _start(aiohttp_client, settings, two_models)
    assert (await _model_info(b))["model_version"] == "2026-01-01.1"


async def test_the_command_line_activates_for_running_instances(
    aiohttp_client: Any, settings: Any, two_models: Path
) -> None:
    a = await _start(aiohttp_client, settings, two_models)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "moderation", "model", *args,
             "--database-url", settings.database_url],
            capture_output=True, text=True, cwd=REPO, timeout=120, check=False,
        )  # fmt: skip

    refused = cli("activate", "2026-01-09.9", "--models-dir", str(two_models))
    assert refused.returncode == 2 and "2026-01-09.9" in refused.stderr
    done = cli("activate", "2026-01-01.2", "--models-dir", str(two_models))
    assert done.returncode == 0, done.stderr
    await _until(a, "2026-01-01.2")
    shown = cli("show")
    assert shown.returncode == 0
    assert shown.stdout.splitlines()[0].endswith("2026-01-01.2  by cli")
    assert len(shown.stdout.splitlines()) == 1  # the refused one left no row
