"""Alembic environment: runs migrations over the async engine the service uses."""

import asyncio

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection

from moderation.storage.engine import make_engine
from moderation.storage.models import Base

config = context.config
target_metadata = Base.metadata
_MIGRATION_LOCK = 7_420_002  # pg_advisory_xact_lock key (7_420_001 serialises audit appends)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Instances started together on one database must not migrate it at the same time
            # (the second one crashed on "CREATE TABLE alembic_version"): the others wait here,
            # then find the schema already at head.
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
        context.run_migrations()


async def _main() -> None:
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    async with engine.connect() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported")
asyncio.run(_main())
