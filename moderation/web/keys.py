"""Typed application keys: the only way state reaches handlers (no module singletons)."""

from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from moderation.scoring import Scorer
from moderation.settings import Settings
from moderation.storage.engine import SyncWriter
from moderation.web.metrics import Metrics
from moderation.web.tokencache import TokenCache

if TYPE_CHECKING:
    from moderation.web.batcher import IntakeBatcher

SETTINGS = web.AppKey("settings", Settings)


class ScorerHolder:
    """The scorer in service, and the shadow scorer beside it (if any); each swapped whole, so
    a request keeps the ones it started with."""

    def __init__(self, scorer: Scorer, shadow: Scorer | None = None) -> None:
        self.current = scorer
        self.shadow = shadow


SCORER = web.AppKey("scorer", ScorerHolder)
EXECUTOR = web.AppKey("executor", ThreadPoolExecutor)
ENGINE = web.AppKey("engine", AsyncEngine)
SESSIONS = web.AppKey("sessions", async_sessionmaker[AsyncSession])
PSEUDONYM_KEY = web.AppKey("pseudonym_key", str)
METRICS = web.AppKey("metrics", Metrics)
TOKEN_CACHE = web.AppKey("token_cache", TokenCache)
BATCHER: web.AppKey["IntakeBatcher"] = web.AppKey("batcher")
# Signs the moderators' page session cookies; shared by every instance through the database.
SESSION_SECRET = web.AppKey("session_secret", str)
# On a SQLite file, the intake's write transactions run whole on one thread (absent otherwise).
WRITER = web.AppKey("writer", SyncWriter)
# SQLite has one writer at a time; queueing writers here avoids "database is locked" retries.
WRITE_LOCK = web.AppKey("write_lock", AbstractAsyncContextManager[Any])
ROLE = web.RequestKey("role", str)  # the caller's role, set by the auth middleware
ACTOR = web.RequestKey("actor", str)  # "role:token name", for audit events
