"""The scikit-learn pipeline: our normaliser, word and character n-grams, one score per label."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline

from moderation.classifier.chargrams import Block, char_grams
from moderation.classifier.cues import (
    CueFeatures,
    Normalised,
    evasion_text,
    joined_evasion_text,
    scoring_text,
)
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


_ANALYZERS: WeakKeyDictionary[TfidfVectorizer, Callable[[Any], list[str]]] = WeakKeyDictionary()


def _is_plain_tfidf(transformer: Any) -> bool:
    """A fitted TfidfVectorizer whose settings `_tfidf_rows` reproduces."""
    return (
        isinstance(transformer, TfidfVectorizer)
        and hasattr(transformer, "vocabulary_")
        and not transformer.binary
        and transformer.norm in ("l2", None)
    )


def _tfidf_rows(
    vectorizer: TfidfVectorizer, docs: Sequence[Any]
) -> list[tuple[NDArray[np.int64], NDArray[np.float64]]]:
    """(columns, values) per document, as vectorizer.transform would give them."""
    analyze = _ANALYZERS.get(vectorizer)
    if analyze is None:
        analyze = _ANALYZERS[vectorizer] = vectorizer.build_analyzer()
    vocabulary = vectorizer.vocabulary_
    idf = vectorizer.idf_ if vectorizer.use_idf else None
    out = []
    for doc in docs:
        counts: dict[int, int] = {}
        for term in analyze(doc):
            j = vocabulary.get(term)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        cols = np.array(sorted(counts), dtype=np.int64)
        vals = np.fromiter((counts[j] for j in cols.tolist()), dtype=np.float64, count=len(cols))
        if vectorizer.sublinear_tf:
            vals = np.log(vals) + 1.0
        if idf is not None:
            vals = vals * idf[cols]
        if vectorizer.norm == "l2" and len(vals):
            vals = vals / np.sqrt(np.dot(vals, vals))
        out.append((cols, vals))
    return out


def _block_of_rows(rows: Sequence[tuple[NDArray[np.int64], NDArray[Any]]]) -> Block:
    """(columns, values) per row as CSR arrays."""
    indptr = np.zeros(len(rows) + 1, np.int64)
    np.cumsum([len(cols) for cols, _ in rows], out=indptr[1:])
    if not indptr[-1]:
        return indptr, np.zeros(0, np.int64), np.zeros(0, np.float32)
    indices = np.concatenate([cols for cols, _ in rows])
    data = np.concatenate([vals for _, vals in rows]).astype(np.float32)
    return indptr, indices, data


def _side_by_side(blocks: list[tuple[Block, int]], n_rows: int) -> sp.csr_matrix:
    """CSR blocks (each with its width) joined column-wise, without scipy's hstack (whose
    checks cost more than the join for the few rows the service scores at a time)."""
    offset = 0
    lengths, shifted = [], []
    for (indptr, indices, data), width in blocks:
        lengths.append(np.diff(indptr))
        shifted.append((indptr, indices + offset, data))
        offset += width
    per_row = np.sum(lengths, axis=0) if lengths else np.zeros(n_rows, np.int64)
    indptr = np.zeros(n_rows + 1, np.int64)
    np.cumsum(per_row, out=indptr[1:])
    if n_rows == 1:
        indices = np.concatenate([i for _, i, _ in shifted])
        data = np.concatenate([d for _, _, d in shifted]).astype(np.float32, copy=False)
    else:
        indices = np.empty(indptr[-1], np.int64)
        data = np.empty(indptr[-1], np.float32)
        before = indptr[:-1].copy()  # where each row's next block starts in the output
        for (block_ptr, block_indices, block_data), length in zip(shifted, lengths, strict=True):
            # Output slot of each entry: its row's start so far plus its place in the row.
            within = np.arange(len(block_indices)) - np.repeat(block_ptr[:-1], length)
            slots = np.repeat(before, length) + within
            indices[slots] = block_indices
            data[slots] = block_data
            before += length
    return sp.csr_matrix((data, indices, indptr), shape=(n_rows, offset))


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
        """The weighted, stacked features: the matrix sklearn's transforms would give.

        Built here rather than through each transformer's `transform`: for a few reviews, the
        storefront's case, sklearn's validation and sparse bookkeeping cost more than the
        n-gram lookups themselves (≈ 0.4 ms a vectorizer for one review), and character
        n-grams are counted with numpy (chargrams.py): in batches of 64 the whole step is
        2.1–2.8x faster than sklearn's transforms (docs/benchmarks.md, three runs).
        """
        blocks = []
        for _, transformer, weight in self.transformers:
            grams = char_grams(transformer)
            if grams is not None:
                block, width = grams.block(X), grams.n_features
            elif isinstance(transformer, CueFeatures):
                block, width = _block_of_rows(transformer.rows(X)), len(transformer.names_)
            elif _is_plain_tfidf(transformer):
                rows = _tfidf_rows(transformer, X)
                block, width = _block_of_rows(rows), len(transformer.vocabulary_)
            else:
                matrix = sp.csr_matrix(transformer.transform(X), dtype=np.float32)
                matrix.sort_indices()
                block, width = (matrix.indptr, matrix.indices, matrix.data), matrix.shape[1]
            if weight != 1.0:
                indptr, indices, data = block
                block = (indptr, indices, (data * weight).astype(np.float32))
            blocks.append((block, width))
        return _side_by_side(blocks, len(X))

    def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> sp.csr_matrix:
        """Fit, then transform (vectorizers fit and transform in one pass)."""
        blocks = []
        for _, transformer, weight in self.transformers:
            block = transformer.fit_transform(X)
            blocks.append(block * weight if weight != 1.0 else block)
        return sp.hstack(blocks, format="csr")



@dataclass
class LabelFit:
    """What one label's fit is made of, kept until `shrink` for inspection and tests.

    `plain` sees the features as they are; `nb` sees them scaled by the label's naive-Bayes
    log-count ratios (NB-LR, Wang & Manning 2012). Their decisions, each divided by its spread
    on out-of-fold data, are summed and calibrated by `platt`.
    """

    plain: LogisticRegression
    nb: LogisticRegression
    ratios: NDArray[np.float64]
    scales: tuple[float, float]
    platt: LogisticRegression

    def decision(self, X: Any) -> NDArray[np.float64]:
        """The combined, uncalibrated decision value."""
        d1 = self.plain.decision_function(X)
        d2 = self.nb.decision_function(X @ sp.diags(self.ratios))
        return np.asarray(d1 / self.scales[0] + d2 / self.scales[1])

    def predict_proba(self, X: Any) -> NDArray[np.float64]:
        """The calibrated score."""
        return np.asarray(self.platt.predict_proba(self.decision(X).reshape(-1, 1))[:, 1])


def nb_ratios(
    X: Any, y: NDArray[np.int_], weight: NDArray[np.float64], alpha: float = 1.0
) -> NDArray[np.float64]:
    """Log-count ratio of each feature's presence in positives against negatives."""
    present = X.copy()
    present.data[:] = 1.0
    pos = alpha + np.asarray(present[y == 1].T @ weight[y == 1]).ravel()
    neg = alpha + np.asarray(present[y == 0].T @ weight[y == 0]).ravel()
    return np.asarray(np.log((pos / pos.sum()) / (neg / neg.sum())))


