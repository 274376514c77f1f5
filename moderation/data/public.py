"""Loaders for the public Persian moderation datasets (shared/datasets, data/external).

Each source folder is described by its own SOURCE.md (origin, licence, format, caveats). The
loaders read the files as found, map the source's labels onto ours (`moderation.labels.LABELS`)
and return `Example`s with a train/val/test split. Standard library only.

Label mapping (`LABEL_MAP`; an empty set means clean):

| source                  | file(s)                                | source label | our labels |
|-------------------------|----------------------------------------|--------------|------------|
| pars-off                | Pars-OFF_levela_{train,test}.csv       | OFF          | {insult}   |
|                         |                                        | NOT          | {}         |
| parsoffensive           | ParsOffensive.csv                      | Offensive    | {insult}   |
|                         |                                        | Neutral      | {}         |
| phate                   | {train,val,test}_simple.csv (0/1 cols) | Hate=1       | + hate     |
|                         |                                        | Violenc=1    | + threat   |
|                         |                                        | Vulgar=1     | + insult   |
|                         |                                        | all three 0  | {}         |
| sharif-spam-emails      | sharif_spam_corpus.csv                 | spam         | {spam}     |
|                         |                                        | ham          | {}         |
| parsinlu-food-sentiment | food.jsonl (+ food_dev/test for split) | any review   | {}         |
| pars-absa-test          | Pars-ABSA_test.txt                     | any review   | {}         |

Notes on the mapping:

- phate `Vulgar` also covers sexual vulgarity, but without a lexicon we cannot tell the two
  apart, so it maps to `insult` only (never `sexual`). `HateSpeech` is ignored: it is
  max(Violenc, Hate, Vulgar). The one row where it disagrees (HateSpeech=1, all three 0) is
  dropped: calling it clean would contradict the annotators, and we cannot tell which label.
- No public source has `sexual`, `personal_info` or `criminal` labels.
- The two review sources have no moderation labels; they are in-domain clean text (they include
  harsh but legitimate complaints), used to measure false positives.
- persian-swear-words is a lexicon, not labelled examples: see `load_swear_words`.

Splits: phate keeps its files' splits (its README swaps the val/test sizes; the files are
right). pars-off and sharif-spam-emails keep their test split and carve val as 10% of train
by a hash of the normalised text; parsoffensive has no split and is cut 80/10/10 the same
way; ParsiNLU's official dev/test reviews are matched back into food.jsonl; Pars-ABSA is
test only.

Deduplication (`dedupe`) uses `text_key`: strip, collapse whitespace, ي→ی, ك→ک, and remove
ZWNJ and other zero-width/bidi characters. Within a source, a key seen with different label
sets is a conflict and every copy is dropped. A text is kept in one split only, test beating
val beating train, so no evaluation text leaks into training. Across sources the same split
rule applies first, then the first copy in `SOURCES` order wins (label disagreements between
sources are not conflicts: the guidelines differ, so the earlier source is trusted).

`Example.text` is the source text minus outer whitespace and stray U+FEFF (`clean_text`);
everything else (ZWNJ, Arabic letter forms, @USER masks, URLs) is left for the normaliser.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, NamedTuple

from moderation.labels import LABELS

log = logging.getLogger(__name__)

SPLITS: Final[tuple[str, ...]] = ("train", "val", "test")
# Higher wins when one text is found in several splits: evaluation sets stay intact.
_SPLIT_RANK: Final[dict[str, int]] = {"train": 0, "val": 1, "test": 2}
_LABEL_SET: Final = frozenset(LABELS)
_CLEAN: Final[frozenset[str]] = frozenset()
_NO_LICENCE: Final = "none stated"

# Repo root = parent of the `moderation` package directory.
_REPO_ROOT: Final = Path(__file__).resolve().parents[2]

LABEL_MAP: Final[dict[str, dict[str, frozenset[str]]]] = {
    "pars-off": {"OFF": frozenset({"insult"}), "NOT": _CLEAN},
    "parsoffensive": {"Offensive": frozenset({"insult"}), "Neutral": _CLEAN},
    # Column name -> labels added when the column is 1.
    "phate": {
        "Hate": frozenset({"hate"}),
        "Violenc": frozenset({"threat"}),
        "Vulgar": frozenset({"insult"}),
    },
    "sharif-spam-emails": {"spam": frozenset({"spam"}), "ham": _CLEAN},
    # "*": every row, whatever its sentiment.
    "parsinlu-food-sentiment": {"*": _CLEAN},
    "pars-absa-test": {"*": _CLEAN},
}

SWEAR_WORDS_FOLDER: Final = "persian-swear-words"
SWEAR_WORDS_LICENCE: Final = "Apache-2.0"


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled text; `labels` is a subset of LABELS, empty for clean."""

    id: str
    text: str
    labels: frozenset[str]
    split: str
    source: str
    licence: str

    def __post_init__(self) -> None:
        if not self.labels <= _LABEL_SET:
            raise ValueError(f"{self.id}: unknown labels {sorted(self.labels - _LABEL_SET)}")
        if self.split not in _SPLIT_RANK:
            raise ValueError(f"{self.id}: unknown split {self.split!r}")


