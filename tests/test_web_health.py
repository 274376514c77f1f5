"""The service answers its health checks."""

from aiohttp.test_utils import TestClient

from moderation.settings import Settings
from moderation.web.app import create_app


async def test_healthz_and_readyz(aiohttp_client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    client: TestClient = await aiohttp_client(create_app(Settings(models_dir=tmp_path)))
    assert (await client.get("/healthz")).status == 200
    body = await (await client.get("/readyz")).json()
    assert body == {"status": "ready", "model_version": "rules-only"}


async def test_unknown_path_is_a_json_404(aiohttp_client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    client: TestClient = await aiohttp_client(create_app(Settings(models_dir=tmp_path)))
    resp = await client.get("/nope")
    assert resp.status == 404
    assert (await resp.json())["error"]["code"] == "not_found"
