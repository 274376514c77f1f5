"""Normalisation for scoring: the anti-evasion view, then hazm, then Finglish and digits."""

import re
from functools import lru_cache
from typing import Final

from hazm import Normalizer
from hazm.constants import TRANSLATION_DST, TRANSLATION_SRC
from hazm.utils import maketrans

from moderation.text.chars import ZWNJ, CharMap
from moderation.text.evasion import evasion_view
from moderation.text.finglish import to_persian

__all__ = ["evasion_view", "normalise_both", "normalise_for_scoring"]

_LATIN_WORD: Final = re.compile(r"[a-z]{2,}")
# Links, e-mails and handles become one placeholder word each before hazm (whose spacing
# correction would tear them apart): that a review has a link is what matters, not which.
_PLACEHOLDERS: Final = (
    (re.compile(r"[a-z0-9._%+\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)+"), " ایمیل "),
    (
        re.compile(
            r"(?:https?://|www\.)\S+|(?<![a-z0-9])t\s*\.\s*me\s*/\s*\S+"
            r"|(?<![a-z0-9@.\-])[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.(?:ir|com|net|org|me|io|co"
            r"|shop|store|online|site|xyz|app|info|biz)(?![a-z0-9])\S*"
        ),
        " لینک ",
    ),
    (re.compile(r"(?<![a-z0-9_.])@[a-z0-9_][a-z0-9_.]{2,31}"), " آیدی "),
)
_DIGITS: Final = re.compile(r"[0-9۰-۹]")
_SPACES: Final = re.compile(r"\s+")


class _CachedNormalizer(Normalizer):  # type: ignore[misc]
    """hazm's Normalizer with its character table built once instead of on every call.

    hazm 0.12 rebuilds the table per call: about 40% of its time (FACTS.md). Same steps, same
    order, same output; digits are folded by us, so hazm's Persian-digit step is off.
    """

    _table = CharMap(maketrans(TRANSLATION_SRC, TRANSLATION_DST))

    def normalize(self, text: str) -> str:
        text = self._table(text)
        text = self.persian_style(text)
        text = self.remove_diacritics(text)
        text = self.correct_spacing(text)
        text = self.unicodes_replacement(text)
        text = self.remove_specials_chars(text)
        text = self.decrease_repeated_chars(text)
        return str(self.seperate_mi(text))


@lru_cache(maxsize=1)
def _hazm() -> Normalizer:
    # Built once: constructing a Normalizer loads hazm's word lists.
    return _CachedNormalizer(persian_numbers=False)


def normalise_for_scoring(text: str) -> str:
    """The form the classifier sees: evasions undone, hazm-normalised, Finglish transliterated."""
    return normalise_both(text)[0]


def normalise_both(text: str) -> tuple[str, str]:
    """(`normalise_for_scoring(text)`, the anti-evasion view it was made from)."""
    evaded = evasion_view(text).text
    view = evaded
    for pattern, word in _PLACEHOLDERS:
        view = pattern.sub(word, view)
    view = _hazm().normalize(view).replace(ZWNJ, "")
    # Latin words are transliterated so "kheyli bade" and "خیلی بده" share features; model
    # names with digits stay as they are. Digits fold to 0: the shape of a number matters,
    # its value does not.
    view = _LATIN_WORD.sub(lambda m: to_persian(m.group()), view)
    view = _DIGITS.sub("0", view)
    return _SPACES.sub(" ", view).strip(), evaded
