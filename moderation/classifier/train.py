"""Training: fit the pipeline on the train splits, pick thresholds on validation, score tests."""

from __future__ import annotations

import hashlib
import json
import logging
import platform
import time
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import hazm
import numpy as np
import scipy
import sklearn
from numpy.typing import NDArray

from moderation.classifier.artifact import Model
from moderation.classifier.metrics import best_macro_f1_threshold, binary_macro_f1, summarise
from moderation.classifier.pipeline import build_pipeline, label_matrix, shrink
from moderation.classifier.system import system_scores
from moderation.classifier.thresholds import threshold_for_precision
from moderation.data.own import SOURCE as OWN
from moderation.data.public import Example
from moderation.detect.repeats import find_repeats
from moderation.labels import LABELS
from moderation.text.evasion import light_view

log = logging.getLogger(__name__)

# In-domain reviews are few next to the tweets; weighting them up tells the model that the
# store's own notion of each label is the one that counts.
SOURCE_WEIGHTS = {OWN: 10.0, "sharif-spam-emails": 0.5}
# Validation for thresholds: in-domain only, since the thresholds serve in-domain reviews.
THRESHOLD_SOURCES = (OWN, "parsinlu-food-sentiment")


def label_mask(texts: Sequence[str]) -> NDArray[np.bool_]:
    """Which training texts each label learns from (n_texts x n_labels).

    Pasted text leaves the spam label's fit. The repeat detector flags it as spam whatever the
    model says, and its pasted words («حتما بخرید» three times over) taught the model that one
    customer's «حتما بخرید پشیمون نمیشید» is spam: model 2026-11-25.6 gave that review 0.90.
    """
    mask = np.ones((len(texts), len(LABELS)), dtype=bool)
    spam = LABELS.index("spam")
    for i, text in enumerate(texts):
        if find_repeats(light_view(text)):
            mask[i, spam] = False
    return mask


def data_hash(examples: Sequence[Example]) -> str:
    """SHA-256 over the sorted (id, split, labels, text) of the training data."""
    h = hashlib.sha256()
    for ex in sorted(examples, key=lambda e: e.id):
        h.update(
            json.dumps([ex.id, ex.split, sorted(ex.labels), ex.text], ensure_ascii=False).encode()
        )
    return h.hexdigest()


def _xy(examples: Sequence[Example]) -> tuple[list[str], NDArray[np.int_]]:
    return [e.text for e in examples], label_matrix([e.labels for e in examples])


def evaluation_groups(
    model: Model,
    examples: Sequence[Example],
    split: str = "test",
) -> dict[str, tuple[NDArray[np.int_], NDArray[np.float64]]]:
    """(labels, scores) per source for one split."""
    by_source: dict[str, list[Example]] = defaultdict(list)
    for ex in examples:
        if ex.split == split:
            by_source[ex.source].append(ex)
    groups = {}
    for source, rows in sorted(by_source.items()):
        texts, Y = _xy(rows)
        groups[source] = (Y, system_scores(model.pipeline, texts))
    return groups


def train_model(
    examples: Sequence[Example],
    *,
    version: str,
    precision: float = 0.9,
    licence_filter: str = "any",
    pipeline_params: dict[str, Any] | None = None,
    source_weights: dict[str, float] | None = None,
) -> Model:
    """Fit, choose thresholds, evaluate on every test split; return the model with its card."""
    started = time.perf_counter()
    train = [e for e in examples if e.split == "train"]
    val = [e for e in examples if e.split == "val" and e.source in THRESHOLD_SOURCES]
    if not val:
        val = [e for e in examples if e.split == "val"]
    texts, Y = _xy(train)
    source_weights = SOURCE_WEIGHTS if source_weights is None else source_weights
    weights = np.array([source_weights.get(e.source, 1.0) for e in train])
    pipeline = build_pipeline(**(pipeline_params or {}))
    pipeline.fit(texts, Y, labels__sample_weight=weights, labels__label_mask=label_mask(texts))
    shrink(pipeline)
    fitted = time.perf_counter()

    val_texts, val_Y = _xy(val)
    val_S = system_scores(pipeline, val_texts)
    thresholds = {
        label: round(threshold_for_precision(val_Y[:, j], val_S[:, j], precision), 4)
        if len(val)
        else 0.5
        for j, label in enumerate(LABELS)
    }
    model = Model(version, pipeline, thresholds)
    test_groups = evaluation_groups(model, examples, "test")
    sources = sorted({e.source for e in examples})
    licences = {e.source: e.licence for e in examples}
    card: dict[str, Any] = {
        "version": version,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "licence_filter": licence_filter,
        "training_sources": [
            {"source": s, "licence": licences[s], "train": sum(1 for e in train if e.source == s)}
            for s in sources
        ],
        "data_sha256": data_hash(examples),
        "n_train": len(train),
        "n_threshold_val": len(val),
        "precision_target": precision,
        "thresholds": thresholds,
        "threshold_sources": sorted({e.source for e in val}),
        "test_metrics": summarise(test_groups, thresholds),
        "libraries": {
            "python": platform.python_version(),
            "scikit-learn": sklearn.__version__,
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "hazm": getattr(hazm, "__version__", "unknown"),
        },
        "fit_seconds": round(fitted - started, 1),
        "source_weights": source_weights,
        "pipeline_params": pipeline_params or {},
    }
    pars_off = test_groups.get("pars-off")
    if pars_off is not None:
        insult = LABELS.index("insult")
        y, s = pars_off[0][:, insult], pars_off[1][:, insult]
        card["pars_off_level_a_macro_f1"] = round(binary_macro_f1(y, s, thresholds["insult"]), 4)
        # The benchmark's own operating point: a threshold for tweets, chosen on Pars-OFF's
        # validation split (never its test), next to the figure at the store's threshold.
        val_groups = evaluation_groups(
            model, [e for e in examples if e.source == "pars-off"], "val"
        )
        if "pars-off" in val_groups:
            vy, vs = val_groups["pars-off"]
            t = best_macro_f1_threshold(vy[:, insult], vs[:, insult])
            card["pars_off_level_a"] = {
                "macro_f1_at_store_threshold": card["pars_off_level_a_macro_f1"],
                "val_threshold": round(t, 4),
                "macro_f1_at_val_threshold": round(binary_macro_f1(y, s, t), 4),
            }
    model.card = card
    log.info("trained %s in %.1fs", version, fitted - started)
    return model
