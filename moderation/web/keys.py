"""Typed application keys: the only way state reaches handlers (no module singletons)."""

from concurrent.futures import ThreadPoolExecutor

from aiohttp import web

from moderation.scoring import Scorer
from moderation.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
SCORER = web.AppKey("scorer", Scorer)
EXECUTOR = web.AppKey("executor", ThreadPoolExecutor)
