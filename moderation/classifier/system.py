"""Scores of the whole system (classifier + detectors) as a matrix, for thresholds and metrics."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from moderation.detect.all import detect
from moderation.detect.lexicon import Lexicon, load_lexicon
from moderation.labels import LABELS
from moderation.scoring import combine, detector_evidence


def system_scores(
    pipeline: Any,
    texts: Sequence[str],
    lexicon: Lexicon | None = None,
) -> NDArray[np.float64]:
    """n_texts x n_labels: the scorer's combined score, 1.0 where a decisive detector hit
    (`Span.decisive`) found the label.

    Such a hit flags its label whatever the threshold (DESIGN.md), so for thresholds and
    metrics it counts as a certain score; this measures what the service actually flags.
    """
    lexicon = lexicon if lexicon is not None else load_lexicon()
    if not texts:
        return np.zeros((0, len(LABELS)))
    model = np.asarray(pipeline.predict_proba(list(texts)))
    out = np.empty_like(model, dtype=np.float64)
    for i, text in enumerate(texts):
        spans = detect(text, lexicon)
        combined = combine(dict(zip(LABELS, model[i], strict=True)), detector_evidence(spans))
        found = {s.label for s in spans if s.decisive}
        out[i] = [1.0 if label in found else combined[label] for label in LABELS]
    return out
