"""Durability: the real service process is SIGKILLed mid-stream and restarted; nothing is lost.

Every review that got a 2xx is stored with its decision, none is stored twice (a retry is a 200,
not a 201), the audit chain survives the crash, and webhooks that could not be delivered before
the kill (the storefront was down) are delivered by the restarted process.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import func, select, update

from moderation.storage.engine import make_engine, make_sessionmaker
from moderation.storage.models import AuditEvent, OutboxMessage, Review
from moderation.storage.models import utcnow as db_now
from moderation.web.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from tests.conftest import find_leaks
from tests.test_web_webhooks import Receiver

SECRET = "durability-secret"
HELD = "پشتیبانتون کصکشه"
STREAM = 300  # reviews streamed at the service
WORKERS = 4  # concurrent storefront connections
KILL_AFTER = 120  # acknowledged reviews before the SIGKILL
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=30)
TEXTS = [
    "مودم خوبیه، راضیم {n}",  # publish
    "شماره‌م 09121234567 هست {n}",  # publish_edited
    HELD + " {n}",  # hold
    "ارسال سریع بود و بسته‌بندی عالی {n}",
]


def free_port() -> int:
    """A TCP port nothing listens on right now (loopback)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def service_env(database_url: str, models_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a service process: this test's database, no model."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODERATION_")}
    env.update(
        {
            "MODERATION_DATABASE_URL": database_url,
            "MODERATION_MODELS_DIR": str(models_dir),
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


async def create_token(database_url: str, role: str, name: str, env: dict[str, str]) -> str:
    """`python -m moderation token create`: the token alone on stdout."""
    done = await asyncio.to_thread(
        subprocess.run,
        [
            *(sys.executable, "-m", "moderation", "token", "create"),
            *("--role", role, "--name", name, "--database-url", database_url),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    token = done.stdout.strip()
    assert token.startswith("ngb_") and "\n" not in token
    return token


class ServiceProcess:
    """`python -m moderation serve` on a port of loopback, its output in a log file."""

    def __init__(self, env: dict[str, str], workdir: Path, name: str) -> None:
        self.env = env
        self.workdir = workdir
        self.port = free_port()
        self.log = workdir / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, timeout: float = 90.0) -> None:
        """Start and wait until /readyz answers 200 (database reachable, scorer loaded)."""
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "moderation", "serve", "--port", str(self.port)],
                cwd=self.workdir,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http:
            while True:
                if self.proc.poll() is not None:
                    raise AssertionError(f"the service exited: {self.tail()}")
                with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                    async with http.get(self.base + "/readyz") as resp:
                        if resp.status == 200:
                            return
                if loop.time() > end:
                    raise AssertionError(f"the service was not ready in {timeout} s: {self.tail()}")
                await asyncio.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, as in a crash or an OOM kill."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it has not ended within 15 s."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()

    def tail(self) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return text[-3000:]

    def log_leaks(self) -> list[tuple[int, str]]:
        """Lines of this process's own log holding submitted text, IPs or tokens."""
        return find_leaks(self.log.read_text(encoding="utf-8", errors="replace").splitlines())


@contextlib.contextmanager
def stopped_at_exit(*services: ServiceProcess) -> Iterator[None]:
    """Always end the child processes, whatever the test does."""
    try:
        yield
    finally:
        for service in services:
            service.stop()


async def call(
    http: aiohttp.ClientSession, method: str, url: str, **kwargs: Any
) -> tuple[int, Any]:
    """(status, JSON body) of one request; a 429 is waited out as its Retry-After says."""
    for _ in range(20):
        async with http.request(method, url, **kwargs) as resp:
            if resp.status != 429:
                return resp.status, await resp.json()
            await asyncio.sleep(float(resp.headers["Retry-After"]))
    raise AssertionError(f"still rate limited: {method} {url}")


def review(n: int) -> dict[str, Any]:
    return {
        "review_id": f"dur-{n}",
        "product_id": "p-1",
        "text": TEXTS[n % len(TEXTS)].format(n=n),
        "submitter": {"user_id": f"u-{n % 7}", "ip": "203.0.113.7", "user_agent": "Mozilla/5.0"},
    }


async def db_rows(
    database_url: str,
) -> tuple[dict[str, int], dict[str | None, int], list[OutboxMessage]]:
    """(reviews per review_id, review.scored audit events per review_id, outbox messages)."""
    engine = make_engine(database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            reviews = dict(
                (
                    await session.execute(
                        select(Review.review_id, func.count()).group_by(Review.review_id)
                    )
                ).all()
            )
            scored = dict(
                (
                    await session.execute(
                        select(AuditEvent.review_id, func.count())
                        .where(AuditEvent.action == "review.scored")
                        .group_by(AuditEvent.review_id)
                    )
                ).all()
            )
            outbox = list((await session.scalars(select(OutboxMessage))).all())
    finally:
        await engine.dispose()
    return reviews, scored, outbox


async def make_outbox_due(database_url: str) -> None:
    """As if the retry backoff had run out while the service was down (it is tested elsewhere)."""
    engine = make_engine(database_url)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.delivered_at.is_(None))
                .values(next_attempt_at=db_now())
            )
    finally:
        await engine.dispose()


async def test_a_killed_service_loses_nothing(
    database_url: str, tmp_path: Path, aiohttp_server: Any
) -> None:
    models = tmp_path / "models"
    models.mkdir()
    down = f"http://127.0.0.1:{free_port()}/hook"  # the storefront is down: nothing listens
    env = service_env(
        database_url, models, MODERATION_WEBHOOK_URL=down, MODERATION_WEBHOOK_SECRET=SECRET
    )
    storefront = await create_token(database_url, "storefront", "shop", env)
    moderator = await create_token(database_url, "moderator", "mod-1", env)
    store_auth = {"Authorization": f"Bearer {storefront}"}
    mod_auth = {"Authorization": f"Bearer {moderator}"}
    first = ServiceProcess(env, tmp_path, "first")
    receiver = Receiver()
    server = await aiohttp_server(receiver.app)
    second = ServiceProcess(
        {**env, "MODERATION_WEBHOOK_URL": str(server.make_url("/hook"))}, tmp_path, "second"
    )
    with stopped_at_exit(first, second):
        await first.start()
        async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as http:
            # Decisions whose webhooks cannot be delivered yet.
            decided = [f"dur-held-{n}" for n in range(5)]
            for review_id in decided:
                body = {**review(0), "review_id": review_id, "text": f"{HELD} {review_id}"}
                status, result = await call(
                    http, "POST", first.base + "/v1/reviews", json=body, headers=store_auth
                )
                assert status == 201 and result["decision"] == "hold"
                status, result = await call(
                    http,
                    "POST",
                    f"{first.base}/v1/queue/{review_id}/decision",
                    json={"action": "reject", "reason": "insult"},
                    headers=mod_auth,
                )
                assert status == 200, result
            # Stream reviews; SIGKILL the service once KILL_AFTER have been acknowledged.
            acked: dict[str, dict[str, Any]] = {}  # review_id -> the 2xx result
            unknown: set[str] = set()  # in flight at the kill: stored or not, nobody knows
            todo: asyncio.Queue[int] = asyncio.Queue()
            for n in range(STREAM):
                todo.put_nowait(n)
            killed = asyncio.Event()

            async def worker() -> None:
                while not todo.empty() and not killed.is_set():
                    n = todo.get_nowait()
                    body = review(n)
                    try:
                        status, result = await call(
                            http, "POST", first.base + "/v1/reviews", json=body, headers=store_auth
                        )
                        assert status == 201, (status, result)
                        acked[body["review_id"]] = result
                    except (aiohttp.ClientError, TimeoutError):
                        assert killed.is_set(), "a request failed before the kill"
                        unknown.add(body["review_id"])
                        return
                    if len(acked) >= KILL_AFTER and not killed.is_set():
                        killed.set()
                        first.kill()

            await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(WORKERS))), 120)
            assert killed.is_set() and len(acked) >= KILL_AFTER
            assert len(acked) < STREAM, "the kill came after the stream ended"
            _, _, outbox = await db_rows(database_url)
            pending = [m for m in outbox if m.delivered_at is None]
            assert {m.review_id for m in pending} == set(decided)  # none delivered before

            print(
                f"\nkilled after {len(acked)} acknowledged reviews, {len(unknown)} in flight, "
                f"{len(pending)} webhooks pending"
            )
            await make_outbox_due(database_url)
            await second.start()
            # Every acknowledged review is there with its decision, and a retry is a 200.
            for review_id, result in acked.items():
                status, stored = await call(
                    http, "GET", f"{second.base}/v1/reviews/{review_id}", headers=store_auth
                )
                assert (status, stored) == (200, result), review_id
            for n in range(STREAM):
                body = review(n)
                status, result = await call(
                    http, "POST", second.base + "/v1/reviews", json=body, headers=store_auth
                )
                if body["review_id"] in acked:
                    assert (status, result) == (200, acked[body["review_id"]])
                else:  # in flight at the kill, or never sent: the storefront's retry
                    assert status in (200, 201), (body["review_id"], status, result)

            # Webhooks of the first life reach the storefront now that it is back.
            loop = asyncio.get_running_loop()
            end = loop.time() + 30
            while {json.loads(b)["review"]["id"] for b, _ in receiver.received} < set(decided):
                assert loop.time() < end, f"webhooks not delivered: {receiver.received}"
                await asyncio.sleep(0.1)
            for body_bytes, headers in receiver.received:
                stamp = headers[TIMESTAMP_HEADER]
                assert headers[SIGNATURE_HEADER] == sign(SECRET, stamp, body_bytes)
                payload = json.loads(body_bytes)
                assert payload["review"]["decision"] == "reject"

        reviews, scored, outbox = await db_rows(database_url)
        # Nothing stored twice: one row and one scoring event per review id.
        expected = {review(n)["review_id"] for n in range(STREAM)} | set(decided)
        assert set(reviews) == expected and set(reviews.values()) == {1}
        assert scored == dict.fromkeys(expected, 1)
        assert all(m.delivered_at is not None for m in outbox)
        second.stop()
        verify = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "moderation", "audit", "verify", "--database-url", database_url],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert verify.returncode == 0 and verify.stdout.startswith("OK"), verify.stdout
        for service in (first, second):  # the service's own log holds no text, IP or token
            assert service.log_leaks() == [], service.tail()
