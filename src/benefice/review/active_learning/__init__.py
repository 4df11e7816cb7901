"""Active learning for title/abstract screening, with the parts swappable as in ASReview.

A model is five parts (:class:`ScreeningModel`): a **feature extractor** turning texts into a sparse matrix, a
**classifier** scoring records, a **balancer** weighting the (very unbalanced) training set, a **querier**
turning scores into the order in which records are shown, and optionally a **stopper**
(:mod:`benefice.review.stopping`). Any object with the same methods can replace a part.

Why it is fast enough for 100,000 records:

- features are computed **once** for all records (TF-IDF is unsupervised, so fitting the vocabulary on
  every text, labelled or not, leaks no label and never needs refitting);
- retraining touches only the labelled rows (naive Bayes is two sparse sums; the linear models run
  liblinear on a few hundred or thousand rows), then one sparse matrix-vector product scores everyone;
- :class:`Screener` keeps the last ranking as an immutable snapshot, so ``next()`` is a pointer walk that
  never waits for training, which may run in another thread or process (the web app's worker,
  ``review.worker``). Decisions are stored before any retraining starts, so a crash while training loses
  no decision: the error reaches the caller and the previous ranking stays in use.

Classifiers rank with decision values (log-odds for naive Bayes and logistic regression, the signed
margin for the SVM) rather than calibrated probabilities: calibration is monotone, so it cannot change the
"most relevant first" order, and log-odds do not saturate at 1.0 the way probabilities do, which would
create ties among the top records.

One module per kind of part, as ASReview keeps them (``feature_extraction``, ``classifiers``, ``balance``,
``query``), plus ``model`` (the five parts and the named configurations) and ``screener``; this package
re-exports every name callers use. Pure: numpy, scipy, scikit-learn, no Django.
"""


from benefice.review.active_learning.balance import (
    Balancer,
    ClassWeights,
    DynamicResampling,
)
from benefice.review.active_learning.classifiers import (
    Classifier,
    LinearSVM,
    Logistic,
    NaiveBayes,
)
from benefice.review.active_learning.feature_extraction import (
    FeatureExtractor,
    Tfidf,
)
from benefice.review.active_learning.model import (
    MODEL_NAMES,
    ScreeningModel,
    make_model,
    record_text,
)
from benefice.review.active_learning.query import (
    MaxRelevance,
    Mixed,
    Querier,
    RandomOrder,
    Uncertainty,
)
from benefice.review.active_learning.screener import (
    UNLABELLED,
    RankingSnapshot,
    Screener,
)

__all__ = [
    "Balancer",
    "ClassWeights",
    "Classifier",
    "DynamicResampling",
    "FeatureExtractor",
    "LinearSVM",
    "Logistic",
    "MODEL_NAMES",
    "MaxRelevance",
    "Mixed",
    "ScreeningModel",
    "NaiveBayes",
    "Querier",
    "RandomOrder",
    "RankingSnapshot",
    "Screener",
    "Tfidf",
    "UNLABELLED",
    "Uncertainty",
    "make_model",
    "record_text",
]
