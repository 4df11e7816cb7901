"""A model is its five swappable parts; ``make_model`` gives the named configurations with our defaults.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from benefice.review.active_learning.balance import Balancer, ClassWeights
from benefice.review.active_learning.classifiers import Classifier, LinearSVM, Logistic, NaiveBayes
from benefice.review.active_learning.feature_extraction import FeatureExtractor, Tfidf
from benefice.review.active_learning.query import MaxRelevance, Querier

# --------------------------------------------------------------------------------------------------
# ScreeningModel = the five parts


@dataclass
class ScreeningModel:
    """One active learning configuration; every part can be replaced by a compatible object."""

    classifier: Classifier
    feature_extractor: FeatureExtractor = field(default_factory=Tfidf)
    balancer: Balancer | None = field(default_factory=ClassWeights)
    querier: Querier = field(default_factory=MaxRelevance)
    stopper: object | None = None

    @property
    def name(self) -> str:
        parts = [self.feature_extractor.name, self.classifier.name, self.querier.name]
        if self.balancer is not None:
            parts.append(self.balancer.name)
        return "-".join(parts)


MODEL_NAMES = ("nb", "logistic", "svm")


def make_model(name: str = "svm") -> ScreeningModel:
    """The named configuration with our defaults (TF-IDF, balanced class weights, most relevant first).

    Defaults are textbook values, not tuned on the benchmark data: Laplace smoothing for naive Bayes and
    C=1 for the linear models, with equal total weight for the two classes. Every model reads stemmed words
    (:mod:`benefice.review.text`). The SVM (the default) reads the unfiltered vocabulary
    (``Tfidf(min_df=1, stop_words=None)``, as ASReview's SVM default does); naive Bayes and logistic
    regression read the filtered one (:class:`Tfidf` defaults). Measured in ``benchmarks/README.md``
    ("screening"): the unfiltered vocabulary lifts the SVM's WSS@95 by 10-13 points on two of four sets and
    costs at most two points on the other two, while it costs naive Bayes up to 5 points; stemming lifts
    the SVM on all four sets.
    """
    classifiers: dict[str, Callable[[], Classifier]] = {
        "nb": NaiveBayes,
        "logistic": Logistic,
        "svm": LinearSVM,
    }
    if name not in classifiers:
        raise ValueError(f"unknown model {name!r}; choose one of {', '.join(MODEL_NAMES)}")
    if name == "svm":
        # A regularised margin model weighs every feature itself, so it gets the full vocabulary: stop
        # words kept (they carry the bigrams "effect of", "based on", "in children" and the phrasing of a
        # field) and terms seen in a single record kept (they cost nothing; L2 keeps their weights small).
        # Naive Bayes, which cannot discount uninformative frequent words, keeps the filtered vocabulary.
        return ScreeningModel(classifier=LinearSVM(), feature_extractor=Tfidf(min_df=1, stop_words=None))
    return ScreeningModel(classifier=classifiers[name]())


def record_text(title: str | None, abstract: str | None) -> str:
    """The text a model sees: title then abstract (either may be empty)."""
    return " ".join(part.strip() for part in (title or "", abstract or "") if part and part.strip())
