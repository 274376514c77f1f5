"""Character classes and one-to-one character tables used by the normalisers."""

import re
from collections.abc import Mapping
from typing import Any, Final


class CharMap:
    """A `str.translate` table that first looks whether the text holds a character it maps.

    `str.translate` looks every character of a text up in its table: ≈ 30 µs for a review of
    90 characters on these machines, and a review went through five such tables (the light
    view is built for the detectors and again for the normaliser, and hazm has its own). Most
    reviews hold none of the mapped characters (Arabic letter forms, Latin capitals, other
    digit scripts); a regex of them answers that in ≈ 1 µs, and such a text is returned as
    it is. Otherwise `str.translate` runs, so the result is always exactly its result.
    """

    def __init__(self, table: Mapping[int, Any]) -> None:
        self.table = dict(table)
        keys = "".join(re.escape(chr(k)) for k in sorted(self.table))
        self._mapped = re.compile(f"[{keys}]") if keys else None

    def __call__(self, text: str) -> str:
        if self._mapped is None or self._mapped.search(text) is None:
            return text
        return text.translate(self.table)


# Invisible characters abusers put inside words to break matching: zero-width space/joiner,
# word joiner, BOM, soft hyphen and the bidi controls. ZWNJ (U+200C) is legitimate Persian
# orthography (می‌خوام), so it is handled apart from these.
INVISIBLE: Final = frozenset(
    "\u200b\u200d\u2060\ufeff\u00ad\u180e"
    "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"
)
ZWNJ: Final = "\u200c"
TATWEEL: Final = "\u0640"
# Arabic harakat, tanwin, shadda, sukun, superscript alef and Quranic marks.
DIACRITICS: Final = frozenset(
    [chr(c) for c in range(0x064B, 0x0660)] + ["\u0670"] + [chr(c) for c in range(0x06D6, 0x06EE)]
)

PERSIAN_DIGITS: Final = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_DIGITS: Final = "٠١٢٣٤٥٦٧٨٩"
LATIN_DIGITS: Final = "0123456789"

# One-to-one maps (so offsets are unchanged): Arabic letter forms to Persian, every digit
# script to ASCII. Length-preserving on purpose: detectors run on this view of the text.
_LETTERS_SRC: Final = "يكىۀةؤإأٱئۍېﻻ"
_LETTERS_DST: Final = "یکیههوااایییل"
ONE_TO_ONE: Final = str.maketrans(
    _LETTERS_SRC + PERSIAN_DIGITS + ARABIC_DIGITS,
    _LETTERS_DST + LATIN_DIGITS + LATIN_DIGITS,
)

PERSIAN_LETTERS: Final = "آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"
PERSIAN_LETTER_SET: Final = frozenset(PERSIAN_LETTERS)
