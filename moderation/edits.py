"""Automatic edits: typed placeholders for personal data, links removed, profanity masked."""

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Final

from moderation.detect.spans import Span

PLACEHOLDERS: Final = {
    "phone": "[شماره تلفن]",
    "email": "[ایمیل]",
    "national_id": "[کد ملی]",
    "bank_card": "[شماره کارت]",
    "iban": "[شماره شبا]",
    "address": "[نشانی]",
}
MASK: Final = "***"
# When spans overlap, the stronger obligation wins: personal data must go before anything else.
_PRIORITY: Final = {"personal_info": 0, "spam": 1}


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace `submitted[start:end]` (code points) with `replacement`."""

    start: int
    end: int
    kind: str
    replacement: str

    def as_dict(self) -> dict[str, Any]:
        """The JSON form of DESIGN.md."""
        return asdict(self)


def edit_for(span: Span, text: str) -> Edit:
    """The edit that makes one detected span compliant."""
    if span.label == "personal_info":
        return Edit(span.start, span.end, span.label, PLACEHOLDERS.get(span.kind, "[اطلاعات شخصی]"))
    if span.kind in ("link", "handle"):
        start, end = span.start, span.end
        # Take one neighbouring space with the link so no double space is left behind.
        if end < len(text) and text[end] == " " and (start == 0 or text[start - 1] == " "):
            end += 1
        elif start > 0 and text[start - 1] == " " and end == len(text):
            start -= 1
        return Edit(start, end, span.label, "")
    first = text[span.start]
    return Edit(span.start, span.end, span.label, first + MASK)


def plan_edits(text: str, spans: Iterable[Span]) -> list[Edit]:
    """Non-overlapping edits for the spans, in text order; stronger and longer spans win."""
    ranked = sorted(spans, key=lambda s: (_PRIORITY.get(s.label, 2), -(s.end - s.start), s.start))
    chosen: list[Edit] = []
    for span in ranked:
        edit = edit_for(span, text)
        if all(edit.end <= e.start or e.end <= edit.start for e in chosen):
            chosen.append(edit)
    return sorted(chosen, key=lambda e: e.start)


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """The text with the (non-overlapping) edits applied."""
    out: list[str] = []
    pos = 0
    for e in sorted(edits, key=lambda e: e.start):
        if e.start < pos or e.end > len(text) or e.start > e.end:
            raise ValueError(f"edit {e} overlaps another or lies outside the text")
        out.append(text[pos : e.start])
        out.append(e.replacement)
        pos = e.end
    out.append(text[pos:])
    return "".join(out)
