"""The profanity lexicon: whole-word matches on the anti-evasion view, with an allowlist."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

from moderation.detect.spans import Span
from moderation.paths import LEXICON_DIR
from moderation.text.chars import PERSIAN_LETTERS, ZWNJ
from moderation.text.finglish import (
    is_finglish_word,
    latin_pattern,
    latin_skeleton,
    persian_skeleton,
)
from moderation.text.mapped import MappedText

_WORD: Final = re.compile(f"[{PERSIAN_LETTERS}ئءa-z\u200c']+")
_SQUEEZE: Final = re.compile(r"(.)\1+")
# Persian suffixes a word keeps its meaning under: plural, possessives, "you are", comparative,
# and the spoken object marker -و (احمقو = "the idiot", object).
_SUFFIXES: Final = (
    "هاتون", "هاشون", "های", "ها", "تون", "شون", "مون", "ترین", "تر", "اید", "ید", "ین",
    "ای", "یه", "ی", "ا", "ه", "ت", "ش", "و",
)  # fmt: skip
_LATIN_SUFFIXES: Final = ("haye", "ha", "aa", "am", "et", "esh", "i", "a", "e")
_SUFFIX_SET: Final = frozenset(_SUFFIXES)
_SUFFIX_LENGTHS: Final = sorted({len(s) for s in _SUFFIXES}, reverse=True)
_MAX_WORDS: Final = 4
_MIN_SUFFIXED: Final = 3  # shorter entries (کس, خر) only ever match exactly
_MIN_SKELETON: Final = 3  # shorter skeletons collide with ordinary words (khar ~ kheyr)
VALID_LABELS: Final = frozenset({"insult", "sexual", "hate"})
CUE_CATEGORIES: Final = (
    "drugs",
    "weapons",
    "forgery",
    "hacking",
    "surveillance",
    "carding",
    "data_selling",
    "laundering",
    "fraud",
    "theft",
    "smuggling",
    "solicitation",
    "violence",
    "group",
    "offplatform",
    "stolen_goods",
    "bribery",
    "gambling",
    "sex_work",
    "voyeurism",
    "extortion",
    "tax_evasion",
    "evasion_of_registry",
)


@lru_cache(maxsize=1 << 16)
def word_key(word: str) -> str:
    """The form words are compared in: no ZWNJ or apostrophe, doubled letters squeezed.

    Squeezing folds بیشعوور into بیشعور; it is skipped when it would leave fewer than three
    letters, where it would turn ordinary words into others (ممه and مه). Cached: reviews
    share most of their words, and every review's words are keyed several times (detectors,
    cue features).
    """
    word = word.replace(ZWNJ, "").replace("'", "")
    if is_finglish_word(word):
        return word  # Finglish doubles are spelling (koon, kon), not elongation
    squeezed = _SQUEEZE.sub(r"\1", word)
    return squeezed if len(squeezed) >= 3 else word


def words_of(text: str) -> list[tuple[str, int, int]]:
    """(key, start, end) of each word of `text`, keyed as lexicon entries are."""
    return [(word_key(m.group()), m.start(), m.end()) for m in _WORD.finditer(text)]


@dataclass(frozen=True, slots=True)
class Entry:
    """One lexicon line."""

    phrase: str
    severity: int
    label: str
    exact: bool = False
    skeleton: bool = True


@dataclass(slots=True)
class Lexicon:
    """Entries indexed by the key of their words, plus the allowlist."""

    entries: dict[tuple[str, ...], Entry] = field(default_factory=dict)
    first_words: set[str] = field(default_factory=set)  # of multi-word entries
    # Consonant skeleton -> entries with the Finglish spellings they accept (`latin_pattern`).
    skeletons: dict[str, list[tuple[Entry, re.Pattern[str]]]] = field(default_factory=dict)
    allow: frozenset[str] = frozenset()
    allow_phrases: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)

    def __setstate__(self, state: tuple[None, dict[str, Any]]) -> None:
        """Unpickle, upgrading lexicons saved inside older model artifacts.

        A trained model keeps the lexicons it was trained with (CueFeatures); those saved before
        the vowel check map a skeleton to a bare entry. Giving them their spelling patterns keeps
        such a model loadable (an admin may swap back to it) and fixes its Finglish matches too.
        """
        _, slots = state
        for name, value in slots.items():
            object.__setattr__(self, name, value)
        for skel, found in list(self.skeletons.items()):
            if isinstance(found, Entry):
                glued = "".join(word_key(w) for w in _WORD.findall(found.phrase.lower()))
                pattern = latin_pattern(glued)
                self.skeletons[skel] = [(found, pattern)] if pattern is not None else []

    def add(self, entry: Entry) -> None:
        """Index an entry under its words, and glued when it has several (مادر جنده)."""
        words = tuple(word_key(w) for w in _WORD.findall(entry.phrase.lower()))
        if not words:
            raise ValueError(f"lexicon entry without letters: {entry.phrase!r}")
        self.entries[words] = entry
        if len(words) > 1:
            self.first_words.add(words[0])
            self.entries.setdefault(("".join(words),), entry)
        glued = "".join(words)
        # Only Persian entries get a skeleton: it lets Finglish spellings of them match.
        # Latin entries are matched as written (their skeletons collide: sexy ~ iscsi).
        if is_finglish_word(glued) or not entry.skeleton or entry.exact:
            return
        skel = persian_skeleton(glued)
        pattern = latin_pattern(glued)
        if len(skel) >= _MIN_SKELETON and pattern is not None:
            self.skeletons.setdefault(skel, []).append((entry, pattern))

    def find(self, view: MappedText) -> list[Span]:
        """Spans of lexicon entries in the anti-evasion view of a review."""
        words = words_of(view.text)
        spans = []
        for entry, i, n in self.matches(words):
            a, b = view.original_span(words[i][1], words[i + n - 1][2])
            spans.append(Span(a, b, "profanity", entry.label, entry.severity))
        return spans

    def matches(self, words: list[tuple[str, int, int]]) -> list[tuple[Entry, int, int]]:
        """(entry, index of its first word, number of words) for each match in `words`."""
        found = []
        i = 0
        while i < len(words):
            skip = self._allowed_phrase_at(words, i)
            if skip:
                i += skip
                continue
            hit = self._match_at(words, i)
            if hit is None:
                i += 1
                continue
            entry, n = hit
            found.append((entry, i, n))
            i += n
        return found

    def _allowed_phrase_at(self, words: list[tuple[str, int, int]], i: int) -> int:
        for phrase in self.allow_phrases.get(words[i][0], ()):
            if tuple(w for w, _, _ in words[i : i + len(phrase)]) == phrase:
                return len(phrase)
        return 0

    def _match_at(self, words: list[tuple[str, int, int]], i: int) -> tuple[Entry, int] | None:
        key = words[i][0]
        if key in self.first_words:
            for n in range(min(_MAX_WORDS, len(words) - i), 1, -1):
                entry = self.entries.get(tuple(w for w, _, _ in words[i : i + n]))
                if entry is not None:
                    return entry, n
        if key in self.allow:
            return None
        entry = self.entries.get((key,))
        if entry is not None:
            return entry, 1
        for k in _SUFFIX_LENGTHS:
            if len(key) - k >= _MIN_SUFFIXED and key[-k:] in _SUFFIX_SET:
                entry = self.entries.get((key[:-k],))
                if entry is not None and not entry.exact:
                    return entry, 1
        if is_finglish_word(key):
            for suffix in _LATIN_SUFFIXES:
                stem = key[: -len(suffix)]
                if key.endswith(suffix) and len(stem) >= _MIN_SUFFIXED:
                    entry = self.entries.get((stem,))
                    if entry is not None and not entry.exact:
                        return entry, 1
            # The skeleton finds candidates cheaply; the vowels decide (konid is not کونده).
            for entry, pattern in self.skeletons.get(latin_skeleton(key), ()):
                if pattern.fullmatch(key):
                    return entry, 1
        return None


def parse_lexicon(
    lines: list[str], allow_lines: list[str], labels: Iterable[str] = VALID_LABELS
) -> Lexicon:
    """Build a lexicon from the lines of `profanity.tsv` (or `cues.tsv`) and `allowlist.txt`."""
    lex = Lexicon()
    singles: set[str] = set()
    for raw in allow_lines:
        if not raw.strip() or raw.startswith("#"):
            continue
        words = tuple(word_key(w) for w in _WORD.findall(raw.strip().lower()))
        if len(words) == 1:
            singles.add(words[0])
        elif words:
            lex.allow_phrases.setdefault(words[0], []).append(words)
    lex.allow = frozenset(singles)
    for number, raw in enumerate(lines, 1):
        line = raw.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) not in (3, 4) or not parts[1].isdigit() or parts[2] not in labels:
            raise ValueError(
                f"lexicon line {number} is not 'entry<TAB>severity<TAB>label': {line!r}"
            )
        flags = set(parts[3].split(",")) if len(parts) == 4 else set()
        lex.add(
            Entry(parts[0], int(parts[1]), parts[2], "exact" in flags, "noskeleton" not in flags)
        )
    return lex


@lru_cache(maxsize=4)
def load_lexicon(directory: Path = LEXICON_DIR) -> Lexicon:
    """Load and index the project's lexicon (cached: it is read once per process)."""
    profanity = (directory / "profanity.tsv").read_text(encoding="utf-8").splitlines()
    allow = (directory / "allowlist.txt").read_text(encoding="utf-8").splitlines()
    return parse_lexicon(profanity, allow)


@lru_cache(maxsize=4)
def load_cues(directory: Path = LEXICON_DIR) -> Lexicon:
    """The cue lexicon (`cues.tsv`): evidence words by category, for the classifier."""
    cues = (directory / "cues.tsv").read_text(encoding="utf-8").splitlines()
    allow = (directory / "allowlist.txt").read_text(encoding="utf-8").splitlines()
    return parse_lexicon(cues, allow, CUE_CATEGORIES)
