"""The intake write path on its own: build and store scored reviews, per review, by batch size.

What the intake batcher does after scoring: build the rows of each review (review, edits,
submitter), then in one transaction look up which review ids are stored already and store the
others with their audit events. On SQLite the service runs that transaction whole on its writer
thread (one hop); the async session path, a hop per statement, is what PostgreSQL uses.
Measured on SQLite (the default) both ways and, when it answers, on PostgreSQL, in batches of
1 (one client), 16 and 64 (many concurrent clients). Scoring is done beforehand and not timed
(detectors only, no model: the rows are the same shape either way).

Run: `make bench` (or `.venv/bin/python benchmarks/write_path.py [--repeat 30]`).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg

from moderation import reviews as domain
from moderation.intake import ReviewIn
from moderation.paths import DEFAULT_POLICY
from moderation.policy import load_policy
from moderation.scoring import Scorer
from moderation.storage.engine import SyncWriter, make_engine, make_sessionmaker
from moderation.storage.migrate import upgrade_async

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
TEXTS = (
    "مودم خوبیه ولی باتریش زود تموم میشه",  # clean: publish
    "شماره‌م ۰۹۱۲۳۴۵۶۷۸۹ هست زنگ بزن",  # personal data: an edit
    "خیلی عالیه، ارسالش هم سریع بود",
)
BATCHES = (1, 16, 64)


async def measure(url: str, repeat: int, one_hop: bool = False) -> dict[int, tuple[float, float]]:
    """Median ms per review for each batch size: elapsed, and CPU time of this process (all
    its threads; the figure that varies least between runs on these machines). `one_hop`:
    the transaction runs whole on the SQLite writer's thread, as the service does on SQLite."""
    await upgrade_async(url)
    writer = SyncWriter.for_url(url) if one_hop else None
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    scorer = Scorer(load_policy(DEFAULT_POLICY))
    out: dict[int, tuple[float, float]] = {}
    n = 0
    try:
        for batch in BATCHES:
            times, cpus = [], []
            for _ in range(repeat + 3):  # the first three warm the caches and are dropped
                items = []
                for _ in range(batch):
                    n += 1
                    items.append(
                        ReviewIn(f"w-{n}", "p-1", f"{TEXTS[n % 3]} {n}", 5, f"u-{n}",
                                 "192.0.2.1", "bench", None)
                    )  # fmt: skip
                scored = scorer.score_many([(r.review_id, r.text) for r in items])
                started, cpu = time.perf_counter(), time.process_time()
                built = [
                    domain.build(r, s, policy_version="bench", pseudonym_key="bench")
                    for r, s in zip(items, scored, strict=True)
                ]
                if writer is not None:
                    await writer.run(domain.write_new, [("storefront:bench", b) for b in built])
                else:
                    async with sessions() as session, session.begin():
                        # As the intake batcher: which ids are stored, then the new ones.
                        stored = await domain.find_many(session, [r.review_id for r in items])
                        new = [b for b in built if b.review_id not in stored]
                        await domain.store_many(session, new, "storefront:bench")
                times.append((time.perf_counter() - started) / batch * 1000)
                cpus.append((time.process_time() - cpu) / batch * 1000)
            out[batch] = (statistics.median(times[3:]), statistics.median(cpus[3:]))
    finally:
        if writer is not None:
            writer.close()
        await engine.dispose()
    return out


async def run(repeat: int) -> str:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = f"sqlite+aiosqlite:///{Path(tmp) / 'w.db'}"
        one_hop = await measure(sqlite, repeat, one_hop=True)
        rows.append(("SQLite (WAL), one hop (the service's path)", one_hop))
        rows.append(("SQLite (WAL), async session", await measure(sqlite, repeat)))
    try:
        admin = await asyncpg.connect(PG_ADMIN, timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        admin = None
    if admin is not None:
        name = f"negahban_bench_{uuid.uuid4().hex[:8]}"
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            url = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
            rows.append(("PostgreSQL", await measure(f"{url}/{name}", repeat)))
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()
    lines = [
        f"Build, look up the ids and store (review, edits, submitter, audit event), median of "
        f"{repeat} "
        "transactions, ms per review: elapsed / CPU time of the service process.",
        "",
        "| database | " + " | ".join(f"batch of {b}" for b in BATCHES) + " |",
        "|---|" + "---:|" * len(BATCHES),
    ]
    for name, figures in rows:
        cells = " | ".join(f"{figures[b][0]:.2f} / {figures[b][1]:.2f}" for b in BATCHES)
        lines.append(f"| {name} | {cells} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    print(asyncio.run(run(parser.parse_args().repeat)))


if __name__ == "__main__":
    main()
