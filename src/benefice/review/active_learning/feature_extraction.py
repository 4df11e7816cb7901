"""Feature extractors: texts to a sparse matrix, computed once for all records (TF-IDF is unsupervised,
so fitting it on every text leaks no label and never needs refitting).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
from scipy import sparse

from benefice.review.text import StemmingTokenizer

# --------------------------------------------------------------------------------------------------
# Feature extraction


class FeatureExtractor(Protocol):
    name: str

    def fit_transform(self, texts: Sequence[str]) -> sparse.csr_matrix: ...


class Tfidf:
    """TF-IDF on the Snowball stems of title + abstract.

    Defaults follow common practice for short scientific texts rather than tuning on benchmark data:
    words stemmed in the record's language (:mod:`benefice.review.text`: "inhibitors" counts as
    "inhibitor"), unigrams and bigrams of stems (phrases like "randomised trial" carry meaning), sublinear
    term frequency (the tenth occurrence of a word says less than the first), English stop words removed
    before stemming, terms in a single record dropped (``min_df=2``: such a term cannot tell anything about
    another record) as well as terms in more than 95% of records. ``stem=False`` gives scikit-learn's own
    word tokens.
    """

    name = "tfidf"

    def __init__(
        self,
        *,
        ngram_range: tuple[int, int] = (1, 2),
        sublinear_tf: bool = True,
        min_df: int = 2,
        max_df: float = 0.95,
        stop_words: str | Sequence[str] | None = "english",
        stem: bool = True,
    ) -> None:
        self.stem = stem
        self.ngram_range = ngram_range
        self.sublinear_tf = sublinear_tf
        self.min_df = min_df
        self.max_df = max_df
        self.stop_words = stop_words

    def fit_transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        from sklearn.feature_extraction.text import TfidfVectorizer  # slow to import: loaded on the first fit

        texts = list(texts)
        # On tiny sets min_df=2 / max_df=0.95 could leave no vocabulary at all: relax them there.
        min_df = self.min_df if len(texts) >= 20 else 1
        max_df = self.max_df if len(texts) >= 20 else 1.0
        if self.stem:
            from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS  # slow to import, as above

            if isinstance(self.stop_words, str) and self.stop_words != "english":
                raise ValueError(f"unknown stop word list {self.stop_words!r}: 'english' or a list of words")
            stop = ENGLISH_STOP_WORDS if self.stop_words == "english" else self.stop_words
            words = {"tokenizer": StemmingTokenizer(stop), "token_pattern": None, "stop_words": None}
        else:
            words = {"stop_words": self.stop_words}
        vectoriser = TfidfVectorizer(
            ngram_range=self.ngram_range,
            sublinear_tf=self.sublinear_tf,
            min_df=min_df,
            max_df=max_df,
            dtype=np.float64,
            **words,
        )
        try:
            matrix = vectoriser.fit_transform(texts)
        except ValueError:  # empty vocabulary (all texts empty or stop words): no feature at all
            matrix = sparse.csr_matrix((len(texts), 0), dtype=np.float64)
        return sparse.csr_matrix(matrix)
