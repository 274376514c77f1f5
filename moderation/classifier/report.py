"""Evaluation report: per-label metrics, precision-recall curves and a confusion summary."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.metrics import precision_recall_curve

from moderation.labels import LABELS


def plot_pr_curves(
    groups: Mapping[str, tuple[NDArray[np.int_], NDArray[np.float64]]],
    thresholds: Mapping[str, float],
    path: Path,
) -> None:
    """One precision-recall panel per label, one curve per group, the threshold marked."""
    import matplotlib

    matplotlib.use("Agg")  # files only, never a window
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 4, figsize=(16, 8))
    for ax, (j, label) in zip(axes.flat, enumerate(LABELS), strict=False):
        for name, (Y, S) in groups.items():
            y = Y[:, j]
            if y.sum() == 0 or y.sum() == len(y):
                continue
            precision, recall, thr = precision_recall_curve(y, S[:, j])
            ax.plot(recall, precision, label=name)
            k = int(np.searchsorted(thr, thresholds[label]))
            if k < len(thr):
                ax.scatter([recall[k]], [precision[k]], marker="o", s=20)
        ax.set_title(f"{label} (t={thresholds[label]:.2f})")
        ax.set_xlabel("recall")
        ax.set_ylabel("precision")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
        if ax.lines:
            ax.legend(fontsize=7, loc="lower left")
    axes.flat[-1].axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def plot_confusion(
    Y: NDArray[np.int_], S: NDArray[np.float64], thresholds: Mapping[str, float], path: Path
) -> None:
    """Label co-occurrence: rows are true labels (+ clean), columns flagged labels (+ none)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matrix = confusion(Y, S, thresholds)
    fig, ax = plt.subplots(figsize=(8, 7))
    ax.imshow(matrix, cmap="Blues")
    rows = [*LABELS, "clean"]
    cols = [*LABELS, "none"]
    ax.set_xticks(range(len(cols)), cols, rotation=45, ha="right")
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xlabel("flagged")
    ax.set_ylabel("true")
    for i in range(len(rows)):
        for k in range(len(cols)):
            ax.text(k, i, str(int(matrix[i, k])), ha="center", va="center", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def confusion(
    Y: NDArray[np.int_], S: NDArray[np.float64], thresholds: Mapping[str, float]
) -> NDArray[np.int_]:
    """Counts of (true label or clean) x (flagged label or none)."""
    thr = np.array([thresholds[label] for label in LABELS])
    P = thr <= S
    n = len(LABELS)
    matrix = np.zeros((n + 1, n + 1), dtype=int)
    for y, p in zip(Y.astype(bool), P, strict=True):
        rows = list(np.nonzero(y)[0]) or [n]
        cols = list(np.nonzero(p)[0]) or [n]
        for r in rows:
            for c in cols:
                matrix[r, c] += 1
    return matrix


def write_report(
    directory: Path,
    name: str,
    metrics: Mapping[str, Any],
    groups: Mapping[str, tuple[NDArray[np.int_], NDArray[np.float64]]],
    thresholds: Mapping[str, float],
) -> list[Path]:
    """Write `<name>.json`, `<name>-pr.png` and `<name>-confusion.png`; return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = [
        directory / f"{name}.json",
        directory / f"{name}-pr.png",
        directory / f"{name}-confusion.png",
    ]
    paths[0].write_text(json.dumps(metrics, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    plot_pr_curves(groups, thresholds, paths[1])
    Y = np.vstack([g[0] for g in groups.values()])
    S = np.vstack([g[1] for g in groups.values()])
    plot_confusion(Y, S, thresholds, paths[2])
    return paths
