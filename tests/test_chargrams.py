"""The numpy character n-grams give sklearn's char_wb tf-idf matrix, to the bit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from moderation.classifier.chargrams import CharGrams, char_grams

TRAIN = [
    "گوشی خیلی خوبیه، باتریش عالیه",
    "ارسال سریع بود ولی جعبه‌اش له شده بود",
    "این فروشنده کلاهبرداره پولمو پس نمیده",
    "modem kheili khube 👍👍",
    "قیمتش ۱۲۰۰۰۰۰ تومن بود، ارزش خرید داره",
    "بد نبود",
    "عالی عالی عالی",
]
# Unseen words and characters, whitespace of every kind, words shorter than n, emoji outside
# the Basic Multilingual Plane, an empty review and a review of spaces.
TEXTS = [
    *TRAIN,
    "",
    "   \t\n ",
    "a",
    "خوب",
    "گوشی\u200cخوب  \t  باتری\n\nعالی",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 و 😀 و 🫠",
    "کلاه بردار",
    "xyz qqq ژژژژژژژژ",
    "ab" * 200,
]


def _plain(text: str) -> str:
    return text


def _vectorizer(**settings: object) -> TfidfVectorizer:
    base: dict[str, object] = dict(
        preprocessor=_plain, analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
        dtype=np.float32,
    )
    return TfidfVectorizer(**{**base, **settings}).fit(TRAIN)


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"ngram_range": (1, 3)},
        {"ngram_range": (3, 5)},
        {"sublinear_tf": False},
        {"use_idf": False},
        {"norm": None},
        {"max_features": 50},
        {"dtype": np.float64},
    ],
)
def test_the_matrix_is_sklearns_exactly(settings: dict[str, object]) -> None:
    vectorizer = _vectorizer(**settings)
    expected = vectorizer.transform(TEXTS).tocsr()
    expected.sort_indices()
    indptr, indices, data = CharGrams(vectorizer).block(TEXTS)
    assert expected.nnz > 50
    assert np.array_equal(indptr, expected.indptr)
    assert np.array_equal(indices, expected.indices)
    assert data.dtype == expected.data.dtype
    assert np.array_equal(data, expected.data)  # the same float arithmetic, not just close


def test_one_review_at_a_time_matches_the_batch() -> None:
    grams = CharGrams(_vectorizer())
    indptr, indices, data = grams.block(TEXTS)
    for i, text in enumerate(TEXTS):
        one_ptr, one_indices, one_data = grams.block([text])
        lo, hi = indptr[i], indptr[i + 1]
        assert list(one_ptr) == [0, hi - lo]
        assert np.array_equal(one_indices, indices[lo:hi])
        assert np.array_equal(one_data, data[lo:hi])


def test_a_review_with_no_known_n_gram_has_an_empty_row() -> None:
    grams = CharGrams(_vectorizer())
    indptr, indices, data = grams.block(["𝔘𝔫𝔦", "", "عالی"])
    assert list(np.diff(indptr))[:2] == [0, 0]
    assert indptr[-1] > 0 and len(indices) == len(data) == indptr[-1]


def test_vectorizers_it_cannot_reproduce_are_left_to_sklearn() -> None:
    assert char_grams(_vectorizer()) is not None
    assert char_grams(_vectorizer(analyzer="char")) is None  # n-grams across words
    assert char_grams(_vectorizer(ngram_range=(4, 5))) is None  # sklearn's short-word rule
    assert char_grams(_vectorizer(binary=True)) is None
    # Without a preprocessor sklearn lowercases and strips accents first.
    assert char_grams(TfidfVectorizer(analyzer="char_wb").fit(TRAIN)) is None
    assert char_grams(TfidfVectorizer(preprocessor=_plain, analyzer="word").fit(TRAIN)) is None


# Persian and Latin letters, digits, ZWNJ, emoji, whitespace of several kinds (also the vertical
# ones str.split knows), and anything else Unicode holds: most of it unseen by the vocabulary.
_ALPHABET = st.one_of(
    st.sampled_from(list("گوشیخبعالاترن ابcdeko0۱\u200c\t\n\x0b\x1c\u2028\u00a0 😀")),
    st.characters(codec="utf-8"),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(_ALPHABET, max_size=60), min_size=1, max_size=6))
def test_any_text_gets_sklearns_row(texts: list[str]) -> None:
    vectorizer = _VECTORIZER
    expected = vectorizer.transform(texts).tocsr()
    expected.sort_indices()
    indptr, indices, data = char_grams(vectorizer).block(texts)  # type: ignore[union-attr]
    assert np.array_equal(indptr, expected.indptr)
    assert np.array_equal(indices, expected.indices)
    assert np.array_equal(data, expected.data)


_VECTORIZER = _vectorizer()
