"""Our own in-domain reviews (data/reviews/*.jsonl), written for this project."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Final

from moderation.data.public import Example
from moderation.labels import LABELS
from moderation.paths import DATA_DIR

SOURCE: Final = "negahban-reviews"
LICENCE: Final = "project-owned (written for Negahban)"
REVIEWS_DIR: Final = DATA_DIR / "reviews"
# Reviews from writers no model may train on: they measure how a model does on new writers
# (`scripts/unseen_writers.py`), so nothing here is ever loaded for training or thresholds.
UNSEEN_DIR: Final = DATA_DIR / "unseen"
FIELDS: Final = ("id", "text", "labels", "split", "source", "notes")


def split_for(review_id: str) -> str:
    """The split of a review, fixed by its id: 70% train, 15% val, 15% test."""
    bucket = int(hashlib.sha256(review_id.encode()).hexdigest()[:8], 16) % 100
    return "train" if bucket < 70 else "val" if bucket < 85 else "test"


def _records(path: Path) -> Iterator[dict[str, object]]:
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path.name} line {number}: not JSON ({exc.msg})") from exc
            if not isinstance(record, dict):
                raise ValueError(f"{path.name} line {number}: not a JSON object")
            yield record


def load_own(directory: Path = REVIEWS_DIR) -> list[Example]:
    """Every review in `directory/*.jsonl`, validated; the split is the file's or `split_for`."""
    out: list[Example] = []
    seen: set[str] = set()
    for path in sorted(directory.glob("*.jsonl")):
        for record in _records(path):
            rid, text, labels = record.get("id"), record.get("text"), record.get("labels")
            if not isinstance(rid, str) or not isinstance(text, str) or not text.strip():
                raise ValueError(f"{path.name}: every review needs a string id and a text")
            if rid in seen:
                raise ValueError(f"{path.name}: duplicate id {rid}")
            seen.add(rid)
            if not isinstance(labels, list) or not set(labels) <= set(LABELS):
                raise ValueError(f"{path.name} {rid}: labels must be a list of {LABELS}")
            split = record.get("split") or split_for(rid)
            out.append(
                Example(f"{SOURCE}:{rid}", text, frozenset(labels), str(split), SOURCE, LICENCE)
            )
    return out


def load_labelled_file(path: Path) -> list[Example]:
    """Any labelled JSONL (`id`, `text`, `labels`), e.g. a held-out set: test examples unless a
    record names its own `split` (our reviews do)."""
    out = []
    for number, record in enumerate(_records(path), 1):
        text, labels = record.get("text"), record.get("labels", [])
        if not isinstance(text, str) or not isinstance(labels, list):
            raise ValueError(f"{path.name} record {number}: needs a text and a list of labels")
        unknown = set(labels) - set(LABELS)
        if unknown:
            raise ValueError(f"{path.name} record {number}: unknown labels {sorted(unknown)}")
        rid = str(record.get("id", number))
        out.append(
            Example(
                f"{path.stem}:{rid}",
                text,
                frozenset(labels),
                str(record.get("split") or "test"),
                path.stem,
                "as supplied",
            )
        )
    return out


def load_labelled_files(paths: Iterable[Path], split: str | None = None) -> list[Example]:
    """`load_labelled_file` over several files, keeping one split when `split` is given."""
    rows = [e for path in paths for e in load_labelled_file(path)]
    return rows if split is None else [e for e in rows if e.split == split]
