"""The anti-evasion layer: undo the tricks used to hide words, keeping offsets."""

import re
from typing import Final

from moderation.text.chars import (
    DIACRITICS,
    INVISIBLE,
    ONE_TO_ONE,
    PERSIAN_LETTERS,
    TATWEEL,
    CharMap,
)
from moderation.text.mapped import MappedText

_LOWER: Final = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
# Letters and digits unified and Latin lowercased in one pass: the two tables' keys are
# disjoint, and neither maps to the other's keys.
_UNIFY: Final = CharMap({**ONE_TO_ONE, **_LOWER})
_DROP: Final = frozenset(INVISIBLE | DIACRITICS | {TATWEEL})
_L: Final = f"[{PERSIAN_LETTERS}a-z]"
_NOT_L: Final = f"(?<![{PERSIAN_LETTERS}a-z\u200c])"
_NOT_L_AFTER: Final = f"(?![{PERSIAN_LETTERS}a-z\u200c])"

# Single letters joined by punctuation: ک.ث.ا.ف.ت, خ-ر, ا_ح_م_ق, k*o*s (two letters suffice,
# since ordinary text never puts a dot or dash between two lone letters of a word).
_PUNCT_SEP: Final = r"\s*[.\-_*+|/~•·,،]+\s*"
_PUNCT_SPELLED: Final = re.compile(f"{_NOT_L}{_L}(?:{_PUNCT_SEP}{_L}{_NOT_L_AFTER})+")
# Single letters separated by spaces only: ا ح م ق. Three or more, so "و" between words and
# initials like "ب و" are left alone. Letters kept apart by ZWNJ (ب‌ک‌ش) are a run of their
# own: one pattern for both would join two such words and the space between them into one
# blob (measured with scripts/evasion.py: threat recall 0.89 -> 0.85 with every other word
# written this way).
_SPACE_SPELLED: Final = re.compile(f"{_NOT_L}{_L}(?:[ \t]+{_L}{_NOT_L_AFTER}){{2,}}")
_ZWNJ_SPELLED: Final = re.compile(
    f"{_NOT_L}{_L}(?:\u200c+{_L}(?![{PERSIAN_LETTERS}a-z])){{2,}}(?!\u200c)"
)
_LETTERS_ONLY: Final = re.compile(f"{_L}")
_WIDE_GAP: Final = re.compile(r"[ \t]{2,}")
# Elongation: a Persian letter three or more times becomes one (بیشعووووور), a Latin letter
# becomes two (Finglish writes long vowels doubled: khoob).
_PERSIAN_RUN: Final = re.compile(f"([{PERSIAN_LETTERS}])\\1{{2,}}")
_LATIN_RUN: Final = re.compile(r"([a-z])\1{2,}")


def _join_letters(m: re.Match[str]) -> str:
    return "".join(_LETTERS_ONLY.findall(m.group()))


def _join_spaced_words(m: re.Match[str]) -> str:
    # Writers who space out every letter mark the end of a word with a wider gap
    # («گ و ه  ت و  ا ی ن»): each word is joined on its own.
    return " ".join("".join(_LETTERS_ONLY.findall(w)) for w in _WIDE_GAP.split(m.group()))


def light_view(text: str) -> MappedText:
    """Letters and digits unified, Latin lowercased, invisible characters dropped.

    Detectors of numbers, e-mails and links read this view: joining letters or collapsing
    repeats would damage them (www, double digits).
    """
    return MappedText.of(text).translate(_UNIFY).drop(_DROP)


def evasion_view(text: str) -> MappedText:
    """The submitted text with evasions undone, as a `MappedText` whose spans map back."""
    return undo_evasion(light_view(text))


def undo_evasion(light: MappedText) -> MappedText:
    """Join spelled-out letters and collapse elongation in a light view."""
    mapped = light.sub(_PUNCT_SPELLED, _join_letters)
    mapped = mapped.sub(_ZWNJ_SPELLED, _join_letters)
    mapped = mapped.sub(_SPACE_SPELLED, _join_spaced_words)
    mapped = mapped.sub(_PERSIAN_RUN, lambda m: m.group(1))
    return mapped.sub(_LATIN_RUN, lambda m: m.group(1) * 2)
