"""Assemble docs/benchmarks.md from the outputs of text_pipeline.py and load.py."""

import sys
from datetime import date
from pathlib import Path


def main() -> None:
    """`report.py TEXT_MD LOAD_MD OUT_MD`."""
    text, load, out = (Path(a) for a in sys.argv[1:4])
    Path(out).write_text(
        f"# Benchmarks\n\nWritten by `make bench` on {date.today().isoformat()}. These machines "
        "are noisy: figures are medians, and each comparison (service against echo) is measured "
        "in the same run.\n\n## Text pipeline and classifier (one core)\n\n"
        f"{text.read_text(encoding='utf-8').strip()}\n\n## HTTP: POST /v1/reviews against a "
        f"bare aiohttp echo\n\n{load.read_text(encoding='utf-8').strip()}\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
