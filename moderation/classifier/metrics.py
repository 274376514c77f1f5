"""Per-label metrics of scores against labels at given thresholds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.metrics import f1_score, precision_recall_curve

from moderation.labels import LABELS


def per_label(
    Y: NDArray[np.int_], S: NDArray[np.float64], thresholds: Mapping[str, float]
) -> dict[str, dict[str, float | int]]:
    """Precision, recall, F1 and the confusion counts of every label with positives or flags."""
    out: dict[str, dict[str, float | int]] = {}
    for j, label in enumerate(LABELS):
        y = Y[:, j].astype(bool)
        p = S[:, j] >= thresholds[label]
        tp, fp = int((y & p).sum()), int((~y & p).sum())
        fn, tn = int((y & ~p).sum()), int((~y & ~p).sum())
        if tp + fn == 0 and fp == 0:
            continue  # no positives and no flags: nothing to say about this label here
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[label] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": tp + fn,
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "tn": tn,
        }
    return out


def flagged_rate(
    S: NDArray[np.float64],
    thresholds: Mapping[str, float],
    exclude: Sequence[str] = ("personal_info",),
) -> float:
    """Share of texts flagged for any label outside `exclude` (false positives on clean sets)."""
    cols = [j for j, label in enumerate(LABELS) if label not in exclude]
    thr = np.array([thresholds[LABELS[j]] for j in cols])
    if len(S) == 0:
        return 0.0
    return float((S[:, cols] >= thr).any(axis=1).mean())


def recall_at_precision(y: NDArray[np.int_], scores: NDArray[np.float64], target: float) -> float:
    """The best recall among thresholds whose precision reaches `target` (0 when none does)."""
    precision, recall, _ = precision_recall_curve(y, scores)
    ok = precision >= target
    return float(recall[ok].max()) if ok.any() else 0.0


def binary_macro_f1(y: NDArray[np.int_], scores: NDArray[np.float64], threshold: float) -> float:
    """Macro-F1 over the two classes (the Pars-OFF benchmark's measure)."""
    return float(f1_score(y, (scores >= threshold).astype(int), average="macro"))


def best_macro_f1_threshold(y: NDArray[np.int_], scores: NDArray[np.float64]) -> float:
    """The threshold with the best binary macro-F1 on this data (choose it on validation)."""
    candidates = np.unique(scores)
    if len(candidates) > 512:
        candidates = np.quantile(scores, np.linspace(0.0, 1.0, 513))
    return float(max(candidates, key=lambda t: binary_macro_f1(y, scores, float(t))))


def summarise(
    groups: Mapping[str, tuple[NDArray[np.int_], NDArray[np.float64]]],
    thresholds: Mapping[str, float],
) -> dict[str, Any]:
    """Metrics per named group of (labels, scores)."""
    result: dict[str, Any] = {}
    for name, (Y, S) in groups.items():
        entry: dict[str, Any] = {"n": len(Y), "labels": per_label(Y, S, thresholds)}
        clean = Y.sum(axis=1) == 0
        if clean.any():
            entry["clean_flagged_rate"] = round(flagged_rate(S[clean], thresholds), 4)
        result[name] = entry
    return result
