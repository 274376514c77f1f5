"""Engine and sessions: SQLite (WAL, foreign keys) by default, PostgreSQL through asyncpg."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import create_engine, event, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

T = TypeVar("T")


def _sqlite_pragmas(dbapi_conn: Any, _: Any) -> None:
    cursor = dbapi_conn.cursor()
    # WAL lets readers go on while one writer commits; NORMAL sync is durable in WAL mode
    # across process crashes (a power cut may lose the last commits).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine; SQLite connections get WAL, foreign keys and a busy timeout."""
    # SQL parameters hold review text and IPs: keep them out of error messages (and so logs).
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True, **kwargs)


class SyncWriter:
    """A synchronous engine on the service's SQLite file, and the one thread it runs on.

    Through the async engine every statement is a hop to aiosqlite's thread and back, through
    SQLAlchemy's greenlet adapter: for a lone review the intake's write transaction (the id
    lookup, four inserts, the audit chain's last digest) took 6.1–6.7 ms here, against
    1.3–2.1 ms for the same statements run whole on one thread (`benchmarks/write_path.py`,
    two runs). Only for a SQLite file: PostgreSQL would need a synchronous driver, and an
    in-memory SQLite database is private to its connection.
    """

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
        event.listen(self.engine, "connect", _sqlite_pragmas)
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="write")

    @classmethod
    def for_url(cls, url: str) -> SyncWriter | None:
        """A writer for an async SQLite file URL (sqlite+aiosqlite:///path), else None."""
        parsed = make_url(url)
        if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
            return None
        if parsed.query.get("mode") == "memory":
            return None
        return cls(parsed.set(drivername="sqlite").render_as_string(hide_password=False))

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(connection, *args)` in one transaction on the writer's thread (committed when
        it returns, rolled back when it raises)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, partial(self._transaction, fn, *args))

    def _transaction(self, fn: Callable[..., T], *args: Any) -> T:
        with self.engine.begin() as connection:
            return fn(connection, *args)

    def close(self) -> None:
        """Wait for the write in progress, then close the connections."""
        self.executor.shutdown(wait=True)
        self.engine.dispose()


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded values after commit (no lazy reload in async code)."""
    return async_sessionmaker(engine, expire_on_commit=False)
