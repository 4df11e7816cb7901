"""Stemmed screening features: inflections share a feature, each record is stemmed in its language."""

import pickle

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from benefice.review.active_learning import Tfidf
from benefice.review.text import WORD, StemmingTokenizer, guess_language


def test_inflections_share_one_feature_in_english_and_french():
    texts = [
        "ACE inhibitors in heart failure",
        "an ACE inhibitor for heart failure",
        "les données de santé des patients hospitalisés",
        "la donnée de santé du patient hospitalisé",
    ]
    stemmed = Tfidf(min_df=1, stop_words=None, ngram_range=(1, 1)).fit_transform(texts)
    plain = Tfidf(min_df=1, stop_words=None, ngram_range=(1, 1), stem=False).fit_transform(texts)
    tokenizer = StemmingTokenizer()
    assert tokenizer("ace inhibitors") == tokenizer("ace inhibitor")
    # French plural and singular (and the participle's agreement) meet only with the French stemmer.
    assert tokenizer("les données des patients hospitalisés") == tokenizer(
        "les donnée des patient hospitalisé"
    )
    # Unigram features of records 0/1 differ only by the article "an"/"in"/"for": stems otherwise match.
    shared = set(stemmed[0].indices) & set(stemmed[1].indices)
    assert len(shared) > len(set(plain[0].indices) & set(plain[1].indices))


def test_language_guess():
    assert guess_language(WORD.findall("the effect of taxes on the choice of food")) == "english"
    assert (
        guess_language(WORD.findall("l'effet des taxes sur le choix des aliments et leur prix")) == "french"
    )
    assert guess_language([]) == "english"
    # a French title with an English loan word stays French
    assert guess_language(WORD.findall("les big data dans la santé publique")) == "french"


def test_stop_words_are_removed_before_stemming():
    """ "being" is a stop word; its stem "be" would not be in the list if stemming came first."""
    tokenizer = StemmingTokenizer(ENGLISH_STOP_WORDS)
    assert tokenizer("being treated") == ["treat"]
    assert StemmingTokenizer()("being treated") == ["be", "treat"]


def test_unknown_stop_word_list_is_refused():
    import pytest

    with pytest.raises(ValueError, match="unknown stop word list 'french'"):
        Tfidf(stop_words="french").fit_transform(["a text", "another text"])


def test_tokenizer_pickles_and_keeps_working():
    tokenizer = StemmingTokenizer(["the"])
    tokenizer("the inhibitors")  # fill the cache
    clone = pickle.loads(pickle.dumps(tokenizer))
    assert clone("the inhibitors") == tokenizer("the inhibitors") == ["inhibitor"]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_one_stem_per_word(text):
    """Stemming never splits, drops or invents a word: one non-empty stem per token, in order."""
    lowered = text.lower()
    stems = StemmingTokenizer()(lowered)
    assert len(stems) == len(WORD.findall(lowered))
    assert all(stems)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(alphabet="abcdefghij éèà", max_size=40), min_size=1, max_size=12))
def test_stem_false_is_scikit_learn(texts):
    """``stem=False`` is exactly scikit-learn's vectoriser (same settings), so the switch changes nothing else."""
    ours = Tfidf(min_df=1, max_df=1.0, stop_words=None, stem=False).fit_transform(texts)
    try:
        theirs = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, dtype=np.float64).fit_transform(texts)
    except ValueError:
        assert ours.shape == (len(texts), 0)
        return
    assert np.allclose(ours.toarray(), theirs.toarray())
