"""The application factory."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor

from aiohttp import web

from moderation.policy import load_policy
from moderation.scoring import Scorer
from moderation.settings import Settings
from moderation.storage import activations
from moderation.storage.engine import SyncWriter, make_engine, make_sessionmaker
from moderation.storage.keys import get_or_create
from moderation.storage.migrate import upgrade_async
from moderation.web import routes
from moderation.web.auth import authenticate
from moderation.web.batcher import batcher_ctx
from moderation.web.errors import json_errors
from moderation.web.keys import (
    ENGINE,
    EXECUTOR,
    METRICS,
    PSEUDONYM_KEY,
    SCORER,
    SESSIONS,
    SETTINGS,
    TOKEN_CACHE,
    WRITE_LOCK,
    WRITER,
    ScorerHolder,
)  # fmt: skip
from moderation.web.metrics import Metrics
from moderation.web.modelsync import model_sync_ctx, startup_model
from moderation.web.protocol import answer_protocol_errors_in_json
from moderation.web.ratelimit import rate_limit
from moderation.web.requestlog import keep_client_out_of_server_log, observe
from moderation.web.tokencache import TokenCache
from moderation.web.webhooks import webhook_ctx


async def retention_ctx(app: web.Application) -> AsyncIterator[None]:
    """Run the retention job once a day while the service runs."""
    import logging
    from datetime import timedelta

    from moderation.retention import run_retention
    from moderation.storage.models import utcnow

    settings = app[SETTINGS]

    async def loop() -> None:
        while True:
            await asyncio.sleep(settings.retention_interval_seconds)
            try:
                async with app[WRITE_LOCK], app[SESSIONS]() as session, session.begin():
                    n = await run_retention(
                        session, utcnow(), timedelta(days=settings.retention_days)
                    )
                logging.getLogger(__name__).info("retention: %d submitter records minimised", n)
            except Exception:  # the schedule must survive a failed run
                logging.getLogger(__name__).exception("retention run failed")

    task = asyncio.create_task(loop())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def create_app(settings: Settings | None = None) -> web.Application:
    """Build the service; every resource is opened and closed in a cleanup context."""
    settings = settings if settings is not None else Settings.from_env()
    settings.check()
    keep_client_out_of_server_log()
    answer_protocol_errors_in_json()
    app = web.Application(
        middlewares=[observe, json_errors, authenticate, rate_limit(settings)],
        client_max_size=settings.max_body_bytes,
    )
    app[SETTINGS] = settings
    app[METRICS] = Metrics()
    app[TOKEN_CACHE] = TokenCache()
    app.cleanup_ctx.extend(
        [_database_ctx, _scorer_ctx, model_sync_ctx, batcher_ctx, webhook_ctx, retention_ctx]
    )
    routes.setup(app)
    return app


async def _database_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    if settings.upgrade_on_start:
        await upgrade_async(settings.database_url)
    engine = make_engine(settings.database_url)
    app[ENGINE] = engine
    app[SESSIONS] = make_sessionmaker(engine)
    sqlite = settings.database_url.startswith("sqlite")
    # SQLite allows one writer: queue writers here. PostgreSQL needs no such lock.
    app[WRITE_LOCK] = asyncio.Lock() if sqlite else contextlib.nullcontext()
    app[PSEUDONYM_KEY] = await get_or_create(app[SESSIONS], "pseudonym")
    writer = SyncWriter.for_url(settings.database_url)
    if writer is not None:
        app[WRITER] = writer
    yield
    if writer is not None:
        writer.close()
    await engine.dispose()


async def _scorer_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    async with app[SESSIONS]() as session:
        activation = await activations.latest(session)
    model = startup_model(app, activation)
    app[SCORER] = ScorerHolder(Scorer(load_policy(settings.policy), model))
    app[METRICS].set_model(app[SCORER].current.model_version)
    # The first review would otherwise pay for hazm's word lists and the model's first call
    # (≈ 1.5 s): pay it here, before the service reports ready.
    app[SCORER].current.score("warm-up", "گرم کردن سرویس")
    # The model and word lists are a few hundred thousand long-lived objects: move them out of
    # the collector's way, and collect young objects less often, so garbage collection does not
    # pause requests for tens of milliseconds (seen as p99 spikes under load).
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)
    # Scoring is CPU-bound; one worker thread keeps the event loop free for I/O.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="score") as pool:
        app[EXECUTOR] = pool
        yield
