"""The project's own labelled reviews (data/reviews): the corpus the model's figures rest on."""

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

from moderation.data.own import (
    REVIEWS_DIR,
    SOURCE,
    UNSEEN_DIR,
    load_labelled_file,
    load_labelled_files,
    load_own,
    split_for,
)
from moderation.labels import LABELS


def _key(text: str) -> str:
    """The text with case, spacing, half-spaces and Arabic letter forms folded away (an
    obfuscated spelling such as ک.ی.ر.م stays a different review: it tests something else)."""
    text = unicodedata.normalize("NFKC", text).replace("ي", "ی").replace("ك", "ک")
    return re.sub(r"[\s\u200c\u200f]+", "", text).lower()


def test_every_review_loads_with_known_labels_and_its_fixed_split() -> None:
    reviews = load_own()
    assert len(reviews) > 10_000
    for review in reviews:
        assert review.labels <= set(LABELS)
        # The split follows from the id, so a review never moves between train and test.
        assert review.split == split_for(review.id.removeprefix(f"{SOURCE}:")), review.id


def test_no_text_is_written_twice_across_files() -> None:
    """A near-copy in train and test, or in training and the unseen writers' files, would make
    the figures a memory test."""
    seen: dict[str, str] = {}
    clashes = []
    for path in sorted(REVIEWS_DIR.glob("*.jsonl")) + sorted(UNSEEN_DIR.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                key = _key(record["text"])
                if key in seen:
                    clashes.append((seen[key], record["id"]))
                seen[key] = record["id"]
    assert clashes == []


def test_every_label_has_test_reviews_and_clean_ones_are_common() -> None:
    test = [r for r in load_own() if r.split == "test"]
    counts = Counter(label for r in test for label in r.labels)
    assert all(counts[label] >= 50 for label in LABELS), counts
    assert sum(1 for r in test if not r.labels) >= 500


def test_unseen_writers_are_kept_out_of_training() -> None:
    unseen = {
        json.loads(line)["id"]
        for path in UNSEEN_DIR.glob("*.jsonl")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    }
    assert len(unseen) > 1_000
    trained = {r.id.removeprefix(f"{SOURCE}:") for r in load_own()}
    assert unseen.isdisjoint(trained)


def test_a_labelled_file_keeps_each_records_split_else_is_test(tmp_path: Path) -> None:
    """`scripts/unseen_writers.py --split` and `scripts/evasion.py --split` read files this way."""
    path = tmp_path / "held_out.jsonl"
    path.write_text(
        json.dumps({"id": "a", "text": "مودم خوبیه", "labels": [], "split": "val"}) + "\n"
        + json.dumps({"id": "b", "text": "شیشه داریم", "labels": ["criminal"]}) + "\n",
        encoding="utf-8",
    )
    rows = load_labelled_file(path)
    assert [(r.split, r.labels) for r in rows] == [
        ("val", frozenset()),
        ("test", frozenset({"criminal"})),
    ]
    # --split keeps that split of every file given.
    assert [r.text for r in load_labelled_files([path, path], "val")] == ["مودم خوبیه"] * 2
    assert len(load_labelled_files([path])) == 2
