"""A shipped model, whole system (model + detectors), on reviews from writers it never saw.

Each corpus round from 9 on was written by writers briefed only with the task's wording and
shown none of this project's files, as the set the product is judged on is written. Round 12
and one round-16 writer's short reviews (`data/unseen/`) are never trained on; earlier rounds
were measured this way before they were.
Per label: precision and recall at the model's own thresholds, average precision, recall at
precision 0.9, and the share of clean reviews flagged for anything but personal data.

Run: `.venv/bin/python scripts/unseen_writers.py 2026-11-25.8 data/unseen/blind_12*.jsonl`
(`--split test` keeps one split of the files; `--models-dir` reads artifacts elsewhere).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sklearn.metrics import average_precision_score

from moderation.classifier.artifact import load_model
from moderation.classifier.metrics import flagged_rate, per_label, recall_at_precision
from moderation.classifier.pipeline import label_matrix
from moderation.classifier.system import system_scores
from moderation.data.own import load_labelled_files
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
    rows = load_labelled_files(args.files, args.split)
    scores = system_scores(model.pipeline, [r.text for r in rows])
    truth = label_matrix([r.labels for r in rows])
    at_thresholds = per_label(truth, scores, model.thresholds)

    print(f"model {model.version} on {len(rows)} reviews from {len(args.files)} file(s)")
    print(f"{'label':14} {'n':>5} {'P':>5} {'R':>5} {'AP':>6} {'R@P.9':>6}")
    for j, label in enumerate(LABELS):
        y, s = truth[:, j], scores[:, j]
        if not y.any():
            continue
        m = at_thresholds[label]
        print(
            f"{label:14} {m['support']:5d} {m['precision']:5.2f} {m['recall']:5.2f}"
            f" {average_precision_score(y, s):6.3f} {recall_at_precision(y, s, 0.9):6.2f}"
        )
    clean = truth.sum(axis=1) == 0
    rate = flagged_rate(scores[clean], model.thresholds)
    print(f"clean flagged (not personal data): {rate:.3f} of {int(clean.sum())}")


if __name__ == "__main__":
    main()
