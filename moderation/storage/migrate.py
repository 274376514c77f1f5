"""Schema migrations (Alembic), run in-process: `python -m moderation db upgrade`."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic config for `url`, without an alembic.ini file."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` up to `revision` (blocking; env.py runs its own loop)."""
    command.upgrade(alembic_config(url), revision)


async def upgrade_async(url: str) -> None:
    """`upgrade` from inside a running event loop (it needs a loop of its own)."""
    await asyncio.to_thread(upgrade, url)
