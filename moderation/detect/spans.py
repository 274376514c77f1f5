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

    @property
    def decisive(self) -> bool:
        """Whether this span alone flags its label (DESIGN.md: a label a detector found).

        Validated personal data, links and strong words are; a mild rude word (severity 1:
        احمق, گند زدید, حیوون) is only evidence in the label's score, because it is as often
        aimed at a parcel or a firmware as at a person."""
        return self.kind != "profanity" or self.severity >= 2

    def overlaps(self, other: "Span") -> bool:
        """True when the two spans share at least one character."""
        return self.start < other.end and other.start < self.end
