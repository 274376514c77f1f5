"""Per-label thresholds chosen on validation data for a precision target."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from sklearn.metrics import precision_recall_curve

FALLBACK = 0.5


def threshold_for_precision(
    y_true: NDArray[np.int_], scores: NDArray[np.float64], target: float, floor: float = 0.05
) -> float:
    """The lowest threshold whose precision on this data reaches `target`.

    Lowest, because among thresholds meeting the precision target it keeps the most recall.
    When no threshold reaches the target, the one with the best precision is taken, and never
    below `floor` (a few validation examples must not open the gates).
    """
    if y_true.sum() == 0 or y_true.sum() == len(y_true):
        return FALLBACK
    precision, _, thresholds = precision_recall_curve(y_true, scores)
    # precision has one more entry than thresholds (the last point is recall 0).
    ok = np.nonzero(precision[:-1] >= target)[0]
    best = thresholds[ok[0]] if len(ok) else thresholds[int(np.argmax(precision[:-1]))]
    return float(max(best, floor))
