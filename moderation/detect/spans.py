"""A detected span of the submitted text."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Span:
    """`original[start:end]` is a `kind` (phone, email, link, profanity...) evidencing `label`."""

    start: int
    end: int
    kind: str
    label: str
    severity: int = 0

    def overlaps(self, other: "Span") -> bool:
        """True when the two spans share at least one character."""
        return self.start < other.end and other.start < self.end
