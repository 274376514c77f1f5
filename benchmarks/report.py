"""Assemble docs/benchmarks.md from the outputs of text_pipeline.py, write_path.py and load.py."""

import sys
from datetime import date
from pathlib import Path

NOTES = """## Reading the figures

- The issue's goals for `POST /v1/reviews` are ≥ 50% of the echo's throughput and p99 < 50 ms at
  500 req/s. Neither is met: the service does a few percent of a bare echo (2–8% in every run so
  far), and at a fixed 500 req/s it falls behind (it completes ≈ 210–260 req/s on this machine),
  so its latency there grows for as long as the run lasts.
- This machine's speed varies between runs by up to 2.5×: compare figures within one run (service
  against echo, one stage against another), not across dates. On 2026-11-24 the echo did 5,311
  req/s at one client; on 2026-11-25 it did between 1,514 and 2,777 in different runs, and the
  normaliser alone took between 114 and 416 µs a review with unchanged code.
- **Features with numpy (2026-11-25, model 2026-11-25.8).** The character n-grams, two thirds of
  the features, are counted with numpy (`moderation/classifier/chargrams.py`): each n-gram is
  one integer key, looked up in the vocabulary's sorted keys for a whole batch at once, with
  the same float32 arithmetic as sklearn, so the matrix is sklearn's to the bit
  (tests/test_chargrams.py). Both cue lexicons read one list of words, and word keys are
  cached. Against sklearn's own transforms in the same run (table above): 829 → 357 µs a review
  in batches of 64 (2.3×), 3,813 → 903 µs for one review. The classifier alone costs 659 µs a
  review in batches of 64 against 1,631 µs one at a time: what is left per call is the
  normaliser (≈ 270 µs a review) and numpy's fixed cost per operation.
- **The idempotency lookup is in the write transaction (2026-11-25).** The intake batcher used
  to ask which review ids were stored in a session of its own before scoring (BEGIN, SELECT,
  the pool's ROLLBACK: three hops to the database thread); it now scores first and asks inside
  the write transaction, with Core statements on the session's connection for the lookup, the
  bulk inserts and the audit chain. A resubmitted review is scored for nothing and answered as
  stored. The write-path table includes the lookup from this date.
- **Both changes over HTTP**, the code before against after, alternating twice on 2026-11-25
  (`benchmarks/load.py --seconds 5 --concurrency 1 8 64 --rate 400`, one service process,
  SQLite), req/s: 1 client 54 / 62 → 61 / 62; 8 clients 132 / 142 → 148 / 147; 64 clients
  172 / 219 → 231 / 242; open loop at 400 req/s, completed 191 / 213 → 224 / 226. CPU time of
  the service process per request (from /proc, one run each): 16.2 → 15.0 ms at one client,
  5.2 → 4.4 ms at 64.
- **Where the time goes now.** At one client a request costs ≈ 15 ms of CPU, nearly all of its
  latency. Sampled with py-spy (`--gil`, 10 s at one client), SQLAlchemy's own code holds
  ≈ 40% of the samples and the classifier, detectors and normaliser ≈ 5%: a batch is one
  session and 6–7 statements (BEGIN, the lookup, reviews, edits, submitters, the audit chain's
  last digest and its new events, COMMIT), each costing about a millisecond of Python here.
  Under load the batcher shares that cost among all waiting reviews (4.4 ms a request at 64
  clients).
- **Two service processes** on one PostgreSQL database (the supported multi-instance set-up),
  against one, 64 clients spread over them, alternating twice (a scratch script over
  `benchmarks/load.py`, 6 s each): 216 / 240 → 315 / 298 req/s, p99 ≈ 0.5 → 0.44 s. The load
  generator shares the machine's two cores.
- The write path (table above): since 2026-11-25 reviews, edits, submitters and audit events
  are written with one bulk insert per table instead of the ORM's unit of work (about half the
  CPU time a review in batches, measured then).
- Two detectors added on 2026-11-25 (phone and card numbers written in Persian words; a phrase
  pasted three times) cost +9% of the detectors' time and +4% of a full `score`, measured
  against the code before them in one session.
- Next steps, not done: the whole write transaction in one hop to the database thread (a
  synchronous connection there, instead of a hop per statement), fewer ORM objects in
  `reviews.build`, and the normaliser (hazm's spacing correction is most of it). An estimate of
  the first on 2026-11-25 (a scratch script, not in the repo: the lookup, review, submitter
  and audit-chain statements, edits left out, as plain `sqlite3` calls in one executor hop,
  against `find_many` and `store_many`, alternating, medians of 30, building the rows
  included), ms per review: batch of 1 8.6 → 1.5, of 16 1.3 → 0.6, of 64 0.9 → 0.5. At one
  client that is about half a request's CPU time; it needs a second implementation of the
  write path for SQLite (PostgreSQL would need a synchronous driver), so it is left for its
  own change.
"""


def main() -> None:
    """`report.py TEXT_MD WRITE_MD LOAD_MD OUT_MD`."""
    text, write, load, out = (Path(a) for a in sys.argv[1:5])
    Path(out).write_text(
        f"# Benchmarks\n\nWritten by `make bench` on {date.today().isoformat()}. These machines "
        "are noisy: figures are medians, and each comparison (service against echo) is measured "
        "in the same run.\n\n## Text pipeline and classifier (one core)\n\n"
        f"{text.read_text(encoding='utf-8').strip()}\n\n## Write path: storing scored reviews\n\n"
        f"{write.read_text(encoding='utf-8').strip()}\n\n## HTTP: POST /v1/reviews against a "
        f"bare aiohttp echo\n\n{load.read_text(encoding='utf-8').strip()}\n\n{NOTES}",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
