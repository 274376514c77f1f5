"""The scikit-learn pipeline: our normaliser, word and character n-grams, one score per label."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

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


class FeatureStack(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Side-by-side features of several transformers (a lean FeatureUnion).

    sklearn's FeatureUnion costs ≈ 0.4 ms a call in dispatch and validation, as much as the
    vectorizers themselves for one review; this is a plain weighted hstack.
    """

    def __init__(self, transformers: list[tuple[str, Any, float]]) -> None:
        self.transformers = transformers

    def fit(self, X: Any, y: Any = None) -> FeatureStack:
        """Fit every transformer."""
        for _, transformer, _ in self.transformers:
            transformer.fit(X)
        return self

    def transform(self, X: Any) -> sp.csr_matrix:
        """The weighted, stacked features."""
        blocks = []
        for _, transformer, weight in self.transformers:
            block = transformer.transform(X)
            blocks.append(block * weight if weight != 1.0 else block)
        return sp.hstack(blocks, format="csr")

    def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> sp.csr_matrix:
        """Fit, then transform (vectorizers fit and transform in one pass)."""
        blocks = []
        for _, transformer, weight in self.transformers:
            block = transformer.fit_transform(X)
            blocks.append(block * weight if weight != 1.0 else block)
        return sp.hstack(blocks, format="csr")



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
        self._compile(X.shape[1])
        return self

    def _compile(self, n_features: int) -> None:
        """Fold the fitted models into one matrix: scoring is then one sparse product.

        Each label's calibrated score is expit(-(a * (x.w + c) + b)): the logistic regression's
        decision value through its sigmoid calibrator. Calling seven sklearn estimators one by
        one cost ≈ 2 ms a review in validation overhead; the product costs microseconds.
        """
        n = len(self.estimators_)
        self.coef_ = np.zeros((n_features, n))
        self.intercept_ = np.zeros(n)
        self.cal_a_ = np.zeros(n)
        self.cal_b_ = np.zeros(n)
        self.constant_: dict[int, float] = {}
        for j, est in enumerate(self.estimators_):
            if isinstance(est, float):
                self.constant_[j] = est
                continue
            (calibrated,) = est.calibrated_classifiers_
            (calibrator,) = calibrated.calibrators
            self.coef_[:, j] = calibrated.estimator.coef_.ravel()
            self.intercept_[j] = calibrated.estimator.intercept_[0]
            self.cal_a_[j] = calibrator.a_
            self.cal_b_[j] = calibrator.b_

    def predict_proba(self, X: Any) -> NDArray[np.float64]:
        """Scores, n_samples x n_labels."""
        decision = np.asarray(X @ self.coef_) + self.intercept_
        scores: NDArray[np.float64] = expit(-(self.cal_a_ * decision + self.cal_b_))
        for j, value in self.constant_.items():
            scores[:, j] = value
        return scores

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
                # A cue weight above 1 lets the few cue features stand out against the many
                # n-grams under the same regularisation.
                FeatureStack(
                    [
                        ("words", words, 1.0),
                        ("chars", chars, 1.0),
                        ("cues", CueFeatures(), cue_weight),
                    ]
                ),
            ),
            ("labels", LabelScorer(C=C, cv=cv, class_weight=class_weight)),
        ]
    )


def shrink(pipeline: Pipeline) -> Pipeline:
    """Drop what only training needed: `stop_words_` holds every pruned n-gram, and the
    per-label estimators live on, folded, in the label scorer's matrices."""
    labels = pipeline.named_steps["labels"]
    if hasattr(labels, "estimators_"):
        del labels.estimators_
    for _, vectorizer, _ in pipeline.named_steps["features"].transformers[:2]:
        if hasattr(vectorizer, "stop_words_"):
            del vectorizer.stop_words_
    return pipeline


def label_matrix(label_sets: Sequence[frozenset[str]]) -> NDArray[np.int_]:
    """0/1 matrix, one column per label in LABELS order."""
    return np.array(
        [[int(label in labels) for label in LABELS] for labels in label_sets], dtype=int
    )
