"""The corpus's simple baseline: char n-gram TF-IDF + one logistic regression per label.

No normaliser, no detectors, threshold 0.5: the measured starting point the data card quotes.
Run: `.venv/bin/python scripts/baseline.py` (needs ../shared/datasets; about a minute).
"""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from moderation.classifier.metrics import per_label
from moderation.classifier.pipeline import label_matrix
from moderation.data.corpus import load_corpus
from moderation.data.own import SOURCE
from moderation.labels import LABELS


def main() -> None:
    """Fit on every train split, report on our own test split."""
    examples = load_corpus()
    train = [e for e in examples if e.split == "train"]
    test = [e for e in examples if e.split == "test" and e.source == SOURCE]
    vec = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True, max_features=100_000
    )
    X = vec.fit_transform([e.text for e in train])
    Y = label_matrix([e.labels for e in train])
    Xt = vec.transform([e.text for e in test])
    S = np.column_stack(
        [
            LogisticRegression(max_iter=2000, solver="liblinear")
            .fit(X, Y[:, j])
            .predict_proba(Xt)[:, 1]
            for j in range(len(LABELS))
        ]
    )
    metrics = per_label(label_matrix([e.labels for e in test]), S, dict.fromkeys(LABELS, 0.5))
    print(f"baseline on {SOURCE} test (n={len(test)}), threshold 0.5")
    print("| label | precision | recall | support |\n|---|---:|---:|---:|")
    for label, m in metrics.items():
        print(f"| {label} | {m['precision']:.2f} | {m['recall']:.2f} | {m['support']} |")


if __name__ == "__main__":
    main()
