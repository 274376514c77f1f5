"""Coalescing concurrent submissions: one scoring call and one transaction per batch.

Under load, requests arrive while the previous batch is being scored and written; they are
taken together (up to `max_batch`), scored in one call (≈ 0.2 ms a review in a batch against
≈ 1 ms alone) and stored in one transaction (one commit instead of one per review). A lone
request waits for nothing: the batcher takes whatever is queued, never a timer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiohttp import web

from moderation import reviews as domain
from moderation import shadow
from moderation.intake import ReviewIn
from moderation.scoring import Scored
from moderation.storage.engine import SyncWriter
from moderation.storage.models import Review
from moderation.web.keys import (
    BATCHER,
    EXECUTOR,
    METRICS,
    PSEUDONYM_KEY,
    SCORER,
    SESSIONS,
    WRITE_LOCK,
    WRITER,
)  # fmt: skip

log = logging.getLogger(__name__)


class Conflict(Exception):
    """The review id is taken by a review with another text."""


Outcome = tuple[Review, bool]  # (stored review, True if this submission created it)


@dataclass(slots=True)
class _Job:
    review_in: ReviewIn
    actor: str
    future: asyncio.Future[Outcome]


class IntakeBatcher:
    """A queue of submissions and the task that drains it."""

    def __init__(self, app: web.Application, max_batch: int = 64) -> None:
        self.app = app
        self.max_batch = max_batch
        self.queue: asyncio.Queue[_Job] = asyncio.Queue()

    async def submit(self, review_in: ReviewIn, actor: str) -> Outcome:
        """Queue one review and wait for its outcome (raises Conflict on a reused id)."""
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self.queue.put_nowait(_Job(review_in, actor, future))
        return await future

    async def run(self) -> None:
        """Drain the queue batch by batch until cancelled."""
        while True:
            jobs = [await self.queue.get()]
            while len(jobs) < self.max_batch and not self.queue.empty():
                jobs.append(self.queue.get_nowait())
            try:
                await self._process(jobs)
            except Exception as exc:  # the task must survive; each caller gets the error
                log.exception("intake batch of %d failed", len(jobs))
                for job in jobs:
                    if not job.future.done():
                        job.future.set_exception(exc)

    async def _process(self, jobs: list[_Job]) -> None:
        first: dict[str, _Job] = {}
        later: list[_Job] = []
        for job in jobs:
            if job.review_in.review_id in first:
                later.append(job)
            else:
                first[job.review_in.review_id] = job
        await self._score_and_store(list(first.values()))
        for job in later:  # the same id twice in one batch: the second sees the first stored
            self.queue.put_nowait(job)

    async def _score_and_store(self, jobs: list[_Job]) -> None:
        """Score the batch, then in one transaction find which ids are already stored and
        write the others.

        The lookup is in the write transaction rather than before scoring: a session of its
        own cost three more hops to the database thread (BEGIN, SELECT, the pool's ROLLBACK),
        about as long as scoring a review. A resubmitted review (a storefront retry, rare) is
        scored for nothing and answered as stored.
        """
        app = self.app
        holder = app[SCORER]
        scorer, shadow_scorer = holder.current, holder.shadow  # one pair for the whole batch
        loop = asyncio.get_running_loop()
        items = [(j.review_in.review_id, j.review_in.text) for j in jobs]
        scored = await loop.run_in_executor(app[EXECUTOR], scorer.score_many, items)
        shadow_scored = None
        if shadow_scorer is not None:
            # After the live scores, so the shadow adds nothing to what decides; it does take
            # the scoring thread as long again while it runs. A failing shadow model costs
            # its own record, never a live decision.
            try:
                shadow_scored = await loop.run_in_executor(
                    app[EXECUTOR], shadow_scorer.score_many, items
                )
            except Exception:
                log.exception("shadow scoring failed; the batch is stored without it")
        built = [
            domain.build(
                j.review_in,
                s,
                policy_version=scorer.policy.version,
                pseudonym_key=app[PSEUDONYM_KEY],
            )
            for j, s in zip(jobs, scored, strict=True)
        ]
        version = scorer.policy.version
        writer = app.get(WRITER)
        # The usual batch on SQLite (no legal case to open, which is the ORM's work) is stored
        # in one hop to the writer's thread; the others, and a batch holding a review stored
        # already, through an async session.
        done = False
        if writer is not None and not any(r.legal_hold for r in built):
            done = await self._store_in_one_hop(writer, jobs, built, scored, shadow_scored, version)
        if not done:
            await self._store_in_session(jobs, built, scored, shadow_scored, version)

    async def _store_in_one_hop(
        self,
        writer: SyncWriter,
        jobs: list[_Job],
        built: list[Review],
        scored: list[Scored],
        shadow_scored: list[Scored] | None,
        policy_version: str,
    ) -> bool:
        """Store a batch of new reviews on the writer's thread; False, having written nothing,
        when one of them is stored already (the session path answers those)."""
        batch = [(j.actor, r) for j, r in zip(jobs, built, strict=True)]
        try:
            async with self.app[WRITE_LOCK]:
                written = await writer.run(domain.write_new, batch, shadow_scored)
        except Exception:
            await self._one_by_one(jobs, scored, policy_version)
            return True
        if written:
            for job, review in zip(jobs, built, strict=True):
                self._count(review)
                job.future.set_result((review, True))
        return written

    async def _store_in_session(
        self,
        jobs: list[_Job],
        built: list[Review],
        scored: list[Scored],
        shadow_scored: list[Scored] | None,
        policy_version: str,
    ) -> None:
        """Store the new reviews of a batch through an async session; answer the others as
        stored (or as a conflict, when the id came with another text)."""
        app = self.app
        try:
            async with app[WRITE_LOCK], app[SESSIONS]() as session, session.begin():
                stored = await domain.find_many(session, [j.review_in.review_id for j in jobs])
                new = [i for i, j in enumerate(jobs) if j.review_in.review_id not in stored]
                # One actor per batch is the common case (the storefront's token); mixed
                # actors are stored per actor, each group in bulk.
                for actor in dict.fromkeys(jobs[i].actor for i in new):
                    await domain.store_many(
                        session, [built[i] for i in new if jobs[i].actor == actor], actor
                    )
                if shadow_scored is not None and new:
                    await shadow.store(
                        session, [built[i] for i in new], [shadow_scored[i] for i in new]
                    )
        except Exception:
            await self._one_by_one(jobs, scored, policy_version)
            return
        for job, review in zip(jobs, built, strict=True):
            found = stored.get(job.review_in.review_id)
            if found is None:
                self._count(review)
                job.future.set_result((review, True))
            elif domain.same_submission(found, job.review_in):
                job.future.set_result((found, False))
            else:
                job.future.set_exception(Conflict(job.review_in.review_id))

    async def _one_by_one(self, jobs: list[_Job], scored: list[Scored], version: str) -> None:
        """After a failed batch, usually a review id stored meanwhile by another instance:
        each review alone, so one review's problem is that review's alone. Without shadow
        scores: whatever failed, the shadow must not be able to fail again."""
        log.info("batch of %d stored one by one after a conflict", len(jobs))
        for job, s in zip(jobs, scored, strict=True):
            await self._store_one(job, s, version)

    async def _store_one(self, job: _Job, scored: Scored, policy_version: str) -> None:
        app = self.app
        review = domain.build(
            job.review_in, scored, policy_version=policy_version, pseudonym_key=app[PSEUDONYM_KEY]
        )
        try:
            async with app[WRITE_LOCK], app[SESSIONS]() as session, session.begin():
                await domain.store(session, review, job.actor)
        except Exception as exc:
            async with app[SESSIONS]() as session:
                found = await domain.find(session, job.review_in.review_id)
            if found is None:
                job.future.set_exception(exc)
            elif domain.same_submission(found, job.review_in):
                job.future.set_result((found, False))
            else:
                job.future.set_exception(Conflict(job.review_in.review_id))
            return
        self._count(review)
        job.future.set_result((review, True))

    def _count(self, review: Review) -> None:
        metrics = self.app[METRICS]
        metrics.decisions.labels(decision=review.decision).inc()
        for flag in review.flags:
            metrics.flags.labels(label=flag, decision=review.decision).inc()


async def batcher_ctx(app: web.Application) -> AsyncIterator[None]:
    """Run the intake batcher for the application's lifetime."""
    batcher = IntakeBatcher(app)
    app[BATCHER] = batcher
    task = asyncio.create_task(batcher.run())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    while not batcher.queue.empty():
        job = batcher.queue.get_nowait()
        if not job.future.done():
            job.future.set_exception(RuntimeError("the service is shutting down"))
