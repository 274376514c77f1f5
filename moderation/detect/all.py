"""Run every deterministic detector over one review."""

from moderation.detect.lexicon import Lexicon
from moderation.detect.links import find_links
from moderation.detect.personal import find_personal
from moderation.detect.repeats import find_repeats
from moderation.detect.spans import Span
from moderation.text.evasion import light_view, undo_evasion


def detect(text: str, lexicon: Lexicon) -> list[Span]:
    """All detector spans on the submitted text, in text order."""
    light = light_view(text)
    spans = (
        find_personal(light)
        + find_links(light)
        + find_repeats(light)
        + lexicon.find(undo_evasion(light))
    )
    return sorted(spans, key=lambda s: (s.start, s.end))
