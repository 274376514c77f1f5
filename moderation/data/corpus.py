"""The training corpus: our own reviews plus the public sets, and `data stats`."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from moderation.data.own import REVIEWS_DIR, load_own
from moderation.data.public import SPLITS, Example, dedupe, load_public, stats
from moderation.labels import LABELS


def load_corpus(
    roots: Sequence[Path] | None = None,
    *,
    commercial_only: bool = False,
    reviews_dir: Path = REVIEWS_DIR,
) -> list[Example]:
    """Our reviews first (they win any duplicate), then the public sets, deduped."""
    own = load_own(reviews_dir)
    public = load_public(roots, commercial_only=commercial_only)
    kept, _ = dedupe([*own, *public])
    return kept


def format_table(table: dict[str, dict[str, dict[str, int]]]) -> str:
    """A fixed-width table of the counts, one row per source and split."""
    cols = ("total", "clean", *LABELS)
    lines = [f"{'source':<26}{'split':<7}" + "".join(f"{c:>14}" for c in cols)]
    totals: dict[str, dict[str, int]] = {s: dict.fromkeys(cols, 0) for s in SPLITS}
    for source in sorted(table):
        for split, counts in table[source].items():
            lines.append(f"{source:<26}{split:<7}" + "".join(f"{counts[c]:>14}" for c in cols))
            for c in cols:
                totals[split][c] += counts[c]
    for split in SPLITS:
        lines.append(f"{'ALL':<26}{split:<7}" + "".join(f"{totals[split][c]:>14}" for c in cols))
    return "\n".join(lines)


def stats_command(args: argparse.Namespace) -> int:
    """`python -m moderation data stats`."""
    roots = [Path(d) for d in args.data_dir] if args.data_dir else None
    table = stats(load_corpus(roots))
    print(json.dumps(table, indent=2) if args.json else format_table(table))
    return 0
