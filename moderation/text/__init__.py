"""Persian text normalisation: hazm plus an anti-evasion layer that keeps offsets."""

from moderation.text.mapped import MappedText
from moderation.text.normalise import evasion_view, normalise_both, normalise_for_scoring

__all__ = ["MappedText", "evasion_view", "normalise_both", "normalise_for_scoring"]
