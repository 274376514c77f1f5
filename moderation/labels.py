"""The seven labels of DESIGN.md, in their fixed order."""

from typing import Final

LABELS: Final[tuple[str, ...]] = (
    "insult",
    "hate",
    "sexual",
    "threat",
    "spam",
    "personal_info",
    "criminal",
)
