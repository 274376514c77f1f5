"""Cue words: evidence the classifier weighs, so an ambiguous word must not count on its own."""

import pytest

from moderation.classifier.cues import CueFeatures
from moderation.classifier.pipeline import PersianNormaliser


def categories(text: str) -> list[str]:
    """The cue categories the classifier's cue features count in a review."""
    features = CueFeatures().fit([])
    (counts,) = features.counts(PersianNormaliser().transform([text]))
    names = [features.names_[k] for k in counts]
    return [name.removeprefix("cue:") for name in names if name.startswith("cue:")]


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
