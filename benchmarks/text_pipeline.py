"""Throughput of `moderation score`'s text pipeline and of the classifier, on one core.

Run: `make bench` (or `.venv/bin/python benchmarks/text_pipeline.py [--n 10000] [--repeat 5]`).
The reviews are our own (data/reviews), cycled to N with a suffix so no cache can help.
Prints medians over the repeats, and ratios measured in the same run.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import statistics
import time
from typing import Any

import scipy.sparse as sp

# One core: BLAS threads would otherwise use both and flatter the figure.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from moderation.classifier.artifact import load_default_model
from moderation.cli import score_stream
from moderation.detect.all import detect
from moderation.detect.lexicon import load_lexicon
from moderation.paths import DATA_DIR, DEFAULT_POLICY
from moderation.policy import load_policy
from moderation.scoring import Scorer
from moderation.text import normalise_for_scoring


def reviews(n: int) -> list[str]:
    """N review texts from data/reviews, each made unique."""
    texts = [
        json.loads(line)["text"]
        for p in sorted((DATA_DIR / "reviews").glob("*.jsonl"))
        for line in p.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    return [f"{texts[i % len(texts)]} {i}" for i in range(n)]


def timed(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    """Median wall seconds of `fn()` over `repeat` runs."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def feature_rows(pipeline: Any, texts: list[str], repeat: int, n: int) -> list[tuple[str, float]]:
    """The feature step (the classifier's main cost) against sklearn's own transforms, which
    it reproduces (tests/test_chargrams.py), in batches of 1 and 64, in the same run."""
    features = pipeline.named_steps["features"]
    normalised = pipeline.named_steps["normalise"].transform(texts[:2048])

    def reference(batch: Any) -> Any:
        return sp.hstack([t.transform(batch) * w for _, t, w in features.transformers], "csr")

    rows = []
    for size, count in ((1, 500), (64, 2048)):
        batches = [normalised[i : i + size] for i in range(0, count, size)]
        for name, fn in (("sklearn's transforms", reference), ("FeatureStack", features.transform)):
            secs = timed(lambda fn=fn, bs=batches: [fn(b) for b in bs], repeat) / count
            rows.append((f"features only, {name}, batches of {size}", secs * n))
    return rows


def main() -> None:
    """Measure and print a Markdown table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    texts = reviews(args.n)
    lines = [json.dumps({"id": i, "text": t}, ensure_ascii=False) for i, t in enumerate(texts)]
    lexicon = load_lexicon()
    rules = Scorer(load_policy(DEFAULT_POLICY))
    normalise_for_scoring("گرم کردن")  # build hazm's normaliser outside the timings

    rows: list[tuple[str, float]] = []
    rows.append(
        (
            "normalise_for_scoring",
            timed(lambda: [normalise_for_scoring(t) for t in texts], args.repeat),
        )
    )
    rows.append(
        ("detectors (spans)", timed(lambda: [detect(t, lexicon) for t in texts], args.repeat))
    )
    def text_pipeline() -> None:
        # What `score` does apart from the classifier's arithmetic: JSON in and out, the
        # normaliser, the detectors, the edits and the policy.
        for t in texts:
            normalise_for_scoring(t)
        score_stream(rules, lines, io.StringIO())

    rows.append(
        (
            "text pipeline: `score` minus the classifier (JSON, normaliser, detectors, edits, "
            "policy)",
            timed(text_pipeline, args.repeat),
        )
    )
    model = load_default_model(None)
    if model is not None:
        scorer = Scorer(load_policy(DEFAULT_POLICY), model)
        rows.append(
            (
                f"full `score` with model {model.version}",
                timed(lambda: score_stream(scorer, lines, io.StringIO()), args.repeat),
            )
        )
        one = texts[:500]
        single = timed(lambda: [model.predict_scores([t]) for t in one], args.repeat) / len(one)
        rows.append(("classifier alone (normaliser included), one review per call",
                     single * args.n))
        batches = [texts[i : i + 64] for i in range(0, 2048, 64)]
        batched = timed(lambda: [model.predict_scores(b) for b in batches], args.repeat) / 2048
        rows.append(("classifier alone (normaliser included), batches of 64", batched * args.n))
        rows += feature_rows(model.pipeline, texts, args.repeat, args.n)

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, one thread; N={args.n}, median of {args.repeat}"
    )
    print("| stage | reviews/s | µs per review |")
    print("|---|---:|---:|")
    for name, secs in rows:
        print(f"| {name} | {args.n / secs:,.0f} | {secs / args.n * 1e6:,.0f} |")


if __name__ == "__main__":
    main()
