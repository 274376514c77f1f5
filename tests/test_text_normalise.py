"""The anti-evasion layer sees through the ways Persian users write and hide words."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moderation.text import evasion_view, normalise_for_scoring
from moderation.text.finglish import latin_skeleton, persian_skeleton, to_persian
from moderation.text.mapped import MappedText


@pytest.mark.parametrize(
    ("hidden", "plain"),
    [
        ("ک.ث.ا.ف.ت", "کثافت"),
        ("ا ح م ق", "احمق"),
        ("خ-ر", "خر"),
        ("ا_ح_م_ق", "احمق"),
        ("ا*ح*م*ق", "احمق"),
        ("بیشعووووور", "بیشعور"),
        ("بی\u200bشعور", "بیشعور"),  # zero-width space inside the word
        ("بی\u200dشعور", "بیشعور"),  # zero-width joiner, which hazm keeps
        ("\ufeffاحمق", "احمق"),  # BOM
        ("اح\u202eمق", "احمق"),  # bidi override
        ("احـــمـــق", "احمق"),  # tatweel
        ("اَحمَق", "احمق"),  # diacritics
        ("كثافت", "کثافت"),  # Arabic kaf
        ("عالي", "عالی"),  # Arabic yeh
        ("ا\u200cح\u200cم\u200cق", "احمق"),  # ZWNJ between every letter
    ],
)
def test_evasions_fold_to_the_plain_word(hidden: str, plain: str) -> None:
    assert evasion_view(hidden).text == plain
    assert normalise_for_scoring(hidden) == plain


def test_ordinary_text_is_not_joined_or_collapsed() -> None:
    text = "من و تو ب ا این مودم"  # two lone letters only: not spelled out
    assert evasion_view("کسب و کار").text == "کسب و کار"
    assert "و تو" in evasion_view(text).text


def test_words_spelled_with_zwnj_stay_apart_from_their_neighbours() -> None:
    # Joined as one run with the space between them, two such words became one blob that
    # matched neither word.
    hidden = "ب\u200cک\u200cش\u200cم ت\u200cو\u200cر\u200cو فردا"
    assert evasion_view(hidden).text == "بکشم تورو فردا"
    assert evasion_view("می\u200cخوام خونه\u200cی ما").text == "می\u200cخوام خونه\u200cی ما"


def test_letters_spelled_out_with_wider_gaps_between_words_make_words() -> None:
    assert evasion_view("گ و ه  ت و  ا ی ن  ف ر و ش گ ا ه").text == "گوه تو این فروشگاه"


def test_digits_of_every_script_fold_together() -> None:
    assert normalise_for_scoring("۰۹۱۲ ٠٩١٢ 0912") == "0000 0000 0000"


def test_finglish_is_transliterated_to_comparable_persian() -> None:
    assert normalise_for_scoring("kheyli khube") == "خیلی خوبه"
    assert to_persian("router") == "روتر"


@pytest.mark.parametrize(
    ("latin", "persian"),
    [("ahmagh", "احمق"), ("bishoor", "بیشعور"), ("kesafat", "کثافت"), ("koskesh", "کسکش")],
)
def test_finglish_and_persian_share_a_skeleton(latin: str, persian: str) -> None:
    assert latin_skeleton(latin) == persian_skeleton(persian)


@given(st.text(alphabet=st.sampled_from("اب پت ث.ـ-*\u200b\u200c\u200dکيك۱2 ")))
def test_every_normalised_character_maps_inside_the_original(text: str) -> None:
    view = evasion_view(text)
    assert len(view.starts) == len(view.ends) == len(view.text)
    for a, b in zip(view.starts, view.ends, strict=True):
        assert 0 <= a < b <= len(text)


def test_span_maps_back_to_the_whole_obfuscated_word() -> None:
    original = "پشتیبان ک.ث.ا.ف.ت بود"
    view = evasion_view(original)
    start = view.text.index("کثافت")
    a, b = view.original_span(start, start + len("کثافت"))
    assert original[a:b] == "ک.ث.ا.ف.ت"


def test_out_of_range_span_is_refused() -> None:
    with pytest.raises(ValueError, match="outside"):
        MappedText.of("abc").original_span(2, 5)


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from(list("يكىۀةABCxyz ۱۲٣ abc\u200cیک")) | st.characters(codec="utf-8")))
def test_a_charmap_gives_str_translate_exactly(text: str) -> None:
    """CharMap skips `str.translate` for a text holding none of its characters; whatever the
    text, the result is `str.translate`'s (deletions and longer replacements included)."""
    from moderation.text.chars import ONE_TO_ONE, CharMap

    tables = [ONE_TO_ONE, str.maketrans({"A": "aa", "ی": None, "x": "y"}), {}]
    for table in tables:
        assert CharMap(table)(text) == text.translate(table)


def test_a_charmap_leaves_a_text_without_its_characters_alone() -> None:
    from moderation.text.chars import ONE_TO_ONE, CharMap

    unify = CharMap(ONE_TO_ONE)
    plain = "گوشی خوبیه"
    assert unify(plain) is plain  # not even copied
    assert unify("قيمت ١٢٠") == "قیمت 120"
