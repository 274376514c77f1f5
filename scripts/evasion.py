"""How a shipped model holds up when writers hide words: recall per label under each evasion.

Each transform rewrites, with probability `--share`, every Persian word of three letters or
more in every review (seeded, so two models see the same rewritten texts): zero-width
characters between letters, ZWNJ between letters, tatweel, a repeated letter, letters joined
by dots, letters spelled with spaces (and with a wider gap around each such word, as
writers who do this mark word ends), a word split in two by a space, Arabic ي/ك, and a
diacritic. The whole system (model + detectors) is scored at the model's own thresholds;
the last column is the share of clean reviews flagged for anything but personal data, which
an evasion must not raise either. Finglish is not generated: a machine transliteration is
not how people write it (round 6's `chat_6` and the blind rounds have real Finglish).

Run: `.venv/bin/python scripts/evasion.py 2026-11-25.8 data/unseen/blind_12*.jsonl`
(`--split val` keeps one split, to compare candidate models on validation reviews).
"""

from __future__ import annotations

import argparse
import random
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np

from moderation.classifier.artifact import load_model
from moderation.classifier.pipeline import label_matrix
from moderation.classifier.system import system_scores
from moderation.data.own import load_labelled_files
from moderation.labels import LABELS
from moderation.paths import MODELS_DIR

_WORD = re.compile("[آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی]{3,}")

Rewrite = Callable[[str, random.Random], str]


def per_word(fn: Callable[[str], str], share: float) -> Rewrite:
    """Apply `fn` to each long Persian word with probability `share`."""

    def rewrite(text: str, rng: random.Random) -> str:
        return _WORD.sub(lambda m: fn(m.group()) if rng.random() < share else m.group(), text)

    return rewrite


def transforms(share: float) -> dict[str, Rewrite]:
    """The evasions measured, by name; "none" is the text as written."""
    return {
        "none": lambda text, rng: text,
        "zero-width": per_word(lambda w: "\u200b".join(w), share),
        "zwnj": per_word(lambda w: "\u200c".join(w), share),
        "tatweel": per_word(lambda w: w[0] + "ـــ" + w[1:], share),
        "repeat": per_word(lambda w: w[:2] + w[1] * 3 + w[2:], share),
        "dots": per_word(lambda w: ".".join(w), share),
        "spaces": per_word(lambda w: " ".join(w), share),
        "spaces, wide gaps": per_word(lambda w: " " + " ".join(w) + " ", share),
        "split": per_word(lambda w: w[: len(w) // 2] + " " + w[len(w) // 2 :], share),
        "arabic": lambda text, rng: text.replace("ی", "ي").replace("ک", "ك"),
        "diacritic": per_word(lambda w: w[0] + "\u064e" + w[1:], share),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="model version")
    parser.add_argument("files", nargs="+", type=Path, help="labelled JSONL (id, text, labels)")
    parser.add_argument("--share", type=float, default=0.5, help="share of words rewritten")
    parser.add_argument("--split", choices=("train", "val", "test"), default=None)
    parser.add_argument("--models-dir", type=Path, default=MODELS_DIR)
    args = parser.parse_args()

    model = load_model(args.model, args.models_dir)
    rows = load_labelled_files(args.files, args.split)
    y = label_matrix([r.labels for r in rows])
    thresholds = np.array([model.thresholds[label] for label in LABELS])
    clean = y.sum(axis=1) == 0
    not_pi = np.arange(len(LABELS)) != LABELS.index("personal_info")
    print(f"model {model.version} on {len(rows)} reviews; share of words rewritten {args.share}")
    print(f"{'evasion':18s}" + "".join(f"{label[:8]:>9s}" for label in LABELS) + "  clean flagged")
    for name, rewrite in transforms(args.share).items():
        rng = random.Random(7)
        flagged = system_scores(model.pipeline, [rewrite(r.text, rng) for r in rows]) >= (
            thresholds
        )
        recall = [
            (flagged[:, j] & (y[:, j] == 1)).sum() / max(y[:, j].sum(), 1)
            for j in range(len(LABELS))
        ]
        false_flags = (flagged & not_pi).any(axis=1)[clean].mean()
        print(f"{name:18s}" + "".join(f"{r:9.2f}" for r in recall) + f"  {false_flags:13.3f}")


if __name__ == "__main__":
    main()
