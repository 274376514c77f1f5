"""Detector evidence as classifier features: cue categories and profanity, counted per review."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from sklearn.base import BaseEstimator, TransformerMixin

from moderation.detect.lexicon import CUE_CATEGORIES, load_cues, load_lexicon, words_of

PROFANITY_FEATURES = ("insult:1", "insult:2", "insult:3", "sexual", "hate")


class Normalised(NamedTuple):
    """What the pipeline's first step hands on: the scoring text and the anti-evasion view."""

    scoring: str
    evaded: str


def scoring_text(item: Normalised) -> str:
    """The vectorizers' preprocessor (a module function, so the pipeline pickles)."""
    return item.scoring


def evasion_text(item: Normalised) -> str:
    """The anti-evasion view, for the character n-grams that see through spacing tricks."""
    return item.evaded


_GAPS = re.compile(r"[\s\u200c]+")


def joined_evasion_text(item: Normalised) -> str:
    """The anti-evasion view without spaces: a word split in two (قا چاق) reads as one."""
    return _GAPS.sub("", item.evaded)


class CueFeatures(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """log(1 + hits) per cue category and per profanity class.

    The lexicons are copied into the estimator at fit time, so a trained model keeps the
    lists it was trained with even when the files in data/lexicon change later.
    """

    def fit(self, X: Sequence[Normalised], y: Any = None) -> CueFeatures:
        """Take the current lexicons."""
        self.cues_ = load_cues()
        self.profanity_ = load_lexicon()
        self.names_ = [f"cue:{c}" for c in CUE_CATEGORIES] + [
            f"profanity:{p}" for p in PROFANITY_FEATURES
        ]
        return self

    def counts(self, X: Sequence[Normalised]) -> list[dict[int, int]]:
        """Hits per feature column for each review."""
        index = {name: i for i, name in enumerate(self.names_)}
        out = []
        for item in X:
            # `evaded` is already the anti-evasion view: no need to build it again, and both
            # lexicons read the same words.
            words = words_of(item.evaded)
            counts: dict[int, int] = {}
            for entry, _, _ in self.cues_.matches(words):
                k = index[f"cue:{entry.label}"]
                counts[k] = counts.get(k, 0) + 1
            for entry, _, _ in self.profanity_.matches(words):
                name = f"insult:{entry.severity}" if entry.label == "insult" else entry.label
                k = index[f"profanity:{name}"]
                counts[k] = counts.get(k, 0) + 1
            out.append(counts)
        return out

    def rows(
        self, X: Sequence[Normalised]
    ) -> list[tuple[NDArray[np.int64], NDArray[np.float64]]]:
        """(columns, log(1 + hits)) per review: the matrix's rows without building it."""
        out = []
        for c in self.counts(X):
            columns = sorted(c)  # sorted, as in the matrices sklearn builds
            hits = np.fromiter((c[k] for k in columns), dtype=np.float64, count=len(columns))
            out.append((np.array(columns, dtype=np.int64), np.log1p(hits)))
        return out

    def transform(self, X: Sequence[Normalised]) -> sp.csr_matrix:
        """A sparse n_texts x n_features matrix."""
        rows: list[int] = []
        cols: list[int] = []
        data: list[float] = []
        for r, counts in enumerate(self.counts(X)):
            for k, n in counts.items():
                rows.append(r)
                cols.append(k)
                data.append(float(n))
        m = sp.csr_matrix((np.log1p(data), (rows, cols)), shape=(len(X), len(self.names_)))
        return m

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the features, for error analysis."""
        return np.array(self.names_, dtype=object)
