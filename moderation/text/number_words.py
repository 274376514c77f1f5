"""Numbers written out in Persian words, read back as digits.

Someone who knows a filter looks for digit runs writes «صفر نهصد و دوازده سیصد و چهل و پنج
شصت و هفت هشتاد و نه» for 0912 345 67 89, or mixes the two («۰۹۱۲ سیصد و چهل و پنج ۶۷ ۸۹»).
`spell_out_numbers` turns such runs into digits in a `MappedText`, so the phone and card
patterns read them with spans that still map onto the submitted words.
"""

import re
from typing import Final

from moderation.text.chars import PERSIAN_LETTERS, ZWNJ
from moderation.text.mapped import MappedText

_UNITS: Final = {
    "صفر": 0, "یک": 1, "دو": 2, "سه": 3, "چهار": 4, "پنج": 5, "شش": 6, "شیش": 6,
    "هفت": 7, "هشت": 8, "نه": 9,
}  # fmt: skip
_TEENS: Final = {
    "ده": 10, "یازده": 11, "دوازده": 12, "سیزده": 13, "چهارده": 14, "پانزده": 15,
    "پونزده": 15, "شانزده": 16, "شونزده": 16, "هفده": 17, "هیفده": 17, "هجده": 18,
    "هیجده": 18, "نوزده": 19,
}  # fmt: skip
_TENS: Final = {
    "بیست": 20, "سی": 30, "چهل": 40, "پنجاه": 50, "شصت": 60, "هفتاد": 70, "هشتاد": 80,
    "نود": 90,
}  # fmt: skip
_HUNDREDS: Final = {
    "صد": 100, "یکصد": 100, "دویست": 200, "سیصد": 300, "چهارصد": 400, "پانصد": 500,
    "پونصد": 500, "ششصد": 600, "شیشصد": 600, "هفتصد": 700, "هشتصد": 800, "نهصد": 900,
}  # fmt: skip
_VALUE: Final = {**_UNITS, **_TEENS, **_TENS, **_HUNDREDS}
_AND: Final = "و"

# Fewer digits than this cannot be a phone or card number; a run that short («دو سه تا»,
# «سیصد و پنجاه») is left as written.
MIN_DIGITS: Final = 7
_TOKEN: Final = re.compile(f"[0-9]+|[{PERSIAN_LETTERS}{ZWNJ}]+")
# What may stand between the groups of one number: spaces and the separators people type.
_GAP: Final = re.compile(r"[ \t\-.,،/]{0,3}")
# Every number word, also with «و» glued on (سیصدو, وپنج).
_NUMBER_WORDS: Final = frozenset(w for v in _VALUE for w in (v, v + _AND, _AND + v))


def _worth_reading(text: str) -> bool:
    """Whether three number tokens stand in a row: nearly no review has them, and then the
    character-exact reading below (many times slower than this split) is skipped."""
    count = 0
    for token in text.replace(ZWNJ, "").split():
        token = token.strip("-.,،/")
        if token in _NUMBER_WORDS or token.isdigit():
            count += 1
            if count == 3:
                return True
        elif token != _AND:
            count = 0
    return False


def _split(word: str) -> list[str] | None:
    """The number words (and «و» joiners) one written word stands for, or None.

    «سیصدو» and «وپنج» glue the joiner to a number; ZWNJ inside «سی‌صد» is ignored."""
    word = word.replace(ZWNJ, "")
    if word in _VALUE or word == _AND:
        return [word]
    if word.endswith(_AND) and word[:-1] in _VALUE:
        return [word[:-1], _AND]
    if word.startswith(_AND) and word[1:] in _VALUE:
        return [_AND, word[1:]]
    return None


def _group_digits(parts: list[str]) -> str:
    """Digits of one spoken group: «نهصد و دوازده» → 912, «صفر» → 0, «۰۹۱۲» → 0912."""
    if len(parts) == 1 and parts[0].isdigit():
        return parts[0]
    return str(sum(_VALUE[p] for p in parts))


def _to_digits(words: list[str]) -> str:
    """Digits of a run of number words: groups are joined by «و», digit strings stand alone.

    A group grows only as spoken numbers do: hundreds take tens or units, tens take units
    («سیصد و چهل و پنج» is 345, «بیست و دو» 22); anything else starts a new group, so
    «دو بیست» is 2 then 20."""
    digits: list[str] = []
    group: list[str] = []
    joined = False
    for word in words:
        if word == _AND:
            joined = bool(group) and not group[-1].isdigit()
            continue
        prev = group[-1] if group else ""
        fits = joined and (
            (_VALUE[prev] >= 100 and not word.isdigit() and _VALUE[word] < 100)
            or (prev in _TENS and word in _UNITS and word != "صفر")
        )
        if not fits and group:
            digits.append(_group_digits(group))
            group = []
        group.append(word)
        joined = False
    if group:
        digits.append(_group_digits(group))
    return "".join(digits)


def spell_out_numbers(view: MappedText) -> MappedText:
    """`view` with every run of Persian number words (mixed with digit groups) as digits."""
    text = view.text
    if not _worth_reading(text):
        return view
    runs: list[tuple[int, int, str]] = []
    words: list[str] = []
    start = end = last = 0
    has_word = False

    def close() -> None:
        if has_word and words:
            digits = _to_digits(words)
            if len(digits) >= MIN_DIGITS:
                runs.append((start, end, digits))

    for m in _TOKEN.finditer(text):
        token = m.group()
        parts = [token] if token.isdigit() else _split(token)
        contiguous = bool(words) and _GAP.fullmatch(text[last : m.start()]) is not None
        if parts is None or not contiguous:
            close()
            words, has_word = [], False
            if parts is None or parts == [_AND]:
                continue
            start = m.start()
        words.extend(parts)
        last = m.end()
        if parts != [_AND]:
            # A trailing «و» («… هشتاد و نه و ممنون») stays outside the number.
            end = last
            has_word = has_word or not token.isdigit()
    close()
    return view.replace(runs) if runs else view
