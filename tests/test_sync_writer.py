"""The one-hop write path (a SQLite file's intake transactions run whole on one thread) stores
exactly what the async session path stores, and writes nothing for a batch it must not take."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from moderation import reviews as domain
from moderation.intake import ReviewIn
from moderation.paths import DEFAULT_POLICY
from moderation.policy import load_policy
from moderation.scoring import Scorer
from moderation.storage.audit import verify_chain
from moderation.storage.engine import SyncWriter, make_engine, make_sessionmaker
from moderation.storage.migrate import upgrade_async
from moderation.storage.models import AuditEvent, Edit, Review, Submitter

TEXTS = (
    "مودم خوبیه ولی باتریش زود تموم میشه",
    "شماره‌م ۰۹۱۲۳۴۵۶۷۸۹ هست زنگ بزن",  # an edit: the number redacted
    "برای خرید به www.example.ir برید",  # an edit: the link stripped
)


def built(prefix: str) -> list[Review]:
    scorer = Scorer(load_policy(DEFAULT_POLICY))
    items = [
        ReviewIn(f"{prefix}-{i}", "p-1", text, 4, f"u-{i}", "192.0.2.9", "agent", None)
        for i, text in enumerate(TEXTS)
    ]
    scored = scorer.score_many([(r.review_id, r.text) for r in items])
    return [
        domain.build(r, s, policy_version="test", pseudonym_key="k")
        for r, s in zip(items, scored, strict=True)
    ]


@contextlib.asynccontextmanager
async def database(tmp_path: Path) -> AsyncIterator[tuple[SyncWriter, AsyncEngine]]:
    """A migrated SQLite file, with the one-hop writer and an async engine on it."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'w.db'}"
    await upgrade_async(url)
    writer = SyncWriter.for_url(url)
    assert writer is not None
    engine = make_engine(url)
    try:
        yield writer, engine
    finally:
        writer.close()
        await engine.dispose()


def stored_shape(review: Review, submitter: Submitter) -> dict[str, Any]:
    """What was stored of a review, minus what differs by construction (ids, times)."""
    out = domain.result(review)
    out["id"] = out["id"].split("-", 1)[1]
    return {
        **out,
        "author": review.author,
        "spans": review.spans,
        "rules": review.rules,
        "submitter": (submitter.user_id, submitter.ip, submitter.user_agent),
    }


async def test_both_paths_store_the_same_rows(tmp_path: Path) -> None:
    async with database(tmp_path) as (writer, engine):
        one_hop = built("hop")
        assert await writer.run(domain.write_new, [("storefront:t", r) for r in one_hop], None)
        async with make_sessionmaker(engine)() as session, session.begin():
            await domain.store_many(session, built("session"), "storefront:t")
        async with make_sessionmaker(engine)() as session:
            shapes: dict[str, list[dict[str, Any]]] = {"hop": [], "session": []}
            for prefix in shapes:
                for i in range(len(TEXTS)):
                    review = await domain.find(session, f"{prefix}-{i}", with_submitter=True)
                    assert review is not None and review.submitter is not None
                    shapes[prefix].append(stored_shape(review, review.submitter))
            events = list(
                (await session.scalars(select(AuditEvent).order_by(AuditEvent.id))).all()
            )
            edits = await session.scalar(select(func.count()).select_from(Edit))
    assert shapes["hop"] == shapes["session"]
    assert edits == 4  # both paths wrote the edits of both edited reviews
    assert [e.action for e in events] == ["review.scored"] * 6
    assert verify_chain(events) == []  # one chain across the two paths


async def test_a_batch_holding_a_stored_review_writes_nothing(tmp_path: Path) -> None:
    async with database(tmp_path) as (writer, engine):
        first = built("r")
        assert await writer.run(domain.write_new, [("storefront:t", first[0])], None)
        again = built("r")  # r-0 again, with r-1 and r-2 new
        assert not await writer.run(domain.write_new, [("storefront:t", r) for r in again], None)
        async with make_sessionmaker(engine)() as session:
            reviews = await session.scalar(select(func.count()).select_from(Review))
            events = await session.scalar(select(func.count()).select_from(AuditEvent))
    assert (reviews, events) == (1, 1)


def test_only_a_sqlite_file_gets_a_one_hop_writer(tmp_path: Path) -> None:
    writer = SyncWriter.for_url(f"sqlite+aiosqlite:///{tmp_path / 'a.db'}")
    assert writer is not None
    assert writer.engine.url.database == str(tmp_path / "a.db")
    writer.close()
    # An in-memory database is private to its connection; PostgreSQL has no sync driver here.
    for url in (
        "sqlite+aiosqlite://",
        "sqlite+aiosqlite:///:memory:",
        "sqlite+aiosqlite:///file:x?mode=memory&uri=true",
        "postgresql+asyncpg://postgres@127.0.0.1:5432/test",
    ):
        assert SyncWriter.for_url(url) is None, url
