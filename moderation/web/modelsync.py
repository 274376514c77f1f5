"""The model in service, kept the same on every instance that shares the database.

An activation (POST /v1/admin/model on any instance, or `python -m moderation model
activate`) is a row in `model_activations`. Each instance serves the latest one: from its
start, and, while running, by looking every `model_poll_seconds`. An instance that cannot load the
activated artifact (not deployed to its disk yet, say) keeps serving what it has, reports
itself out of sync (GET /v1/admin/model, the `moderation_model_in_sync` metric) and tries
again at the next look.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from aiohttp import web

from moderation.classifier.artifact import Model, ModelError, load_default_model, load_model
from moderation.scoring import Scorer
from moderation.storage import activations
from moderation.storage.models import ModelActivation
from moderation.web.keys import EXECUTOR, METRICS, SCORER, SESSIONS, SETTINGS, WRITE_LOCK

log = logging.getLogger(__name__)


@dataclass
class ModelSync:
    """What this instance knows of the activations."""

    # The activation this instance serves (None: none recorded, or serving its default).
    applied_id: int | None = None
    # The activation it could not load, so the failure is logged once, not every look.
    failed_id: int | None = None
    # One change of model at a time: the follower and the admin endpoint never interleave.
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


MODEL_SYNC = web.AppKey("model_sync", ModelSync)


async def load_warm(app: web.Application, version: str) -> Model:
    """Load and check an artifact off the event loop, then warm it up (raises ModelError)."""
    loop = asyncio.get_running_loop()
    model = await loop.run_in_executor(
        app[EXECUTOR], load_model, version, app[SETTINGS].models_dir
    )
    # Warm up before the swap, so the first real request does not pay for lazy set-up.
    await loop.run_in_executor(app[EXECUTOR], model.predict_scores, ["گرم کردن مدل"])
    return model


def install(app: web.Application, model: Model, activation_id: int | None) -> str:
    """Swap the scorer whole; requests being scored finish on the old one. Returns the old
    version."""
    holder = app[SCORER]
    old = holder.current
    holder.current = Scorer(old.policy, model, old.lexicon)
    app[METRICS].set_model(model.version)
    sync = app[MODEL_SYNC]
    sync.applied_id, sync.failed_id = activation_id, None
    app[METRICS].model_in_sync.set(1)
    return old.model_version


async def activate(app: web.Application, version: str, actor: str) -> tuple[str, str]:
    """Load `version`, record it as the activation every instance follows, and serve it.

    Raises ModelError, with nothing recorded, when the artifact does not load here.
    Returns (new version, previous version).
    """
    async with app[MODEL_SYNC].lock:
        model = await load_warm(app, version)
        previous = app[SCORER].current.model_version
        async with app[WRITE_LOCK], app[SESSIONS]() as session, session.begin():
            row = await activations.activate(session, model.version, actor, previous)
        install(app, model, row.id)
    return model.version, previous


async def follow_once(app: web.Application) -> None:
    """Serve the latest activation if this instance does not yet."""
    async with app[MODEL_SYNC].lock:
        async with app[SESSIONS]() as session:
            row = await activations.latest(session)
        sync = app[MODEL_SYNC]
        if row is None or row.id == sync.applied_id:
            return
        current = app[SCORER].current
        if row.version == current.model_version:
            sync.applied_id, sync.failed_id = row.id, None
            app[METRICS].model_in_sync.set(1)
            return
        try:
            model = await load_warm(app, row.version)
        except ModelError as exc:
            app[METRICS].model_in_sync.set(0)
            if sync.failed_id != row.id:
                sync.failed_id = row.id
                log.warning(
                    "activated model %s does not load on this instance (%s); still serving %s",
                    row.version,
                    exc,
                    current.model_version,
                )
            return
        previous = install(app, model, row.id)
        log.info("model %s activated elsewhere; now serving it (was %s)", row.version, previous)


def startup_model(app: web.Application, activation: ModelActivation | None) -> Model | None:
    """The activated model when it loads here, else the configured default.

    Starting on the activation, not loading the default first, means an instance still starts
    when the artifact `MODERATION_MODEL` names was removed after a later activation.
    """
    settings = app[SETTINGS]
    sync = app[MODEL_SYNC] = ModelSync()
    if activation is not None:
        try:
            model = load_model(activation.version, settings.models_dir)
        except ModelError as exc:
            sync.failed_id = activation.id
            app[METRICS].model_in_sync.set(0)
            log.warning(
                "activated model %s does not load on this instance (%s); starting on the default",
                activation.version,
                exc,
            )
        else:
            sync.applied_id = activation.id
            return model
    return load_default_model(settings.model, settings.models_dir)


async def model_sync_ctx(app: web.Application) -> AsyncIterator[None]:
    """Follow activations made through other instances (or the CLI) while running."""
    interval = app[SETTINGS].model_poll_seconds
    task = asyncio.create_task(_follow(app, interval)) if interval > 0 else None
    yield
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _follow(app: web.Application, interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            await follow_once(app)
        except Exception:  # a database hiccup must not end the follower
            log.exception("checking for a newly activated model failed")