class RawRow(NamedTuple):
    """What a source loader yields: `ref` is the part of the id after `source:`."""

    ref: str
    text: str
    labels: frozenset[str]
    split: str


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """Where a source lives, its licence as found, and how to read it."""

    folder: str
    licence: str
    commercial_ok: bool
    loader: Callable[[Path], list[RawRow]]
    # Real personal messages inside (e.g. ham e-mails): never log or show texts from it.
    sensitive: bool = False
    # Social-media posts: mentions, links and retweet marks are platform debris (see
    # `strip_platform_artifacts`), not part of what was said.
    social: bool = False


# ---------------------------------------------------------------------------- text helpers

# Zero-width and bidi characters: they vary between copies of the same text.
_INVISIBLE: Final = (
    "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad\u061c"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_KEY_TABLE: Final = str.maketrans({"ي": "ی", "ك": "ک"} | dict.fromkeys(_INVISIBLE))
_SPACES: Final = re.compile(r"\s+")


def text_key(text: str) -> str:
    """Return the dedupe key of a text (see the module docstring)."""
    return _SPACES.sub(" ", text.translate(_KEY_TABLE)).strip()


def hash_bucket(text: str) -> int:
    """Return a stable bucket 0..99 for a text, from the SHA-1 of its `text_key`."""
    # Hash the key, not the raw text, so near-duplicates always land in the same split.
    digest = hashlib.sha1(text_key(text).encode("utf-8"), usedforsecurity=False).digest()
    return int.from_bytes(digest[:8], "big") % 100


def clean_text(text: str) -> str:
    """Return the text as stored in `Example.text`: outer whitespace and every U+FEFF removed."""
    # Stray BOMs sit inside real rows (Pars-ABSA line starts, Sharif e-mail bodies): they are
    # file-format debris, never content.
    return text.replace("\ufeff", "").strip()


_ARTIFACTS: Final = re.compile(
    r"@USER:?|@URL|\bRT\b:?|https?://\S+|(?<![\w.])@[A-Za-z0-9_]{1,30}:?|pic\.twitter\.com/\S+"
)


_RUN_OF_SPACES: Final = re.compile(r"[ \t]{2,}| +(?=\n)|(?<=\n) +")


def strip_platform_artifacts(text: str) -> str:
    """Remove mention and link masks (@USER, @URL), raw handles, links and retweet marks.

    In tweets these are how the platform works, not content: left in, they would teach the
    model that a link or a handle is normal, while in a store's reviews it is spam.
    """
    return _RUN_OF_SPACES.sub(" ", _ARTIFACTS.sub(" ", text)).strip()


def _text_id(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:12]


def _carve_val(text: str) -> str:
    """Split for a row of an official train file: 10% becomes val."""
    return "val" if hash_bucket(text) < 10 else "train"


def _read_csv(path: Path, required: Iterable[str]) -> Iterator[dict[str, str]]:
    # utf-8-sig: Pars-OFF has a BOM, the others do not; newline="" keeps quoted newlines.
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = set(required) - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: missing columns {sorted(missing)}")
        yield from reader


def _label(source: str, value: str, path: Path) -> frozenset[str]:
    try:
        return LABEL_MAP[source][value]
    except KeyError:
        # A new label value means the file format changed: fail rather than guess.
        raise ValueError(f"{path}: unexpected label {value!r}") from None


# -------------------------------------------------------------------------------- loaders


def _load_pars_off(folder: Path) -> list[RawRow]:
    rows: list[RawRow] = []
    nulls = 0
    for split in ("train", "test"):
        path = folder / f"Pars-OFF_levela_{split}.csv"
        for i, rec in enumerate(_read_csv(path, ("tweet", "label"))):
            tweet, label = rec["tweet"], rec["label"].strip()
            # Pars-OFF writes missing values as the literal string NULL.
            if "NULL" in (tweet.strip(), label):
                nulls += 1
                continue
            final = _carve_val(tweet) if split == "train" else "test"
            rows.append(RawRow(f"{split}-{i}", tweet, _label("pars-off", label, path), final))
    if nulls:
        log.info("pars-off: skipped %d rows with NULL text or label", nulls)
    return rows


def _load_parsoffensive(folder: Path) -> list[RawRow]:
    path = folder / "ParsOffensive.csv"
    rows: list[RawRow] = []
    for i, rec in enumerate(_read_csv(path, ("comment", "label"))):
        comment = rec["comment"]
        labels = _label("parsoffensive", rec["label"].strip(), path)
        # No official split: 80/10/10 by hash, so duplicates share a split.
        bucket = hash_bucket(comment)
        split = "train" if bucket < 80 else "val" if bucket < 90 else "test"
        rows.append(RawRow(str(i), comment, labels, split))
    return rows


def _load_phate(folder: Path) -> list[RawRow]:
    columns = LABEL_MAP["phate"]
    rows: list[RawRow] = []
    inconsistent = 0
    for split in SPLITS:
        path = folder / f"{split}_simple.csv"
        for rec in _read_csv(path, ("tweet_id", "text", "HateSpeech", *columns)):
            labels = frozenset().union(*(v for k, v in columns.items() if rec[k].strip() == "1"))
            if not labels and rec["HateSpeech"].strip() == "1":
                inconsistent += 1
                continue
            rows.append(RawRow(rec["tweet_id"].strip(), rec["text"], labels, split))
    if inconsistent:
        log.info("phate: dropped %d rows with HateSpeech=1 but no category", inconsistent)
    return rows


def _load_sharif(folder: Path) -> list[RawRow]:
    path = folder / "sharif_spam_corpus.csv"
    rows: list[RawRow] = []
    for rec in _read_csv(path, ("text", "label", "split", "source_path")):
        split = rec["split"].strip()
        if split not in ("train", "test"):
            raise ValueError(f"{path}: unexpected split {split!r}")
        final = _carve_val(rec["text"]) if split == "train" else "test"
        labels = _label("sharif-spam-emails", rec["label"].strip(), path)
        rows.append(RawRow(rec["source_path"], rec["text"], labels, final))
    return rows


def _read_jsonl(path: Path) -> Iterator[dict[str, object]]:
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def _load_parsinlu_food(folder: Path) -> list[RawRow]:
    # food_dev/test repeat each review once per aspect question; only the review text is needed.
    dev = {text_key(str(r["review"])) for r in _read_jsonl(folder / "food_dev.jsonl")}
    test = {text_key(str(r["review"])) for r in _read_jsonl(folder / "food_test.jsonl")}
    rows: list[RawRow] = []
    for i, rec in enumerate(_read_jsonl(folder / "food.jsonl")):
        review = str(rec["review"])
        key = text_key(review)
        split = "test" if key in test else "val" if key in dev else "train"
        rows.append(RawRow(str(i), review, LABEL_MAP["parsinlu-food-sentiment"]["*"], split))
    return rows


def _load_pars_absa(folder: Path) -> list[RawRow]:
    path = folder / "Pars-ABSA_test.txt"
    # Split on "\n" and drop "\r" ourselves: universal newlines or str.splitlines() would also
    # break on a stray "\r" or U+2028 inside a review.
    with path.open(encoding="utf-8-sig", newline="") as f:
        lines = [line.removesuffix("\r") for line in f.read().split("\n")]
    while lines and not lines[-1].strip():
        lines.pop()
    if len(lines) % 3:
        raise ValueError(f"{path}: {len(lines)} lines is not a multiple of 3")
    rows: list[RawRow] = []
    for i in range(0, len(lines), 3):
        # One sample in the real file has no $T$; its text is then used unchanged.
        text = clean_text(lines[i].replace("$T$", lines[i + 1].strip()))
        rows.append(RawRow(_text_id(text), text, LABEL_MAP["pars-absa-test"]["*"], "test"))
    return rows


SOURCES: Final[dict[str, SourceInfo]] = {
    "pars-off": SourceInfo("pars-off", _NO_LICENCE, False, _load_pars_off, social=True),
    "parsoffensive": SourceInfo(
        "parsoffensive", _NO_LICENCE, False, _load_parsoffensive, social=True
    ),
    "phate": SourceInfo("phate", _NO_LICENCE, False, _load_phate, social=True),
    "sharif-spam-emails": SourceInfo(
        "sharif-spam-emails", _NO_LICENCE, False, _load_sharif, sensitive=True
    ),
    "parsinlu-food-sentiment": SourceInfo(
        "parsinlu-food-sentiment", "CC BY-NC-SA 4.0", False, _load_parsinlu_food
    ),
    "pars-absa-test": SourceInfo("pars-absa-test", _NO_LICENCE, False, _load_pars_absa),
}


# ------------------------------------------------------------------------------ public API


def default_roots() -> list[Path]:
    """Return the dataset roots: $MODERATION_DATASETS or ../shared/datasets, then data/external."""
    env = os.environ.get("MODERATION_DATASETS")
    if env:
        first = [Path(p).expanduser() for p in env.split(os.pathsep) if p]
    else:
        first = [_REPO_ROOT.parent / "shared" / "datasets"]
    return [*first, _REPO_ROOT / "data" / "external"]


def dedupe(examples: Iterable[Example]) -> tuple[list[Example], Counter[str]]:
    """Drop conflicts, duplicates and split leaks (module docstring); return kept rows and counts.

    Counts: `empty` rows with no text, `conflict` texts (and `conflict_rows` rows) dropped for
    disagreeing labels within a source, `duplicate` repeats within a source, `split_leak` texts
    found in several splits, `cross_source` copies dropped because another source had the text.
    """
    counts: Counter[str] = Counter()
    # Pass 1, within each source: group by (source, key), first-seen order.
    by_source: dict[tuple[str, str], list[Example]] = {}
    for ex in examples:
        key = text_key(ex.text)
        if not key:
            counts["empty"] += 1
            continue
        by_source.setdefault((ex.source, key), []).append(ex)

    # Pass 2, across sources: group the survivors by key alone.
    by_key: dict[str, list[Example]] = {}
    for (_, key), group in by_source.items():
        if len({ex.labels for ex in group}) > 1:
            counts["conflict"] += 1
            counts["conflict_rows"] += len(group)
            continue
        counts["duplicate"] += len(group) - 1
        if len({ex.split for ex in group}) > 1:
            counts["split_leak"] += 1
        by_key.setdefault(key, []).append(_best(group))

    kept: list[Example] = []
    for group in by_key.values():
        counts["cross_source"] += len(group) - 1
        kept.append(_best(group))
    return kept, +counts  # unary + drops the zero entries


def _best(group: list[Example]) -> Example:
    # max() keeps the first of equals, so ties go to the earlier row / source.
    return max(group, key=lambda ex: _SPLIT_RANK[ex.split])


def load_source(name: str, root: Path) -> list[Example]:
    """Load one source from `root/<folder>`, mapped, split and deduped within the source."""
    info = SOURCES[name]
    raw = info.loader(root / info.folder)

    def text_of(row: RawRow) -> str:
        text = clean_text(row.text)
        return strip_platform_artifacts(text) if info.social else text

    examples = [
        Example(f"{name}:{r.ref}", text_of(r), r.labels, r.split, name, info.licence) for r in raw
    ]
    kept, counts = dedupe(examples)
    log.info("%s: %d rows read, %d kept %s", name, len(raw), len(kept), dict(counts))
    return kept


def load_public(
    roots: Sequence[Path] | None = None,
    *,
    names: Iterable[str] | None = None,
    commercial_only: bool = False,
) -> list[Example]:
    """Load the chosen sources from the first root holding each, deduped across sources."""
    search = list(roots) if roots is not None else default_roots()
    wanted = set(SOURCES) if names is None else set(names)
    unknown = wanted - set(SOURCES)
    if unknown:
        raise KeyError(f"unknown sources {sorted(unknown)}; known: {sorted(SOURCES)}")
    examples: list[Example] = []
    # SOURCES order, not the caller's, so "keep the first" is deterministic.
    for name, info in SOURCES.items():
        if name not in wanted or (commercial_only and not info.commercial_ok):
            continue
        root = next((r for r in search if (r / info.folder).is_dir()), None)
        if root is None:
            log.info("%s: folder %r not found in %s; skipped", name, info.folder, search)
            continue
        examples.extend(load_source(name, root))
    kept, counts = dedupe(examples)
    log.info("public: %d examples kept of %d %s", len(kept), len(examples), dict(counts))
    return kept


def load_swear_words(root: Path) -> list[str]:
    """Return the persian-swear-words lexicon (Apache-2.0) from `root`, stripped and unique."""
    path = root / SWEAR_WORDS_FOLDER / "data.json"
    with path.open(encoding="utf-8-sig") as f:
        data = json.load(f)
    words = (str(w).strip() for w in data["word"])
    return list(dict.fromkeys(w for w in words if w))


def stats(examples: Iterable[Example]) -> dict[str, dict[str, dict[str, int]]]:
    """Count examples per source x split: `total`, `clean` and one entry per label."""
    counts: dict[str, dict[str, Counter[str]]] = {}
    for ex in examples:
        c = counts.setdefault(ex.source, {}).setdefault(ex.split, Counter())
        c["total"] += 1
        c.update(ex.labels or ("clean",))
    # Fixed key order (splits, then total/clean/LABELS) so the table prints the same every time.
    return {
        source: {
            split: {k: by_split[split][k] for k in ("total", "clean", *LABELS)}
            for split in SPLITS
            if split in by_split
        }
        for source, by_split in counts.items()
    }
