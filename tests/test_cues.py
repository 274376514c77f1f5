"""Cue words: evidence the classifier weighs, so an ambiguous word must not count on its own."""

import pytest

from moderation.detect.lexicon import load_cues
from moderation.text import normalise_both
from moderation.text.mapped import MappedText


def categories(text: str) -> list[str]:
    """The cue categories found in a review, as the classifier's cue features count them."""
    _, evaded = normalise_both(text)
    return [span.label for span in load_cues().find(MappedText.of(evaded))]


@pytest.mark.parametrize(
    "text",
    [
        "ردیاب GPS برای تراکتور خودمون گذاشتیم، شاگرد هم میدونه",
        "شیشه پاک کن خوبیه، رگه نمیندازه",
        "کارت هدیه رو برای تولد همکارم گرفتم",
    ],
)
def test_a_product_the_store_sells_is_not_a_cue(text: str) -> None:
    assert categories(text) == []


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("ردیاب مخفی میخوام برای ماشین شوهرم", "surveillance"),
        ("دوربین مخفی برای اتاق مستاجر", "surveillance"),
    ],
)
def test_the_phrase_that_makes_it_a_cue_still_counts(text: str, category: str) -> None:
    assert category in categories(text)
