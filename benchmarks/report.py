"""Assemble docs/benchmarks.md from the outputs of text_pipeline.py and load.py."""

import sys
from datetime import date
from pathlib import Path

NOTES = """## Reading the figures

- The issue's goals for `POST /v1/reviews` are ≥ 50% of the echo's throughput and p99 < 50 ms at
  500 req/s. Neither is met: the service does a few percent of a bare echo, and at a fixed
  500 req/s it keeps up on average but its p99 is in the hundreds of milliseconds.
- Where one request's ≈ 4.5 ms go (measured in-process at one client): ≈ 1 ms scoring (normaliser,
  vectorizers, the compiled label scorer), ≈ 1 ms looking up the review id (idempotency), ≈ 2 ms
  for the write transaction (review, edits, submitter, the audit chain's last digest and new event),
  each statement a thread hop through aiosqlite; the rest is HTTP and JSON.
- Under concurrency the intake batcher scores and stores all waiting reviews together (one
  scoring call, one transaction), which is why throughput grows with clients (≈ 150 → ≈ 700 req/s).
- Next steps, not done: Core bulk inserts instead of ORM units of work, the audit chain head kept in
  memory under the single-writer lock, and several service processes on PostgreSQL.
"""


def main() -> None:
    """`report.py TEXT_MD LOAD_MD OUT_MD`."""
    text, load, out = (Path(a) for a in sys.argv[1:4])
    Path(out).write_text(
        f"# Benchmarks\n\nWritten by `make bench` on {date.today().isoformat()}. These machines "
        "are noisy: figures are medians, and each comparison (service against echo) is measured "
        "in the same run.\n\n## Text pipeline and classifier (one core)\n\n"
        f"{text.read_text(encoding='utf-8').strip()}\n\n## HTTP: POST /v1/reviews against a "
        f"bare aiohttp echo\n\n{load.read_text(encoding='utf-8').strip()}\n\n{NOTES}",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
