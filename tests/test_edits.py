"""Automatic edits are recorded on the submitted text and reproduce the published text."""

import itertools

from hypothesis import given
from hypothesis import strategies as st

from moderation.detect.all import detect
from moderation.detect.lexicon import load_lexicon
from moderation.edits import Edit, apply_edits, plan_edits

pieces = st.sampled_from(
    [
        "مودم عالیه ",
        "09121234567",
        " 0912 123 4567 ",
        "ali@gmail.com",
        " t.me/shop ",
        "www.x-shop.ir",
        " احمق ",
        "ا ح م ق",
        " کثافت",
        "@handle_1",
        " kesafat ",
        "\u200b",
        "۰۹۱۲۱۲۳۴۵۶۷",
        "0499370899",
        "192.168.1.1",
        "،",
        " ",
        "خ",
        "شبا IR820540102680020817909002",
        "صفر نهصد و دوازده سیصد و چهل و پنج شصت و هفت هشتاد و نه",
        " دو سه ",
    ]
)


@given(st.lists(pieces, max_size=12).map(" ".join))
def test_edits_applied_to_the_submitted_text_give_the_published_text(text: str) -> None:
    edits = plan_edits(text, detect(text, load_lexicon()))
    published = apply_edits(text, edits)
    # Edits are sorted, disjoint and inside the text.
    for a, b in itertools.pairwise(edits):
        assert a.end <= b.start
    assert all(0 <= e.start < e.end <= len(text) for e in edits)
    # Rebuild by hand from the edit dicts, as a storefront would.
    out, pos = [], 0
    for e in (Edit(**e.as_dict()) for e in edits):
        out += [text[pos : e.start], e.replacement]
        pos = e.end
    assert "".join(out) + text[pos:] == published
    # Whatever else is around it, no phone number or e-mail survives.
    assert "09121234567" not in published and "ali@gmail.com" not in published


@given(st.lists(pieces, max_size=12).map("".join))
def test_edits_on_glued_pieces_still_rebuild_the_published_text(text: str) -> None:
    edits = plan_edits(text, detect(text, load_lexicon()))
    assert all(a.end <= b.start for a, b in itertools.pairwise(edits))
    apply_edits(text, edits)  # raises on overlapping or out-of-range edits


def test_placeholders_are_typed() -> None:
    text = "شماره 09121234567 و ایمیل a@b.com و کد ملی 0499370899"
    published = apply_edits(text, plan_edits(text, detect(text, load_lexicon())))
    assert published == "شماره [شماره تلفن] و ایمیل [ایمیل] و کد ملی [کد ملی]"


def test_link_removal_leaves_no_double_space() -> None:
    text = "از t.me/shop بخرید"
    assert apply_edits(text, plan_edits(text, detect(text, load_lexicon()))) == "از بخرید"


def test_profanity_is_masked_with_its_first_letter() -> None:
    text = "پشتیبان ا ح م ق بود"
    assert apply_edits(text, plan_edits(text, detect(text, load_lexicon()))) == "پشتیبان ا*** بود"
