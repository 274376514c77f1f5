"""The scikit-learn pipeline: our normaliser, word and character n-grams, one score per label."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from moderation.classifier.cues import CueFeatures, Normalised, scoring_text
from moderation.labels import LABELS
from moderation.text import normalise_both


class PersianNormaliser(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Normalise each review; the first pipeline step, so training and serving agree."""

    def fit(self, X: Sequence[str], y: Any = None) -> PersianNormaliser:
        """Nothing to learn."""
        return self

    def transform(self, X: Sequence[str]) -> list[Normalised]:
        """(scoring text, anti-evasion view) for each review."""
        return [Normalised(*normalise_both(x)) for x in X]


class LabelScorer(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """One calibrated logistic regression per label over shared features.

    Sigmoid calibration on cross-validated predictions, so a score of 0.9 means about nine
    in ten such reviews carry the label (on data like the training data).
    """

    def __init__(
        self, C: float = 4.0, cv: int = 3, max_iter: int = 3000, class_weight: str | None = None
    ) -> None:
        self.C = C
        self.cv = cv
        self.max_iter = max_iter
        self.class_weight = class_weight

    def fit(
        self,
        X: Any,
        Y: NDArray[np.int_],
        sample_weight: NDArray[np.float64] | None = None,
    ) -> LabelScorer:
        """Fit one calibrated model per column of Y (n_samples x n_labels, 0/1)."""
        Y = np.asarray(Y)
        self.estimators_: list[Any] = []
        for j in range(Y.shape[1]):
            y = Y[:, j]
            if y.min() == y.max():
                # A label with no positives in this data (a tiny fixture) scores a constant.
                self.estimators_.append(float(y[0]))
                continue
            folds = min(self.cv, int(np.bincount(y).min()))
            base = LogisticRegression(
                C=self.C, max_iter=self.max_iter, solver="liblinear", class_weight=self.class_weight
            )
            model = CalibratedClassifierCV(base, method="sigmoid", cv=max(folds, 2), ensemble=False)
            model.fit(X, y, sample_weight=sample_weight)
            self.estimators_.append(model)
        self.n_labels_ = Y.shape[1]
        return self

    def predict_proba(self, X: Any) -> NDArray[np.float64]:
        """Scores, n_samples x n_labels."""
        n = X.shape[0]
        cols = [
            np.full(n, est) if isinstance(est, float) else est.predict_proba(X)[:, 1]
            for est in self.estimators_
        ]
        return np.column_stack(cols)

    def predict(self, X: Any) -> NDArray[np.int_]:
        """0/1 at 0.5 per label (the service uses tuned thresholds instead)."""
        return (self.predict_proba(X) >= 0.5).astype(int)


def build_pipeline(
    *,
    word_max_features: int = 30_000,
    char_max_features: int = 60_000,
    min_df: int = 2,
    C: float = 1.0,
    cv: int = 3,
    class_weight: str | None = "balanced",
    cue_weight: float = 1.0,
) -> Pipeline:
    """A fresh, unfitted pipeline."""
    words = TfidfVectorizer(
        preprocessor=scoring_text,
        analyzer="word",
        ngram_range=(1, 2),
        min_df=min_df,
        sublinear_tf=True,
        max_features=word_max_features,
        token_pattern=r"(?u)\b\w+\b",
        dtype=np.float32,
    )
    chars = TfidfVectorizer(
        preprocessor=scoring_text,
        analyzer="char_wb",
        ngram_range=(2, 5),
        min_df=min_df,
        sublinear_tf=True,
        max_features=char_max_features,
        dtype=np.float32,
    )
    return Pipeline(
        [
            ("normalise", PersianNormaliser()),
            (
                "features",
                FeatureUnion(
                    [("words", words), ("chars", chars), ("cues", CueFeatures())],
                    # A weight above 1 lets the few cue features stand out against the many
                    # n-grams under the same regularisation.
                    transformer_weights={"words": 1.0, "chars": 1.0, "cues": cue_weight},
                ),
            ),
            ("labels", LabelScorer(C=C, cv=cv, class_weight=class_weight)),
        ]
    )


def shrink(pipeline: Pipeline) -> Pipeline:
    """Drop what only training needed (`stop_words_` holds every pruned n-gram)."""
    for _, vectorizer in pipeline.named_steps["features"].transformer_list[:2]:
        if hasattr(vectorizer, "stop_words_"):
            del vectorizer.stop_words_
    return pipeline


def label_matrix(label_sets: Sequence[frozenset[str]]) -> NDArray[np.int_]:
    """0/1 matrix, one column per label in LABELS order."""
    return np.array(
        [[int(label in labels) for label in LABELS] for labels in label_sets], dtype=int
    )
