"""Shared fixtures: databases (SQLite and, when reachable, a real PostgreSQL) and clients."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from moderation.settings import Settings
from moderation.storage.engine import make_engine, make_sessionmaker
from moderation.storage.tokens import create_token
from moderation.web.app import create_app

PG_ADMIN = os.environ.get("MODERATION_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_PG = os.environ.get("MODERATION_REQUIRE_POSTGRES") == "1"


async def _pg_available() -> str | None:
    """None when PostgreSQL answers, else why not."""
    try:
        conn = await asyncpg.connect(PG_ADMIN, timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        return f"PostgreSQL at {PG_ADMIN} is not reachable ({type(exc).__name__})"
    await conn.close()
    return None


@contextlib.asynccontextmanager
async def fresh_postgres(prefix: str = "negahban_test") -> AsyncIterator[str]:
    """A new, empty PostgreSQL database, dropped afterwards; skips (or fails, when required)
    if PostgreSQL is not reachable."""
    reason = await _pg_available()
    if reason is not None:
        if REQUIRE_PG:
            pytest.fail(reason + " and MODERATION_REQUIRE_POSTGRES=1")
        pytest.skip(reason)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(PG_ADMIN, timeout=10)
    await admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    try:
        yield f"{base}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    async with fresh_postgres() as url:
        yield url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Service settings on the test database, with no model (detectors and policy only)."""
    models = tmp_path / "models"
    models.mkdir(exist_ok=True)
    return Settings(database_url=database_url, models_dir=models, webhook_poll_seconds=0.05)


@dataclass
class Service:
    """A running test service and a token for each role."""

    client: TestClient
    tokens: dict[str, str]

    def auth(self, role: str) -> dict[str, str]:
        """Authorization header for `role`."""
        return {"Authorization": f"Bearer {self.tokens[role]}"}


async def make_tokens(database_url: str) -> dict[str, str]:
    """One token per role, created straight in the database."""
    engine = make_engine(database_url)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            return {
                role: await create_token(session, role)
                for role in ("storefront", "moderator", "legal", "admin")
            }
    finally:
        await engine.dispose()


ServiceFactory = Callable[..., Awaitable[Service]]


@pytest.fixture
def service_factory(aiohttp_client: Any, settings: Settings) -> ServiceFactory:
    """Start the service with optional setting overrides."""

    async def start(**overrides: Any) -> Service:
        client = await aiohttp_client(create_app(replace(settings, **overrides)))
        return Service(client, await make_tokens(settings.database_url))

    return start


@pytest.fixture
async def service(service_factory: ServiceFactory) -> Service:
    """The service with default test settings."""
    return await service_factory()


# ---------------------------------------------------------------------- logs stay private
# Every log record of the whole run (at INFO, the level the service runs at) goes to one file;
# at the end the file is searched for the IPs, texts and tokens the tests submitted. Finding
# one fails the run: logs must never carry review text, IPs or tokens.
LOG_FILE = Path(os.environ.get("MODERATION_TEST_LOG", f"/tmp/negahban-tests-{os.getpid()}.log"))
SENSITIVE = (
    "203.0.113.7",
    "198.51.100.23",
    "192.0.2.77",
    "کصکش",
    "09121234567",
    "کارت بانکی دزدی",
    "ngb_",
    "Mozilla/5.0",
    "SecretAgent",
    "CrimeBrowser",
)


def find_leaks(lines: list[str]) -> list[tuple[int, str]]:
    """(line number, marker) for every log line holding submitted data."""
    return [
        (n, marker) for n, line in enumerate(lines, 1) for marker in SENSITIVE if marker in line
    ]


def pytest_configure(config: pytest.Config) -> None:
    """Send every log record of the run to LOG_FILE."""
    import logging

    handler = logging.FileHandler(LOG_FILE, mode="w", encoding="utf-8")
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if any log line holds a submitted IP, review text or token."""
    if not LOG_FILE.exists():
        return
    lines = LOG_FILE.read_text(encoding="utf-8", errors="replace").splitlines()
    leaks = find_leaks(lines)
    if leaks:
        print(
            f"\nPRIVACY: {len(leaks)} log line(s) in {LOG_FILE} hold submitted data, e.g. "
            f"line {leaks[0][0]} holds {leaks[0][1]!r}"
        )
        session.exitstatus = 1
    elif os.environ.get("MODERATION_REQUIRE_LOG_CHECK") == "1" and not any(
        "moderation.requests" in line for line in lines
    ):
        print(f"\nPRIVACY: no request log lines in {LOG_FILE}: the log check saw nothing")
        session.exitstatus = 1
    else:
        print(f"\nprivacy: {len(lines)} log lines checked, no IP, review text or token in them")