class LabelScorer(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Per label, a logistic regression and an NB-LR over shared features, summed, calibrated.

    The two see the same n-grams differently (raw weights against naive-Bayes-scaled ones), and
    their sum generalised better than either: on reviews from writers the training never saw,
    criminal recall at precision 0.9 rose from 0.65 to 0.72 (docs/model-choice.md).
    Calibration is Platt scaling on out-of-fold decisions, so a score of 0.9 means about nine in
    ten such reviews carry the label (on data like the training data).
    """

    def __init__(
        self,
        C: float = 1.0,
        nb_C: float = 0.3,
        cv: int = 3,
        max_iter: int = 3000,
        class_weight: str | None = None,
    ) -> None:
        self.C = C
        self.nb_C = nb_C
        self.cv = cv
        self.max_iter = max_iter
        self.class_weight = class_weight

    def _pair(
        self, X: Any, y: NDArray[np.int_], w: NDArray[np.float64]
    ) -> tuple[LogisticRegression, LogisticRegression, NDArray[np.float64]]:
        def model(C: float) -> LogisticRegression:
            return LogisticRegression(
                C=C, max_iter=self.max_iter, solver="liblinear", class_weight=self.class_weight
            )

        ratios = nb_ratios(X, y, w)
        plain = model(self.C).fit(X, y, sample_weight=w)
        nb = model(self.nb_C).fit(X @ sp.diags(ratios), y, sample_weight=w)
        return plain, nb, ratios

    def _fit_label(self, X: Any, y: NDArray[np.int_], w: NDArray[np.float64]) -> LabelFit:
        folds = max(2, min(self.cv, int(np.bincount(y).min())))
        oof = np.zeros((len(y), 2))
        split = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0).split(X, y)
        for train, held in split:
            plain, nb, ratios = self._pair(X[train], y[train], w[train])
            oof[held, 0] = plain.decision_function(X[held])
            oof[held, 1] = nb.decision_function(X[held] @ sp.diags(ratios))
        spread = oof.std(axis=0)
        scales = (float(spread[0]) or 1.0, float(spread[1]) or 1.0)
        combined = oof[:, 0] / scales[0] + oof[:, 1] / scales[1]
        platt = LogisticRegression(C=1e6, max_iter=1000)
        platt.fit(combined.reshape(-1, 1), y, sample_weight=w)
        plain, nb, ratios = self._pair(X, y, w)
        return LabelFit(plain, nb, ratios, scales, platt)

    def fit(
        self,
        X: Any,
        Y: NDArray[np.int_],
        sample_weight: NDArray[np.float64] | None = None,
        label_mask: NDArray[np.bool_] | None = None,
    ) -> LabelScorer:
        """Fit one calibrated pair per column of Y (n_samples x n_labels, 0/1).

        `label_mask` (n_samples x n_labels, optional) says which examples each label learns
        from: False leaves an example out of that label's fit only.
        """
        Y = np.asarray(Y)
        X = sp.csr_matrix(X)
        w_all = np.ones(Y.shape[0]) if sample_weight is None else np.asarray(sample_weight, float)
        mask = np.ones(Y.shape, dtype=bool) if label_mask is None else np.asarray(label_mask, bool)
        if mask.shape != Y.shape:
            raise ValueError(f"label_mask has shape {mask.shape}, labels have {Y.shape}")
        self.estimators_: list[LabelFit | float] = []
        for j in range(Y.shape[1]):
            keep = mask[:, j]
            y = Y[keep, j]
            if y.size == 0:
                raise ValueError(f"label_mask leaves no example for label column {j}")
            if y.min() == y.max():
                # A label with no positives in this data (a tiny fixture) scores a constant.
                self.estimators_.append(float(y[0]))
                continue
            if keep.all():  # the usual case: no copy of the feature matrix
                self.estimators_.append(self._fit_label(X, y, w_all))
            else:
                self.estimators_.append(self._fit_label(X[keep], y, w_all[keep]))
        self.n_labels_ = Y.shape[1]
        self._compile(X.shape[1])
        return self

    def _compile(self, n_features: int) -> None:
        """Fold the fitted models into one matrix: scoring is then one sparse product.

        Both models are linear in the features (NB-LR's scaling folds into its weights), so a
        label's calibrated score is expit(-(a * (x.w + c) + b)). Calling fourteen sklearn
        estimators one by one cost milliseconds a review in validation overhead; the product
        costs microseconds.
        """
        n = len(self.estimators_)
        coef = np.zeros((n_features, n), dtype=np.float32)
        self.intercept_ = np.zeros(n)
        self.cal_a_ = np.zeros(n)
        self.cal_b_ = np.zeros(n)
        self.constant_: dict[int, float] = {}
        for j, fit in enumerate(self.estimators_):
            if isinstance(fit, float):
                self.constant_[j] = fit
                continue
            s1, s2 = fit.scales
            coef[:, j] = fit.plain.coef_.ravel() / s1 + fit.ratios * fit.nb.coef_.ravel() / s2
            self.intercept_[j] = fit.plain.intercept_[0] / s1 + fit.nb.intercept_[0] / s2
            # Stored negated: the score is expit(-(a * decision + b)), sklearn's sigmoid
            # calibration convention, which artifacts trained before NB-LR also use.
            self.cal_a_[j] = -fit.platt.coef_[0, 0]
            self.cal_b_[j] = -fit.platt.intercept_[0]
        # The weights are rounded to float16 here, where the thresholds are still to be chosen,
        # and stored so (see __getstate__): the weight matrix is most of the artifact, and
        # float32 weights do not compress. Rounding moved a score by 0.0003 at most on model
        # .8's validation reviews, and the model that training measures is exactly the one
        # that loads.
        self.coef_ = coef.astype(np.float16).astype(np.float32)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(super().__getstate__())
        if isinstance(state.get("coef_"), np.ndarray):
            state["coef_"] = state["coef_"].astype(np.float16)  # exact: see _compile
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        coef = state.get("coef_")
        if isinstance(coef, np.ndarray):
            # Sparse float32 features times float16 weights would upcast on every call.
            state = {**state, "coef_": coef.astype(np.float32)}
        super().__setstate__(state)

    def predict_proba(self, X: Any) -> NDArray[np.float64]:
        """Scores, n_samples x n_labels."""
        decision = np.asarray(X @ self.coef_, dtype=np.float64) + self.intercept_
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
    nb_C: float = 0.3,
    cv: int = 3,
    class_weight: str | None = "balanced",
    cue_weight: float = 1.0,
    join_evaded: bool = True,
) -> Pipeline:
    """A fresh, unfitted pipeline.

    Larger vocabularies (120,000 words and 120,000 character n-grams per view) ranked better on
    validation (criminal AP 0.958 -> 0.962), but on writers the model never saw they gained
    little AP and nothing at the chosen thresholds (docs/model-choice.md, "Larger
    vocabularies"). So the sizes stay.
    """
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

    def char_ngrams(view: Callable[[Normalised], str]) -> TfidfVectorizer:
        return TfidfVectorizer(
            preprocessor=view,
            analyzer="char_wb",
            ngram_range=(2, 5),
            min_df=min_df,
            sublinear_tf=True,
            max_features=char_max_features,
            dtype=np.float32,
        )

    chars = char_ngrams(scoring_text)
    # The same character n-grams over the anti-evasion view (separators, elongation and
    # spelled-out letters undone): on validation this lifted sexual recall at precision 0.9
    # from 0.55 to 0.71 and criminal from 0.71 to 0.77, where obfuscated words hide.
    # Read without spaces (`join_evaded`), a word split in two (قا چاق) still shows its
    # n-grams: with every other word split, validation recall rose from 0.64 to 0.69 for
    # criminal and 0.60 to 0.66 for sexual, with the same average precision on plain text
    # (scripts/evasion.py; docs/model-choice.md).
    evaded_chars = char_ngrams(joined_evasion_text if join_evaded else evasion_text)
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
                        ("evaded_chars", evaded_chars, 1.0),
                        ("cues", CueFeatures(), cue_weight),
                    ]
                ),
            ),
            ("labels", LabelScorer(C=C, nb_C=nb_C, cv=cv, class_weight=class_weight)),
        ]
    )


def shrink(pipeline: Pipeline) -> Pipeline:
    """Drop what only training needed: `stop_words_` holds every pruned n-gram, and the
    per-label estimators live on, folded, in the label scorer's matrices."""
    labels = pipeline.named_steps["labels"]
    if hasattr(labels, "estimators_"):
        del labels.estimators_
    for _, vectorizer, _ in pipeline.named_steps["features"].transformers:
        if isinstance(vectorizer, TfidfVectorizer) and hasattr(vectorizer, "stop_words_"):
            del vectorizer.stop_words_
    return pipeline


def label_matrix(label_sets: Sequence[frozenset[str]]) -> NDArray[np.int_]:
    """0/1 matrix, one column per label in LABELS order."""
    return np.array(
        [[int(label in labels) for label in LABELS] for labels in label_sets], dtype=int
    )


def pipeline_scores(pipeline: Pipeline, texts: list[str]) -> NDArray[np.float64]:
    """pipeline.predict_proba without sklearn's per-call checks (≈ 0.1 ms a call): the service
    scores one review at a time."""
    X: Any = texts
    for _, step in pipeline.steps[:-1]:
        X = step.transform(X)
    return np.asarray(pipeline.steps[-1][1].predict_proba(X))
