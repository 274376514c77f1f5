"""`python -m moderation evaluate`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from moderation.classifier.artifact import load_default_model
from moderation.classifier.metrics import binary_macro_f1, summarise
from moderation.classifier.pipeline import label_matrix
from moderation.classifier.report import confusion, write_report
from moderation.classifier.system import system_scores
from moderation.classifier.train import evaluation_groups
from moderation.data.corpus import load_corpus
from moderation.data.own import load_labelled_file
from moderation.labels import LABELS


def evaluate_command(args: argparse.Namespace) -> int:
    """Print per-label metrics and a confusion summary; write a report under reports/."""
    model = load_default_model(args.model)
    if model is None:
        raise ValueError("no model in models/: train one first (python -m moderation train)")
    if args.file:
        examples = load_labelled_file(Path(args.file))
        texts = [e.text for e in examples]
        groups = {
            Path(args.file).stem: (
                label_matrix([e.labels for e in examples]),
                system_scores(model.pipeline, texts),
            )
        }
    else:
        roots = [Path(d) for d in args.data_dir] if args.data_dir else None
        groups = evaluation_groups(model, load_corpus(roots), "test")
    metrics = summarise(groups, model.thresholds)
    if "pars-off" in groups:
        Y, S = groups["pars-off"]
        j = LABELS.index("insult")
        metrics["pars-off"]["level_a_macro_f1"] = round(
            binary_macro_f1(Y[:, j], S[:, j], model.thresholds["insult"]), 4
        )
    for name, (Y, _) in groups.items():
        print(f"== {name} (n={len(Y)}, model {model.version})")
        print(f"{'label':<15}{'precision':>10}{'recall':>10}{'f1':>8}{'support':>9}{'fp':>6}")
        for label, m in metrics[name]["labels"].items():
            print(
                f"{label:<15}{m['precision']:>10.3f}{m['recall']:>10.3f}{m['f1']:>8.3f}"
                f"{m['support']:>9}{m['fp']:>6}"
            )
        if "clean_flagged_rate" in metrics[name]:
            rate = metrics[name]["clean_flagged_rate"]
            print(f"clean texts flagged (not personal_info): {rate:.2%}")
        if "level_a_macro_f1" in metrics[name]:
            print(f"Pars-OFF level A macro-F1: {metrics[name]['level_a_macro_f1']:.4f}")
    Y = np.vstack([g[0] for g in groups.values()])
    S = np.vstack([g[1] for g in groups.values()])
    print("confusion (rows: true label or clean; columns: flagged label or none)")
    print(
        json.dumps(
            {
                "rows": [*LABELS, "clean"],
                "columns": [*LABELS, "none"],
                "counts": confusion(Y, S, model.thresholds).tolist(),
            }
        )
    )
    paths = write_report(
        Path(args.reports), f"evaluate-{model.version}", metrics, groups, model.thresholds
    )
    print("report:", ", ".join(str(p) for p in paths))
    return 0
