"""A fitted char_wb TfidfVectorizer's transform, computed with numpy instead of in Python.

sklearn builds every character n-gram of a review as a Python string and looks each one up in a
dict: for model 2026-11-25.8's two character vectorizers that was ≈ 0.5 ms of the ≈ 1.7 ms the
classifier took for one review (measured on our own reviews, one at a time). Here a whole batch
is encoded once as small integers, every n-gram becomes one int64 key (its characters' codes
side by side), and the keys are looked up in the sorted keys of the vocabulary with one
`searchsorted`. The result is the same matrix as
`vectorizer.transform`, to the bit (tests/test_chargrams.py): the same float32 arithmetic in
the same order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final
from weakref import WeakKeyDictionary

import numpy as np
from numpy.typing import NDArray
from sklearn.feature_extraction.text import TfidfVectorizer

# Keys stay below the int64 maximum, which marks the end of the sorted vocabulary keys.
_KEY_BITS: Final = 62
# Stands between words and between reviews; never part of a vocabulary n-gram.
_BREAK: Final = "\x00"
_CACHE: WeakKeyDictionary[Any, CharGrams | None] = WeakKeyDictionary()

# A CSR matrix as its arrays: indptr, indices, data.
Block = tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float32]]


class CharGrams:
    """The transform of one fitted char_wb TfidfVectorizer, vectorised over a batch.

    Each character the vocabulary uses gets a code from 1 to 2**bits - 2; any other character
    gets the last code, which no vocabulary key contains, so an n-gram holding it is simply not
    found. Codes start at 1, so keys of n-grams of different lengths never coincide.
    """

    def __init__(self, vectorizer: TfidfVectorizer) -> None:
        self.preprocess = vectorizer.build_preprocessor()
        self.min_n, self.max_n = vectorizer.ngram_range
        self.sublinear = bool(vectorizer.sublinear_tf)
        self.idf = vectorizer.idf_ if vectorizer.use_idf else None
        self.l2 = vectorizer.norm == "l2"
        self.dtype = np.dtype(vectorizer.dtype)
        self.n_features = len(vectorizer.vocabulary_)
        alphabet = sorted({c for term in vectorizer.vocabulary_ for c in term})
        self.bits = (len(alphabet) + 1).bit_length()
        unknown = (1 << self.bits) - 1
        code = {c: i + 1 for i, c in enumerate(alphabet)}
        # Code by code point; every point past the table's end reads its last entry, unknown.
        self.table = np.full(max(map(ord, alphabet)) + 2, unknown, dtype=np.int64)
        for c, k in code.items():
            self.table[ord(c)] = k
        self.table[ord(_BREAK)] = unknown
        terms = list(vectorizer.vocabulary_.items())
        keys = np.fromiter(
            (self._key([code[c] for c in term]) for term, _ in terms), np.int64, len(terms)
        )
        columns = np.fromiter((j for _, j in terms), np.int64, len(terms))
        order = np.argsort(keys)
        # A last key above every n-gram's: `searchsorted` then always lands on a real slot.
        self.keys = np.append(keys[order], np.iinfo(np.int64).max)
        self.columns = np.append(columns[order], -1)

    def _key(self, codes: list[int]) -> int:
        key = 0
        for c in codes:
            key = (key << self.bits) | c
        return key

    @staticmethod
    def supports(vectorizer: Any) -> bool:
        """True for a fitted TfidfVectorizer whose transform this class reproduces."""
        if not (
            isinstance(vectorizer, TfidfVectorizer)
            and hasattr(vectorizer, "vocabulary_")
            and vectorizer.analyzer == "char_wb"
            and not vectorizer.binary
            and vectorizer.norm in ("l2", None)
            and vectorizer.preprocessor is not None  # else sklearn lowercases and strips accents
        ):
            return False
        min_n, max_n = vectorizer.ngram_range
        alphabet = {c for term in vectorizer.vocabulary_ for c in term}
        # A padded word has at least three characters, so with min_n <= 3 sklearn's rule for
        # words shorter than n never applies; the keys must fit in an int64.
        return bool(
            1 <= min_n <= 3
            and _BREAK not in alphabet
            and (len(alphabet) + 1).bit_length() * max_n <= _KEY_BITS
        )

    def block(self, docs: Sequence[Any]) -> Block:
        """The tf-idf rows of `docs` (before preprocessing) as CSR arrays."""
        n_docs = len(docs)
        # sklearn's char_wb pads each word with a space on each side and takes n-grams within
        # it. Here the padded words are joined by a break character that has the unknown
        # code, so an n-gram across two words is never found: no mask of word ends is needed.
        separator = f" {_BREAK} "
        texts = [separator.join(self.preprocess(doc).split()) for doc in docs]
        texts = [f" {text} " if text else "" for text in texts]
        joined = _BREAK.join(texts)
        points = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        codes = self.table[np.minimum(points, len(self.table) - 1)]
        keys = []
        key = codes
        for n in range(2, self.max_n + 1):
            key = (key[:-1] << self.bits) | codes[n - 1 :]
            if n >= self.min_n:
                keys.append(key)
        all_keys = np.concatenate(keys) if self.min_n > 1 else np.concatenate([codes, *keys])
        slot = np.searchsorted(self.keys, all_keys)
        hit = np.flatnonzero(self.keys[slot] == all_keys)
        cell = self.columns[slot[hit]]
        if n_docs > 1:
            # The review each n-gram starts in: its start position against the reviews' starts.
            bounds = np.cumsum(np.fromiter(map(len, texts), np.int64, n_docs) + 1)
            lengths = [len(k) for k in keys]
            if self.min_n == 1:
                lengths.insert(0, len(codes))
            offsets = np.cumsum([0, *lengths[:-1]])
            # For the hits only: which n's block a hit is in, hence where its n-gram starts.
            position = hit - offsets[np.searchsorted(offsets, hit, side="right") - 1]
            cell = np.searchsorted(bounds, position, side="right") * self.n_features + cell
        # Sorted by review, then column: the order sklearn's matrix has (sort_indices).
        cell.sort()
        # Runs of equal cells: np.unique without its Python-level overhead (≈ 20 µs a call).
        starts = np.empty(len(cell), dtype=bool)
        starts[:1] = True
        np.not_equal(cell[1:], cell[:-1], out=starts[1:])
        first = np.flatnonzero(starts)
        counts = np.empty(len(first), np.int64)
        np.subtract(first[1:], first[:-1], out=counts[:-1])
        counts[-1:] = len(cell) - first[-1:]
        rows, columns = np.divmod(cell[first], self.n_features)
        data = counts.astype(self.dtype)
        if self.sublinear:
            np.log(data, data)
            data += 1.0
        if self.idf is not None:
            data *= self.idf[columns]
        if self.l2 and len(data):
            # As sklearn's normalize: float32 squares summed in float64, row by row in order.
            squares = (data * data).astype(np.float64)
            norms = np.sqrt(np.bincount(rows, squares, minlength=n_docs))
            data = (data / norms[rows]).astype(self.dtype)
        indptr = np.zeros(n_docs + 1, np.int64)
        np.cumsum(np.bincount(rows, minlength=n_docs), out=indptr[1:])
        return indptr, columns, data


def char_grams(vectorizer: Any) -> CharGrams | None:
    """The vectorised transform of `vectorizer`, built once and kept with it; None when the
    vectorizer is not a char_wb one this module reproduces."""
    if vectorizer in _CACHE:
        return _CACHE[vectorizer]
    grams = CharGrams(vectorizer) if CharGrams.supports(vectorizer) else None
    _CACHE[vectorizer] = grams
    return grams
