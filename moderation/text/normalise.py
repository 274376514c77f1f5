"""Normalisation for scoring: the anti-evasion view, then hazm, then Finglish and digits."""

import re
from functools import lru_cache
from typing import Final

from hazm import Normalizer

from moderation.text.chars import ZWNJ
from moderation.text.evasion import evasion_view
from moderation.text.finglish import to_persian

__all__ = ["evasion_view", "normalise_for_scoring"]

_LATIN_WORD: Final = re.compile(r"[a-z]{2,}")
_DIGITS: Final = re.compile(r"[0-9۰-۹]")
_SPACES: Final = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _hazm() -> Normalizer:
    # Built once: constructing a Normalizer loads hazm's word list (FACTS.md). Digits are
    # folded by us below, so hazm's Persian-digit step is switched off.
    return Normalizer(persian_numbers=False)


def normalise_for_scoring(text: str) -> str:
    """The form the classifier sees: evasions undone, hazm-normalised, Finglish transliterated."""
    view = evasion_view(text).text
    view = _hazm().normalize(view).replace(ZWNJ, "")
    # Latin words are transliterated so "kheyli bade" and "خیلی بده" share features; model
    # names with digits stay as they are. Digits fold to 0: the shape of a number matters,
    # its value does not.
    view = _LATIN_WORD.sub(lambda m: to_persian(m.group()), view)
    view = _DIGITS.sub("0", view)
    return _SPACES.sub(" ", view).strip()
