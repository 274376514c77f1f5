"""Shipping a model without a restart: POST /v1/admin/model under a stream of requests."""

from __future__ import annotations

import asyncio
import json
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
    # At most three batches of 8 overlap the swap: one answered as the swap begins, one scored
    # before the new model's loading takes the scoring thread (the admin request is still
    # being handled when the window opens), and one that waits for the loading to end.
    assert len(in_flight) <= 24
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


# ------------------------------------------------------------------------- shadow scoring
SHADOW_TEXTS = (
    "مودم خوبیه، سرعتش عالیه",
    "شماره‌م ۰۹۱۲۳۴۵۶۷۸۹ هست زنگ بزن",
    "کارت بانکی دزدی داریم، ارزون میدیم، پیوی",
    "خیلی بده، پولتونو دور نریزید",
    "تفنگ شکاری بدون مجوز موجوده تحویل فوری",
    "بسته‌بندیش داغون بود ولی کار میکنه",
)


async def _shadow_rows(database_url: str) -> int:
    from sqlalchemy import func, select

    from moderation.storage.engine import make_engine, make_sessionmaker
    from moderation.storage.models import ShadowScore

    engine = make_engine(database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            return int(await session.scalar(select(func.count()).select_from(ShadowScore)) or 0)
    finally:
        await engine.dispose()


async def test_a_shadow_model_scores_beside_the_live_one_and_never_decides(
    aiohttp_client: Any, settings: Any, two_models: Path
) -> None:
    from moderation.classifier.artifact import load_model
    from moderation.paths import DEFAULT_POLICY
    from moderation.policy import load_policy
    from moderation.scoring import Scorer

    a = await _start(aiohttp_client, settings, two_models)
    b = await _start(aiohttp_client, settings, two_models)
    resp = await a.client.post(
        "/v1/admin/shadow", json={"version": "2026-01-01.2"}, headers=a.auth("admin")
    )
    assert resp.status == 200
    assert await resp.json() == {"shadow_version": "2026-01-01.2", "previous": None}
    deadline = asyncio.get_running_loop().time() + 20
    while True:  # the other instance follows the shadow too
        shown = await (await b.client.get("/v1/admin/shadow", headers=b.auth("admin"))).json()
        if shown["serving_here"] == "2026-01-01.2":
            break
        assert asyncio.get_running_loop().time() < deadline, shown
        await asyncio.sleep(POLL)

    texts = [t for t in SHADOW_TEXTS for _ in range(2)]
    for i, text in enumerate(texts):
        service = a if i % 2 else b
        resp = await service.client.post(
            "/v1/reviews",
            json={"review_id": f"sh-{i}", "product_id": "p", "text": f"{text} {i}",
                  "submitter": {"user_id": "u"}},
            headers=service.auth("storefront"),
        )  # fmt: skip
        assert resp.status == 201
        assert (await resp.json())["model_version"] == "2026-01-01.1"  # the live model decides

    # The comparison is what the two models decide on these reviews, counted.
    policy = load_policy(DEFAULT_POLICY)
    live = Scorer(policy, load_model("2026-01-01.1", two_models))
    candidate = Scorer(policy, load_model("2026-01-01.2", two_models))
    items = [(i, f"{t} {i}") for i, t in enumerate(texts)]
    pairs = [
        f"{x.outcome.decision} -> {y.outcome.decision}"
        for x, y in zip(live.score_many(items), candidate.score_many(items), strict=True)
    ]
    report = await (await a.client.get("/v1/admin/shadow", headers=a.auth("admin"))).json()
    assert report["shadow_version"] == "2026-01-01.2"
    assert report["live_version"] == "2026-01-01.1"
    assert report["by"].startswith("admin")
    comparison = report["comparison"]
    assert comparison["reviews"] == len(texts)
    assert comparison["decisions"] == {p: pairs.count(p) for p in sorted(set(pairs))}
    same = sum(p.split(" -> ")[0] == p.split(" -> ")[1] for p in pairs)
    assert comparison["same_decision"] == round(same / len(texts), 4)
    assert "sh-" not in json.dumps(comparison)  # counts only: no review ids, no text

    # Stopped, on one instance for all: later reviews are not shadow-scored.
    resp = await b.client.post("/v1/admin/shadow", json={"version": None}, headers=b.auth("admin"))
    assert await resp.json() == {"shadow_version": None, "previous": "2026-01-01.2"}
    deadline = asyncio.get_running_loop().time() + 20
    while True:
        shown = await (await a.client.get("/v1/admin/shadow", headers=a.auth("admin"))).json()
        if shown["serving_here"] is None:
            break
        assert asyncio.get_running_loop().time() < deadline, shown
        await asyncio.sleep(POLL)
    assert shown["shadow_version"] is None and shown["comparison"] is None
    before = await _shadow_rows(settings.database_url)
    assert before == len(texts)
    assert await _review_version(a, "sh-after") == "2026-01-01.1"
    assert await _shadow_rows(settings.database_url) == before


async def test_a_refused_shadow_records_nothing(
    aiohttp_client: Any, settings: Any, two_models: Path
) -> None:
    a = await _start(aiohttp_client, settings, two_models)
    for body in ({"version": "2026-01-09.9"}, {"version": 3}, {"v": None}, [None]):
        resp = await a.client.post("/v1/admin/shadow", json=body, headers=a.auth("admin"))
        assert resp.status == 400
    shown = await (await a.client.get("/v1/admin/shadow", headers=a.auth("admin"))).json()
    assert shown["shadow_version"] is None and shown["by"] is None
    await _review_version(a, "no-shadow")
    assert await _shadow_rows(settings.database_url) == 0


async def test_a_failing_shadow_model_never_costs_a_live_decision(
    aiohttp_client: Any, settings: Any, two_models: Path
) -> None:
    from moderation.scoring import Scorer
    from moderation.web.keys import SCORER

    a = await _start(aiohttp_client, settings, two_models)
    resp = await a.client.post(
        "/v1/admin/shadow", json={"version": "2026-01-01.2"}, headers=a.auth("admin")
    )
    assert resp.status == 200
    holder = a.client.app[SCORER]
    shadow = holder.shadow
    assert shadow is not None

    class Broken(Scorer):
        def score_many(self, items: Any) -> Any:
            raise RuntimeError("the candidate model breaks on this input")

    holder.shadow = Broken(shadow.policy, shadow.model, shadow.lexicon)
    assert await _review_version(a, "sh-broken") == "2026-01-01.1"
    assert await _shadow_rows(settings.database_url) == 0


def test_the_poll_interval_is_read_from_the_environment_and_checked() -> None:
    from moderation.settings import Settings

    assert Settings.from_env({"MODERATION_MODEL_POLL_SECONDS": "0.5"}).model_poll_seconds == 0.5
    assert Settings.from_env({}).model_poll_seconds == 5.0
    Settings.from_env({"MODERATION_MODEL_POLL_SECONDS": "0"}).check()  # 0: follow only at start
    for bad in ("-1", "nan"):
        with pytest.raises(ValueError, match="MODERATION_MODEL_POLL_SECONDS"):
            Settings.from_env({"MODERATION_MODEL_POLL_SECONDS": bad}).check()
