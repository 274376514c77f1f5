"""Finglish (Persian written in Latin letters): a rough transliteration and a sound skeleton."""

import re
from functools import lru_cache
from typing import Final

_LATIN_WORD: Final = re.compile(r"[a-z]{2,}")

# Longest digraphs first, so "kh" is read before "k".
_TO_PERSIAN: Final = (
    ("kh", "خ"),
    ("sh", "ش"),
    ("ch", "چ"),
    ("gh", "ق"),
    ("zh", "ژ"),
    ("oo", "و"),
    ("ou", "و"),
    ("ee", "ی"),
    ("ei", "ی"),
    ("ey", "ی"),
    ("ai", "ای"),
    ("b", "ب"),
    ("p", "پ"),
    ("t", "ت"),
    ("j", "ج"),
    ("h", "ه"),
    ("d", "د"),
    ("r", "ر"),
    ("z", "ز"),
    ("s", "س"),
    ("f", "ف"),
    ("q", "ق"),
    ("k", "ک"),
    ("c", "ک"),
    ("g", "گ"),
    ("l", "ل"),
    ("m", "م"),
    ("n", "ن"),
    ("v", "و"),
    ("w", "و"),
    ("y", "ی"),
    ("x", "کس"),
    ("a", "ا"),
    ("i", "ی"),
    ("u", "و"),
    ("o", "و"),
    ("e", ""),
)
_TOKEN: Final = re.compile("|".join(re.escape(s) for s, _ in _TO_PERSIAN))
_MAP: Final = dict(_TO_PERSIAN)

# The skeleton keeps consonants only, folded by sound, because Finglish writes short vowels
# that Persian script omits and Persian has several letters for one sound (س ص ث).
_PERSIAN_SOUND: Final = str.maketrans(
    {
        "ب": "b",
        "پ": "p",
        "ت": "t",
        "ط": "t",
        "ث": "s",
        "س": "s",
        "ص": "s",
        "ج": "j",
        "چ": "c",
        "ح": "h",
        "خ": "x",
        "د": "d",
        "ذ": "z",
        "ز": "z",
        "ض": "z",
        "ظ": "z",
        "ر": "r",
        "ژ": "Z",
        "ش": "S",
        "غ": "q",
        "ق": "q",
        "ف": "f",
        "ک": "k",
        "گ": "g",
        "ل": "l",
        "م": "m",
        "ن": "n",
        "ه": "h",
        "ا": None,
        "آ": None,
        "و": None,
        "ی": None,
        "ع": None,
        "ء": None,
        "\u200c": None,
    }
)
_LATIN_SOUND: Final = (
    ("kh", "x"),
    ("sh", "S"),
    ("ch", "c"),
    ("gh", "q"),
    ("zh", "Z"),
    ("c", "k"),
    ("x", "ks"),
    ("w", ""),
    ("v", ""),
    ("y", ""),
    ("'", ""),
    ("a", ""),
    ("e", ""),
    ("i", ""),
    ("o", ""),
    ("u", ""),
)
_LATIN_SOUND_RE: Final = re.compile("|".join(re.escape(s) for s, _ in _LATIN_SOUND))
_LATIN_SOUND_MAP: Final = dict(_LATIN_SOUND)


def is_finglish_word(token: str) -> bool:
    """True for a lowercase Latin-letter token of two or more letters."""
    return _LATIN_WORD.fullmatch(token) is not None


@lru_cache(maxsize=65536)
def to_persian(word: str) -> str:
    """Transliterate one lowercase Latin word to an approximate Persian spelling."""
    out = _TOKEN.sub(lambda m: _MAP[m.group()], word)
    if word.startswith(("e", "i", "o", "u")):
        out = "ا" + out  # a word-initial vowel is carried by alef in Persian script
    if word.endswith("e"):
        out += "ه"  # final -e is written with he: khube -> خوبه
    return out


@lru_cache(maxsize=65536)
def persian_skeleton(word: str) -> str:
    """Consonant skeleton of a Persian word; a final silent he is dropped."""
    if word.endswith("ه"):
        word = word[:-1]
    return word.translate(_PERSIAN_SOUND)


@lru_cache(maxsize=65536)
def latin_skeleton(word: str) -> str:
    """Consonant skeleton of a Finglish word, comparable with `persian_skeleton`."""
    return _LATIN_SOUND_RE.sub(lambda m: _LATIN_SOUND_MAP[m.group()], word)
