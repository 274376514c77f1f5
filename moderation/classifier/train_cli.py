"""`python -m moderation train`."""

from __future__ import annotations

import argparse
import json
import logging
from datetime import date
from pathlib import Path

from moderation.classifier.artifact import available, save_model
from moderation.data.corpus import load_corpus
from moderation.paths import MODELS_DIR


def next_version(directory: Path, today: date | None = None) -> str:
    """`YYYY-MM-DD.N`, N one more than the highest of today's versions in `directory`."""
    stem = (today or date.today()).isoformat()
    taken = [v.split(".", 1)[1] for v in available(directory) if v.startswith(stem + ".")]
    numbers = [int(n) for n in taken if n.isdigit()]
    return f"{stem}.{max(numbers, default=0) + 1}"


def train_command(args: argparse.Namespace) -> int:
    """Train on the corpus and write the artifact and its card to models/."""
    from moderation.classifier.train import train_model

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
    out = Path(args.out) if args.out else MODELS_DIR
    roots = [Path(d) for d in args.data_dir] if args.data_dir else None
    commercial = args.licence == "commercial"
    examples = load_corpus(roots, commercial_only=commercial)
    version = args.version or next_version(out)
    model = train_model(
        examples, version=version, precision=args.precision, licence_filter=args.licence
    )
    path = save_model(model, out)
    print(
        json.dumps(
            {
                "artifact": str(path),
                "thresholds": model.thresholds,
                "test_metrics": model.card["test_metrics"],
            },
            ensure_ascii=False,
            indent=1,
        )
    )
    return 0
