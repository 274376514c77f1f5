"""A string with a map from each of its characters back to the submitted text."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MappedText:
    """Normalised text; character i came from `original[starts[i]:ends[i]]`."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    original: str

    @classmethod
    def of(cls, original: str) -> MappedText:
        """Wrap the submitted text unchanged."""
        n = len(original)
        return cls(original, tuple(range(n)), tuple(range(1, n + 1)), original)

    def translate(self, table: Callable[[str], str]) -> MappedText:
        """Apply a one-to-one character table, a `CharMap` (offsets are unchanged)."""
        text = table(self.text)
        if text is self.text:
            return self
        return MappedText(text, self.starts, self.ends, self.original)

    def drop(self, chars: frozenset[str]) -> MappedText:
        """Delete every character in `chars`."""
        if chars.isdisjoint(self.text):
            return self
        keep = [i for i, c in enumerate(self.text) if c not in chars]
        return MappedText(
            "".join(self.text[i] for i in keep),
            tuple(self.starts[i] for i in keep),
            tuple(self.ends[i] for i in keep),
            self.original,
        )

    def sub(self, pattern: re.Pattern[str], repl: Callable[[re.Match[str]], str]) -> MappedText:
        """Regex substitution that keeps the map: a replacement covers what its match covered."""
        return self.replace([(*m.span(), repl(m)) for m in pattern.finditer(self.text)])

    def replace(self, edits: list[tuple[int, int, str]]) -> MappedText:
        """Replace `text[start:end]` with `new` for each (start, end, new), in text order and
        not overlapping; each replacement covers what the text it replaced covered."""
        parts: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        pos = 0
        for a, b, new in edits:
            if a == b or new == self.text[a:b]:
                continue
            parts.append(self.text[pos:a])
            starts.extend(self.starts[pos:a])
            ends.extend(self.ends[pos:a])
            parts.append(new)
            n, width = len(new), b - a
            for k in range(n):
                # Spread the new characters over the old ones; the first starts where the
                # match started and the last ends where it ended, so spans stay whole.
                lo = a + (k * width) // n
                hi = a + ((k + 1) * width + n - 1) // n
                starts.append(self.starts[lo])
                ends.append(self.ends[hi - 1])
            pos = b
        if not parts:
            return self
        parts.append(self.text[pos:])
        starts.extend(self.starts[pos:])
        ends.extend(self.ends[pos:])
        return MappedText("".join(parts), tuple(starts), tuple(ends), self.original)

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map the half-open span [start, end) of the normalised text onto the original."""
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"span {start}:{end} outside 0:{len(self.text)}")
        return self.starts[start], self.ends[end - 1]
