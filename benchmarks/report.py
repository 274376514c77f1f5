"""Assemble docs/benchmarks.md from the outputs of text_pipeline.py, write_path.py and load.py."""

import sys
from datetime import date
from pathlib import Path

NOTES = """## Reading the figures

- The issue's goals for `POST /v1/reviews` are ≥ 50% of the echo's throughput and p99 < 50 ms at
  500 req/s. Neither is met: the service does a few percent of a bare echo (2–8% in every run so
  far), and at a fixed 500 req/s it falls behind (it completes ≈ 200–260 req/s on this machine),
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
  cached. Against sklearn's own transforms in the same run (table above): 889 → 428 µs a review
  in batches of 64 (2.1×; 2.3× and 2.8× in two earlier runs), 3,833 → 752 µs for one review.
  The classifier alone costs 679 µs a review in batches of 64 against 1,393 µs one at a time:
  what is left per call is the normaliser (≈ 200–400 µs a review) and numpy's fixed cost per
  operation. Scores differ from sklearn's path by at most 1.4e-6 on the 3,399 unseen reviews
  of data/unseen, and no flag changes.
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
- **The write transaction in one hop on SQLite (2026-11-25).** Those two changes left a lone
  review at ≈ 15 ms of CPU, nearly all of its latency: sampled with py-spy (`--gil`, 10 s at
  one client), SQLAlchemy's own code held ≈ 40% of the samples and the classifier, detectors
  and normaliser ≈ 5%, because every statement went through the async adapter and a hop to
  aiosqlite's thread. On a SQLite file the intake's write transaction (lookup, reviews,
  edits, submitters, audit chain, shadow scores) now runs whole on one writer thread, through
  a synchronous engine on the same file (`SyncWriter`, `reviews.write_new`); the async
  session path does the same work through `run_sync`, one implementation for both. Batches
  with a review on legal hold (its case is opened with the ORM) or with a review stored
  already (a retry) take the session path. The write-path table shows both on SQLite: the
  hop matters most for small batches (a lone review 6.1 → 1.3 ms; 6.7 → 2.1 in an earlier
  run). Over
  HTTP, the code before against after, alternating twice (same command as above): 1 client
  57 / 72 → 79 / 87 req/s, p50 16.5 / 13.7 → 9.9 / 9.0 ms; 8 clients 144 / 149 → 151 / 152;
  64 clients 217 / 230 → 264 / 253. The statements are now built once (a statement keeps its
  cache key). At one client a request still costs ≈ 9–12 ms of CPU. Sampled again just before
  that last step, SQLAlchemy held ≈ 28% of the samples (the ORM objects of `reviews.build`, and
  the session path of batches with a review on legal hold, frequent among this benchmark's
  texts, which are our labelled corpus) and the classifier, detectors and normaliser ≈ 12%.
- **Character tables checked before they are applied (2026-11-25).** `str.translate` looks
  every character up in its table (≈ 30 µs a review here), and a review went through five
  tables. `CharMap` (`moderation/text/chars.py`) first asks a regex of the mapped characters,
  which most reviews do not hold, and the two tables of the light view are now one; the
  output is `str.translate`'s (a hypothesis test, and identical normalised text and detector
  spans on the 41,749 texts of data/reviews and data/unseen). Against the code before,
  alternating three times (min of 5 passes over 2,600 reviews), µs a review: normaliser
  257 / 259 / 256 → 204 / 232 / 214, detectors 205 / 192 / 196 → 168 / 179 / 171.
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
- Next steps, not done: fewer ORM objects in `reviews.build`, the normaliser (hazm's spacing
  correction is most of it), and a one-hop write on PostgreSQL (it needs a synchronous
  driver). What SQLAlchemy itself still costs there: in one run of a scratch script, the
  same statements as plain `sqlite3` calls in one hop stored a lone review in 1.2 ms, against
  2.9 ms through the synchronous engine and 7.2 ms through the async session (edits left out).
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
