"""The application factory."""

from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor

from aiohttp import web

from moderation.classifier.artifact import load_default_model
from moderation.policy import load_policy
from moderation.scoring import Scorer
from moderation.settings import Settings
from moderation.web import handlers
from moderation.web.errors import json_errors
from moderation.web.keys import EXECUTOR, SCORER, SETTINGS


def create_app(settings: Settings | None = None) -> web.Application:
    """Build the service; every resource is opened and closed in a cleanup context."""
    settings = settings if settings is not None else Settings.from_env()
    app = web.Application(middlewares=[json_errors], client_max_size=settings.max_body_bytes)
    app[SETTINGS] = settings
    app.cleanup_ctx.append(_scorer_ctx)
    handlers.setup_routes(app)
    return app


async def _scorer_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    model = load_default_model(settings.model, settings.models_dir)
    app[SCORER] = Scorer(load_policy(settings.policy), model)
    # Scoring is CPU-bound; one worker thread keeps the event loop free for I/O.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="score") as pool:
        app[EXECUTOR] = pool
        yield
