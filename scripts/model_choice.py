"""How well each label scorer generalises to writers the training never saw.

The model is judged on reviews written independently by other people, so the within-split test
figures flatter it: a writer's habits are in both train and test. Here one corpus round (all of
its files, every split) is held out, the pipeline's features are fitted on every other train split,
and three scorers are compared on the held-out round: the plain logistic regression, NB-LR alone,
and the two summed as the shipped LabelScorer does. Figures: average precision, and recall at
precision 0.9 (the operating point the thresholds aim at), per label.

Run: `.venv/bin/python scripts/model_choice.py --holdout 7` (needs ../shared/datasets; about
five minutes). `--train-rounds 1-4` limits training to earlier rounds, to see what data added.
"""

from __future__ import annotations

import argparse
import re

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score

from moderation.classifier.metrics import recall_at_precision
from moderation.classifier.pipeline import build_pipeline, label_matrix, nb_ratios
from moderation.classifier.train import SOURCE_WEIGHTS
from moderation.data.corpus import load_corpus
from moderation.data.own import SOURCE
from moderation.data.public import Example
from moderation.labels import LABELS


def corpus_round(example: Example) -> int | None:
    """The writing round of one of our reviews, from its id prefix (crim5a-… is round 5)."""
    if example.source != SOURCE:
        return None
    prefix = example.id.removeprefix(f"{SOURCE}:").split("-")[0]
    found = re.search(r"\d+", prefix)
    return int(found.group()) if found else 1


def standardised(s: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.asarray((s - s.mean()) / (s.std() or 1.0))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--holdout", type=int, default=7, help="corpus round to hold out")
    parser.add_argument("--train-rounds", default=None, help="e.g. 1-4 (default: all others)")
    args = parser.parse_args()
    low, high = (int(x) for x in (args.train_rounds or "1-99").split("-"))

    examples = load_corpus()
    rounds = [corpus_round(e) for e in examples]
    train = [
        e
        for e, r in zip(examples, rounds, strict=True)
        if e.split == "train" and r != args.holdout and (r is None or low <= r <= high)
    ]
    held = [e for e, r in zip(examples, rounds, strict=True) if r == args.holdout]
    pipeline = build_pipeline()
    normalise, features = pipeline.named_steps["normalise"], pipeline.named_steps["features"]
    X = sp.csr_matrix(features.fit_transform(normalise.transform([e.text for e in train])))
    Xh = sp.csr_matrix(features.transform(normalise.transform([e.text for e in held])))
    Y, Yh = label_matrix([e.labels for e in train]), label_matrix([e.labels for e in held])
    w = np.array([SOURCE_WEIGHTS.get(e.source, 1.0) for e in train])
    scorer = pipeline.named_steps["labels"]

    print(f"held out: round {args.holdout} ({len(held)} reviews); trained on {len(train)} texts"
          f" (rounds {args.train_rounds or 'all others'} of ours, plus the public sets)")
    print("| label | held-out positives | LR AP / R@P0.9 | NB-LR | LR + NB-LR (shipped) |")
    print("|---|---:|---:|---:|---:|")
    for j, label in enumerate(LABELS):
        y, yh = Y[:, j], Yh[:, j]
        if yh.sum() < 20:
            continue
        ratios = nb_ratios(X, y, w)
        lr = LogisticRegression(C=scorer.C, solver="liblinear", class_weight="balanced",
                                max_iter=3000).fit(X, y, sample_weight=w)
        nb = LogisticRegression(C=scorer.nb_C, solver="liblinear", class_weight="balanced",
                                max_iter=3000).fit(X @ sp.diags(ratios), y, sample_weight=w)
        s1 = lr.decision_function(Xh)
        s2 = nb.decision_function(Xh @ sp.diags(ratios))
        cells = []
        for s in (s1, s2, standardised(s1) + standardised(s2)):
            ap = average_precision_score(yh, s)
            cells.append(f"{ap:.3f} / {recall_at_precision(yh, s, 0.9):.2f}")
        print(f"| {label} | {int(yh.sum())} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
