"""Repeated text: one phrase pasted three times or more («فروش ویژه فقط امروز» × 3).

DESIGN.md counts repeated text as spam. A pasted phrase is at least two different words and eight
letters long, so a customer's «خیلی خیلی خیلی خوبه» or «عالی عالی عالی» stays an ordinary review.
"""

import re
from collections import Counter
from itertools import pairwise
from typing import Final

from moderation.detect.spans import Span
from moderation.text.mapped import MappedText

LABEL: Final = "spam"
KIND: Final = "repeat"
MIN_TIMES: Final = 3
MIN_WORDS: Final = 2
MAX_WORDS: Final = 10
MIN_LETTERS: Final = 8
# Pasted copies follow each other (one word at most between them; emoji are not words). A product
# name said three times across a long review («بسته بندی … بسته بندی … بسته بندی») or a
# rhetorical «اینها X هستند، اینها Y هستند» is not pasting.
MAX_GAP_WORDS: Final = 1
_WORD: Final = re.compile(r"[^\W_]+(?:\u200c[^\W_]+)*")
_PUNCTUATION: Final = re.compile(r"[.,!?؟،؛:;«»()\[\]\"'\-_/|*+~]+")


def find_repeats(view: MappedText) -> list[Span]:
    """The span from the first to the last copy of the longest phrase pasted in the text."""
    # A pasted phrase repeats its first two words three times. Nearly every review has no
    # such word, or no such pair, which counts over str.split find in a few microseconds.
    # The first count runs on raw tokens, the cheapest split; pasted copies share their words
    # even when their punctuation differs.
    tokens = view.text.split()
    if len(tokens) < MIN_WORDS * MIN_TIMES or max(Counter(tokens).values()) < MIN_TIMES:
        return []
    tokens = _PUNCTUATION.sub(" ", view.text).split()
    if max(Counter(pairwise(tokens)).values()) < MIN_TIMES:
        return []
    matches = list(_WORD.finditer(view.text))
    tokens = [m.group() for m in matches]
    for n in range(min(MAX_WORDS, len(tokens) // MIN_TIMES), MIN_WORDS - 1, -1):
        starts: dict[tuple[str, ...], list[int]] = {}
        for i in range(len(tokens) - n + 1):
            gram = tuple(tokens[i : i + n])
            seen = starts.setdefault(gram, [])
            if not seen or i - seen[-1] >= n:  # copies do not overlap
                seen.append(i)
        for gram, at in starts.items():
            if (
                len(at) < MIN_TIMES
                or len(set(gram)) < MIN_WORDS
                or sum(map(len, gram)) < MIN_LETTERS
            ):
                continue
            run = _adjacent_run(at, n)
            if run is not None:
                first, last = run[0], run[1] + n - 1
                a, b = view.original_span(matches[first].start(), matches[last].end())
                return [Span(a, b, KIND, LABEL)]
    return []


def _adjacent_run(starts: list[int], n: int) -> tuple[int, int] | None:
    """First and last start of MIN_TIMES or more copies (of n words) that follow each other."""
    begin = 0
    for k in range(1, len(starts) + 1):
        if k == len(starts) or starts[k] - (starts[k - 1] + n) > MAX_GAP_WORDS:
            if k - begin >= MIN_TIMES:
                return starts[begin], starts[k - 1]
            begin = k
    return None
