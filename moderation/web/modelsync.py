"""The models in service, kept the same on every instance that shares the database.

A change (POST /v1/admin/model or /v1/admin/shadow on any instance, or `python -m moderation
model activate`) is a row in `model_activations`. Each instance serves the latest "live" row
and scores the latest "shadow" row beside it: from its start, and, while running, by looking
every `model_poll_seconds`. An instance that cannot load the activated artifact (not deployed
to its disk yet, say) keeps serving what it has, reports itself out of sync (GET
/v1/admin/model, the `moderation_model_in_sync` metric) and tries again at the next look.
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
from moderation.storage.activations import Role
from moderation.storage.models import ModelActivation
from moderation.web.keys import EXECUTOR, METRICS, SCORER, SESSIONS, SETTINGS, WRITE_LOCK

log = logging.getLogger(__name__)


@dataclass
class ModelSync:
    """What this instance knows of the recorded changes, per role."""

    # The change each role is at (None: none recorded, or the live model is the default).
    applied: dict[str, int | None] = field(default_factory=lambda: {"live": None, "shadow": None})
    # The change that could not be loaded, so the failure is logged once, not every look.
    failed: dict[str, int | None] = field(default_factory=lambda: {"live": None, "shadow": None})
    # One change of model at a time: the follower and the admin endpoints never interleave.
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


MODEL_SYNC = web.AppKey("model_sync", ModelSync)


async def load_warm(app: web.Application, version: str) -> Model:
    """Load and check an artifact off the event loop, then warm it up (raises ModelError)."""
    loop = asyncio.get_running_loop()
    models_dir = app[SETTINGS].models_dir
    model = await loop.run_in_executor(app[EXECUTOR], load_model, version, models_dir)
    # Warm up before the swap, so the first real request does not pay for lazy set-up.
    await loop.run_in_executor(app[EXECUTOR], model.predict_scores, ["گرم کردن مدل"])
    return model


def _version(scorer: Scorer | None) -> str | None:
    return None if scorer is None else scorer.model_version


def current(app: web.Application, role: Role) -> str | None:
    """The version this instance serves (live) or shadows (None: no shadow)."""
    holder = app[SCORER]
    return holder.current.model_version if role == "live" else _version(holder.shadow)


def install(app: web.Application, role: Role, model: Model | None, change_id: int | None) -> None:
    """Swap one scorer whole; requests being scored finish with the old one."""
    holder = app[SCORER]
    base = holder.current
    scorer = None if model is None else Scorer(base.policy, model, base.lexicon)
    if role == "live":
        assert scorer is not None
        holder.current = scorer
        app[METRICS].set_model(scorer.model_version)
    else:
        holder.shadow = scorer
    sync = app[MODEL_SYNC]
    sync.applied[role], sync.failed[role] = change_id, None
    if role == "live":
        app[METRICS].model_in_sync.set(1)


async def change(
    app: web.Application, role: Role, version: str | None, actor: str
) -> tuple[str | None, str | None]:
    """Load `version` (None: stop shadowing), record the change every instance follows, and
    apply it here. Raises ModelError, with nothing recorded, when the artifact does not load.
    Returns (new version, previous version)."""
    async with app[MODEL_SYNC].lock:
        model = None if version is None else await load_warm(app, version)
        previous = current(app, role)
        new = None if model is None else model.version
        async with app[WRITE_LOCK], app[SESSIONS]() as session, session.begin():
            row = await activations.activate(session, new, actor, previous, role)
        install(app, role, model, row.id)
    return new, previous


async def follow_once(app: web.Application) -> None:
    """Apply the latest recorded change of each role that this instance has not applied."""
    async with app[MODEL_SYNC].lock:
        for role in activations.ROLES:
            async with app[SESSIONS]() as session:
                row = await activations.latest(session, role)
            await _apply(app, role, row)


async def _apply(app: web.Application, role: Role, row: ModelActivation | None) -> None:
    sync = app[MODEL_SYNC]
    if row is None or row.id == sync.applied[role]:
        return
    if row.version == current(app, role):
        sync.applied[role], sync.failed[role] = row.id, None
        if role == "live":
            app[METRICS].model_in_sync.set(1)
        return
    if row.version is None:  # shadow scoring stopped elsewhere
        install(app, role, None, row.id)
        log.info("shadow scoring stopped elsewhere; stopped here too")
        return
    try:
        model = await load_warm(app, row.version)
    except ModelError as exc:
        if role == "live":
            app[METRICS].model_in_sync.set(0)
        if sync.failed[role] != row.id:
            sync.failed[role] = row.id
            log.warning(
                "%s model %s does not load on this instance (%s); still on %s",
                role,
                row.version,
                exc,
                current(app, role),
            )
        return
    install(app, role, model, row.id)
    log.info("%s model %s set elsewhere; applied here", role, row.version)


def startup_model(app: web.Application, activation: ModelActivation | None) -> Model | None:
    """The activated model when it loads here, else the configured default.

    Starting on the activation, not loading the default first, means an instance still starts
    when the artifact `MODERATION_MODEL` names was removed after a later activation.
    """
    settings = app[SETTINGS]
    sync = app[MODEL_SYNC] = ModelSync()
    if activation is not None and activation.version is not None:
        try:
            model = load_model(activation.version, settings.models_dir)
        except ModelError as exc:
            sync.failed["live"] = activation.id
            app[METRICS].model_in_sync.set(0)
            log.warning(
                "activated model %s does not load on this instance (%s); starting on the default",
                activation.version,
                exc,
            )
        else:
            sync.applied["live"] = activation.id
            return model
    return load_default_model(settings.model, settings.models_dir)


async def model_sync_ctx(app: web.Application) -> AsyncIterator[None]:
    """Pick up the shadow model, then follow changes made through other instances (or the
    CLI) while running."""
    async with app[MODEL_SYNC].lock:
        async with app[SESSIONS]() as session:
            shadow = await activations.latest(session, "shadow")
        await _apply(app, "shadow", shadow)
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
