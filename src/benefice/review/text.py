"""Words for screening features: tokens, the language of a record, and Snowball stems.

Stemming maps "inhibitor", "inhibitors" and "inhibition" to one feature, so what the model learns from one
relevant record reaches the records that say the same thing with another inflection. With a few dozen
labelled records, most words of a relevant record are seen once; without stemming the plural of a word the
model has learnt is a new, unweighted feature. Measured in ``benchmarks/README.md`` ("screening"): stemming
lifts WSS@95 on all four benchmark sets for the SVM (mean +3.6 points) and on average for naive Bayes and
logistic regression.

Records are stemmed in their own language because a review may mix English and French abstracts (HAL,
French journals, theses): the English stemmer leaves "données" and "donnée" apart, the French one joins
them. The language is guessed per record from common function words, which is enough to choose a stemmer
and costs nothing; a record with neither English nor French function words is stemmed as English, the
language of most indexed abstracts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# scikit-learn's default token pattern: runs of two or more word characters.
WORD = re.compile(r"(?u)\b\w\w+\b")

# Frequent function words that rarely belong to the other language (lowercase). "des", "on", "a", "de"
# and other words shared between the two languages or common in English titles ("de novo") are left out.
ENGLISH_MARKERS = frozenset(
    "the of and to in is was were are with for that this these from by be been has have which their "
    "or not but at we our between after among".split()
)
FRENCH_MARKERS = frozenset(
    "le la les du et est une dans pour par sur avec qui que au aux ces ont été sont entre chez leur "
    "leurs cette selon nous ou être".split()
)

LANGUAGES = ("english", "french")


def guess_language(tokens: Iterable[str]) -> str:
    """``"french"`` when a record holds more French than English function words, else ``"english"``."""
    english = french = 0
    for token in tokens:
        if token in ENGLISH_MARKERS:
            english += 1
        elif token in FRENCH_MARKERS:
            french += 1
    return "french" if french > english else "english"


class StemmingTokenizer:
    """A scikit-learn ``tokenizer``: lowercase text in, Snowball stems of its words out.

    ``stop_words`` are removed before stemming (the list holds words, not stems). Stems are cached per
    language, so a corpus of 100,000 abstracts calls the stemmer once per distinct word. The object pickles
    without its stemmers (C objects) and rebuilds them on first use.
    """

    def __init__(self, stop_words: Iterable[str] | None = None) -> None:
        self.stop_words = frozenset(stop_words or ())
        self._stemmers: dict[str, object] = {}
        self._caches: dict[str, dict[str, str]] = {}

    def __getstate__(self) -> dict:
        return {"stop_words": self.stop_words}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["stop_words"])

    def _cache(self, language: str) -> tuple[dict[str, str], object]:
        if language not in self._stemmers:
            import Stemmer  # PyStemmer: the Snowball project's C stemmers

            self._stemmers[language] = Stemmer.Stemmer(language)
            self._caches[language] = {}
        return self._caches[language], self._stemmers[language]

    def __call__(self, text: str) -> list[str]:
        words = WORD.findall(text)
        cache, stemmer = self._cache(guess_language(words))
        out = []
        for word in words:
            if word in self.stop_words:
                continue
            stem = cache.get(word)
            if stem is None:
                stem = cache[word] = stemmer.stemWord(word) or word  # type: ignore[attr-defined]
            out.append(stem)
        return out
