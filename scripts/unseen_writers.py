"""A shipped model, whole system (model + detectors), on reviews from writers it never saw.

Each corpus round from 9 on was written by writers briefed only with the task's wording and
shown none of this project's files, as the set the product is judged on is written. Round 12
(`data/unseen/`) is never trained on; earlier rounds were measured this way before they were.
Per label: precision and recall at the model's own thresholds, average precision, recall at
precision 0.9, and the share of clean reviews flagged for anything but personal data.

Run: `.venv/bin/python scripts/unseen_writers.py 2026-11-25.3 data/unseen/*.jsonl`
(`--split test` keeps one split of the files; `--models-dir` reads artifacts elsewhere).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from sklearn.metrics import average_precision_score, precision_recall_curve

from moderation.classifier.artifact import load_model
from moderation.classifier.system import system_scores
from moderation.labels import LABELS
from moderation.paths import MODELS_DIR


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="model version")
    parser.add_argument("files", nargs="+", type=Path, help="labelled JSONL (id, text, labels)")
    parser.add_argument("--split", choices=("train", "val", "test"), default=None)
    parser.add_argument("--models-dir", type=Path, default=MODELS_DIR)
    args = parser.parse_args()

    model = load_model(args.model, args.models_dir)
    rows = [
        json.loads(line)
        for path in args.files
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    if args.split:
        rows = [r for r in rows if r.get("split") == args.split]
    scores = system_scores(model.pipeline, [r["text"] for r in rows])
    truth = np.array([[label in r["labels"] for label in LABELS] for r in rows])
    flags = scores >= np.array([model.thresholds[label] for label in LABELS])

    print(f"model {model.version} on {len(rows)} reviews from {len(args.files)} file(s)")
    print(f"{'label':14} {'n':>5} {'P':>5} {'R':>5} {'AP':>6} {'R@P.9':>6}")
    for j, label in enumerate(LABELS):
        y, s, f = truth[:, j], scores[:, j], flags[:, j]
        if not y.any():
            continue
        precision, recall, _ = precision_recall_curve(y, s)
        at_90 = float(recall[precision >= 0.9].max()) if (precision >= 0.9).any() else 0.0
        print(
            f"{label:14} {int(y.sum()):5d} {(f & y).sum() / max(f.sum(), 1):5.2f}"
            f" {(f & y).sum() / y.sum():5.2f} {average_precision_score(y, s):6.3f} {at_90:6.2f}"
        )
    clean = ~truth.any(axis=1)
    not_pi = [j for j, label in enumerate(LABELS) if label != "personal_info"]
    flagged = flags[:, not_pi].any(axis=1)
    print(f"clean flagged (not personal data): {flagged[clean].mean():.3f} of {clean.sum()}")


if __name__ == "__main__":
    main()
