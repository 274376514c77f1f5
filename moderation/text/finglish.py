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


# How each Persian letter may be spelt in Finglish, for `latin_pattern`. Consonants as in the
# skeleton; the long vowels ا و ی must show as a vowel (or v/y, when و/ی are consonants).
_LATIN_SPELLING: Final = {
    "ب": "b", "پ": "p", "ت": "t", "ط": "t", "ث": "s", "س": "s", "ص": "s", "ج": "j",
    "چ": "ch", "ح": "h", "خ": "(?:kh|x)", "د": "d", "ذ": "z", "ز": "z", "ض": "z", "ظ": "z",
    "ر": "r", "ژ": "zh", "ش": "(?:sh|\\$)", "غ": "(?:gh|q)", "ق": "(?:gh|q)", "ف": "f",
    "ک": "(?:k|c)", "گ": "g", "ل": "l", "م": "m", "ن": "n", "ه": "h",
    "ا": "a+", "آ": "a+", "و": "(?:o+|u+|ou|v|w)", "ی": "(?:i+|ee|ey|ei|y)", "ع": "'?[aeiou]?",
}
_SHORT_VOWEL: Final = "(?:a+|e+|o+)?"  # Persian script leaves short vowels unwritten
# Colloquial endings written onto the word in Finglish (khengi, ahmagha, koskhola, jendeha).
_LATIN_ENDING: Final = "(?:i|ha|haa|a|e|o|am|at|et|esh|ash|id|in|an|ye)?"


@lru_cache(maxsize=4096)
def latin_pattern(persian: str) -> re.Pattern[str] | None:
    """The Finglish spellings of a Persian word, as a regular expression.

    The consonant skeleton alone lets ordinary words through (konid and kond share kn_d with
    کونده, karam shares krm with کیرم): here a long vowel of the Persian word must appear as
    that vowel, a short one may appear as a, e or o (stretched or not), a final silent he as
    -e or -a, and a colloquial ending may follow.
    """
    word = persian.replace("\u200c", "")
    final_he = word.endswith("ه") and len(word) > 1
    if final_he:
        word = word[:-1]
    parts: list[str] = []
    for i, letter in enumerate(word):
        spelling = _LATIN_SPELLING.get(letter)
        if spelling is None:
            return None
        vowel = letter in "اآویع"
        if i and not vowel and parts and parts[-1] != _SHORT_VOWEL:
            parts.append(_SHORT_VOWEL)
        parts.append(spelling if vowel else f"(?:{spelling})+")
    if final_he:
        parts.append("(?:e+h?|a+h?)")
    else:
        parts.append(_SHORT_VOWEL)
    parts.append(_LATIN_ENDING)
    return re.compile("".join(parts))
