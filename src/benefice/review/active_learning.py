"""Active learning for title/abstract screening, with the parts swappable as in ASReview.

A model is five parts (:class:`Model`): a **feature extractor** turning texts into a sparse matrix, a
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
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from scipy import sparse

UNLABELLED = -1


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
        from sklearn.feature_extraction.text import TfidfVectorizer

        texts = list(texts)
        # On tiny sets min_df=2 / max_df=0.95 could leave no vocabulary at all: relax them there.
        min_df = self.min_df if len(texts) >= 20 else 1
        max_df = self.max_df if len(texts) >= 20 else 1.0
        if self.stem:
            from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

            from benefice.review.text import StemmingTokenizer

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


# --------------------------------------------------------------------------------------------------
# Classifiers: fit(X, y, sample_weight) then score(X) -> higher means more likely relevant


class Classifier(Protocol):
    name: str
    centre: float  # the score of a record the model is undecided about (used by uncertainty sampling)

    def fit(self, X: sparse.csr_matrix, y: np.ndarray, sample_weight: np.ndarray | None = None) -> None: ...

    def score(self, X: sparse.csr_matrix) -> np.ndarray: ...


class NaiveBayes:
    """Multinomial naive Bayes on TF-IDF weights, scored as log-odds.

    Written out (two weighted sparse sums) instead of wrapping scikit-learn so that a retraining costs a
    few milliseconds even with 100,000 records: only the labelled rows are summed and one matrix-vector
    product scores all records.
    """

    name = "nb"
    centre = 0.0

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = alpha
        self._weights: np.ndarray | None = None
        self._bias = 0.0

    def fit(self, X: sparse.csr_matrix, y: np.ndarray, sample_weight: np.ndarray | None = None) -> None:
        y = np.asarray(y)
        w = np.ones(y.size) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        log_probs = []
        class_totals = []
        for cls in (0, 1):
            wc = np.where(y == cls, w, 0.0)
            counts = np.asarray(X.T @ wc).ravel() + self.alpha
            log_probs.append(np.log(counts) - np.log(counts.sum()))
            class_totals.append(wc.sum())
        self._weights = log_probs[1] - log_probs[0]
        self._bias = float(np.log(class_totals[1]) - np.log(class_totals[0]))

    def score(self, X: sparse.csr_matrix) -> np.ndarray:
        if self._weights is None:
            raise RuntimeError("fit the classifier first")
        return np.asarray(X @ self._weights).ravel() + self._bias


class _Linear:
    """Shared wrapper for scikit-learn linear models scored with their decision function."""

    name = "linear"
    centre = 0.0

    def _make(self):  # pragma: no cover - overridden
        raise NotImplementedError

    def fit(self, X: sparse.csr_matrix, y: np.ndarray, sample_weight: np.ndarray | None = None) -> None:
        self._model = self._make()
        self._model.fit(X, y, sample_weight=sample_weight)

    def score(self, X: sparse.csr_matrix) -> np.ndarray:
        coef = np.asarray(self._model.coef_).ravel()
        return np.asarray(X @ coef).ravel() + float(np.ravel(self._model.intercept_)[0])


class Logistic(_Linear):
    """L2-regularised logistic regression (liblinear), ranked by log-odds."""

    name = "logistic"

    def __init__(self, C: float = 1.0) -> None:
        self.C = C

    def _make(self):
        from sklearn.linear_model import LogisticRegression

        # The dual liblinear solver: with far more features than labelled records it is 10-100 times
        # faster than the primal or lbfgs solvers here, for the same optimum.
        return LogisticRegression(C=self.C, solver="liblinear", dual=True, max_iter=1000, random_state=0)


class LinearSVM(_Linear):
    """Linear support vector machine (squared hinge loss), ranked by the signed distance to the margin.

    The problem is liblinear's (L2-regularised L2-loss SVC, bias as a regularised constant feature); the
    default solver (``solver="warm"``, :mod:`benefice.review.dcd`) is liblinear's dual coordinate descent
    warm-started from the previous retraining's dual variables, so that a retraining after one more
    decision takes one or two passes over the labelled records instead of seven to nine, without copying
    them. It reaches the same optimum as scikit-learn's ``LinearSVC`` (test: coefficients equal to 1e-5 at
    a tight tolerance). ``solver="liblinear"`` calls ``LinearSVC`` from zero at every retraining.

    ``tol`` is the stopping tolerance of the dual solver: 0.1, liblinear's own default for this solver
    (its ``-e`` option, "dual maximal violation"), where scikit-learn sets ``1e-4``. Screening needs the
    order of the records, not the optimum to four decimals (``benchmarks/README.md``, "screening": same
    WSS@95 on the four benchmark sets at 1e-4 and 0.1). Record order within a pass comes from a fixed
    seed, so every retraining, and so a simulation, is reproducible.
    """

    name = "svm"

    def __init__(self, C: float = 1.0, tol: float = 0.1, solver: str = "warm") -> None:
        if solver not in ("warm", "liblinear"):
            raise ValueError(f"unknown SVM solver {solver!r}: 'warm' or 'liblinear'")
        self.C = C
        self.tol = tol
        self.solver = solver
        self._warm = None

    def _make(self):
        if self.solver == "warm":
            from benefice.review.dcd import WarmDualSVM

            return WarmDualSVM(C=self.C, tol=self.tol, max_iter=5000)
        from sklearn.svm import LinearSVC

        return LinearSVC(
            C=self.C, loss="squared_hinge", dual=True, tol=self.tol, max_iter=5000, random_state=0
        )

    def prepare(self) -> None:
        """Load the compiled solver before the first retraining (see :func:`benefice.review.dcd.warm_up`)."""
        if self.solver == "warm":
            from benefice.review.dcd import warm_up

            warm_up()

    def fit(self, X: sparse.csr_matrix, y: np.ndarray, sample_weight: np.ndarray | None = None) -> None:
        if self.solver == "liblinear":
            super().fit(X, y, sample_weight)
            return
        self._model = self._make()
        X = sparse.csr_matrix(X)
        self._model.fit_rows(X, np.arange(X.shape[0]), y, sample_weight)

    def fit_rows(
        self,
        features: sparse.csr_matrix,
        rows: np.ndarray,
        y: np.ndarray,
        sample_weight: np.ndarray | None = None,
    ) -> None:
        """Fit on ``features[rows]``; the warm solver keeps its state for the next call on ``features``."""
        if self.solver == "liblinear":
            self.fit(features[rows], y, sample_weight)
            return
        if self._warm is None:
            self._warm = self._make()
        self._warm.fit_rows(features, rows, y, sample_weight)
        self._model = self._warm


# --------------------------------------------------------------------------------------------------
# Balancers: sample weights (or a subset) for the labelled records


class Balancer(Protocol):
    name: str

    def weights(self, y: np.ndarray, rng: np.random.Generator) -> np.ndarray: ...


class ClassWeights:
    """Weight records so that relevant ones weigh ``ratio`` times more in total than irrelevant ones.

    Screening sets hold 1–5% relevant records; unweighted, a model learns "everything is irrelevant"
    and its ranking of the few likely positives becomes noisy. ``ratio=1`` gives both classes the same
    total weight. Weights are rescaled to sum to the number of records so that regularisation strength
    keeps its meaning as the training set grows.
    """

    name = "balanced"

    def __init__(self, ratio: float = 1.0) -> None:
        self.ratio = ratio

    def weights(self, y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        y = np.asarray(y)
        n_pos, n_neg = int((y == 1).sum()), int((y == 0).sum())
        if n_pos == 0 or n_neg == 0:
            return np.ones(y.size)
        w = np.where(y == 1, 1.0, n_pos / (self.ratio * n_neg))
        return w * (y.size / w.sum())


class DynamicResampling:
    """Undersample irrelevant records to at most ``ratio`` per relevant one (a fresh draw each time).

    A cheaper alternative to weights on very large projects: training cost then grows with the number
    of relevant records, not with the number screened. Records left out get weight 0.
    """

    name = "resample"

    def __init__(self, ratio: float = 10.0) -> None:
        self.ratio = ratio

    def weights(self, y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        y = np.asarray(y)
        pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
        keep = min(neg.size, max(1, int(round(self.ratio * max(pos.size, 1)))))
        w = np.zeros(y.size)
        w[pos] = 1.0
        w[rng.choice(neg, size=keep, replace=False)] = 1.0
        return w


# --------------------------------------------------------------------------------------------------
# Queriers: order the unlabelled records


class Querier(Protocol):
    name: str

    def order(self, scores: np.ndarray, centre: float, rng: np.random.Generator) -> np.ndarray: ...


class MaxRelevance:
    """Most likely relevant first (what a reviewer wants: relevant records early)."""

    name = "max"

    def order(self, scores: np.ndarray, centre: float, rng: np.random.Generator) -> np.ndarray:
        return np.argsort(-scores, kind="stable")


class Uncertainty:
    """Records the model is least sure about first (better models, fewer relevant records early)."""

    name = "uncertainty"

    def order(self, scores: np.ndarray, centre: float, rng: np.random.Generator) -> np.ndarray:
        return np.argsort(np.abs(scores - centre), kind="stable")


class RandomOrder:
    """Random order: the baseline every metric is measured against."""

    name = "random"

    def order(self, scores: np.ndarray, centre: float, rng: np.random.Generator) -> np.ndarray:
        return rng.permutation(scores.size)


class Mixed:
    """Interleave two queriers: each position comes from ``first`` with probability ``share``.

    ``Mixed(MaxRelevance(), Uncertainty(), 0.95)`` mostly shows likely relevant records but keeps
    exploring, which protects against a model stuck on one kind of relevant record.
    """

    def __init__(
        self, first: Querier | None = None, second: Querier | None = None, share: float = 0.95
    ) -> None:
        self.first = first or MaxRelevance()
        self.second = second or Uncertainty()
        self.share = share
        self.name = f"{self.first.name}_{self.second.name}"

    def order(self, scores: np.ndarray, centre: float, rng: np.random.Generator) -> np.ndarray:
        a = self.first.order(scores, centre, rng)
        b = self.second.order(scores, centre, rng)
        from_first = rng.random(scores.size) < self.share
        taken = np.zeros(scores.size, dtype=bool)
        out = np.empty(scores.size, dtype=np.int64)
        i = j = 0
        for pos in range(scores.size):
            source, cursor = (a, i) if from_first[pos] else (b, j)
            while taken[source[cursor]]:
                cursor += 1
            out[pos] = source[cursor]
            taken[source[cursor]] = True
            if from_first[pos]:
                i = cursor + 1
            else:
                j = cursor + 1
            while i < a.size and taken[a[i]]:
                i += 1
            while j < b.size and taken[b[j]]:
                j += 1
            if i >= a.size:
                out[pos + 1 :] = [x for x in b[j:] if not taken[x]]
                break
            if j >= b.size:
                out[pos + 1 :] = [x for x in a[i:] if not taken[x]]
                break
        return out


# --------------------------------------------------------------------------------------------------
# Model = the five parts


@dataclass
class Model:
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


def make_model(name: str = "svm") -> Model:
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
        return Model(classifier=LinearSVM(), feature_extractor=Tfidf(min_df=1, stop_words=None))
    return Model(classifier=classifiers[name]())


def record_text(title: str | None, abstract: str | None) -> str:
    """The text a model sees: title then abstract (either may be empty)."""
    return " ".join(part.strip() for part in (title or "", abstract or "") if part and part.strip())


# --------------------------------------------------------------------------------------------------
# Screener: the state of one screening session


@dataclass(frozen=True)
class Ranking:
    """An immutable ranking snapshot: safe to read from any thread while a new one is computed."""

    order: np.ndarray  # record indices, unlabelled at training time, best first
    scores: np.ndarray | None  # classifier scores for all records (None before a model could be trained)
    trained_on: int  # number of labelled records used
    version: int  # increases with every new ranking
    seconds: float  # time the retraining took


class Screener:
    """A screening session: labels and the current ranking (the web app retrains in the task queue,
    ``review.worker``; a simulation calls :meth:`retrain` itself).

    ``record(i, label)`` stores a decision immediately; ``next()`` returns the best unlabelled record
    according to the latest ranking without waiting for any training; ``retrain()`` fits the model on a
    copy of the labels taken under the lock and swaps the new ranking in atomically.

    Until both classes have been seen no classifier can be trained, so records come in a random (seeded)
    order; that is how a reviewer without prior knowledge starts in ASReview too.
    """

    def __init__(self, features: sparse.spmatrix, model: Model, *, seed: int | None = None) -> None:
        # A CSR matrix is used as given, not re-wrapped (a warm-starting classifier keeps state per matrix).
        self.features = (
            features if getattr(features, "format", None) == "csr" else sparse.csr_matrix(features)
        )
        self.model = model
        prepare = getattr(model.classifier, "prepare", None)
        if prepare is not None:  # one-time set-up (a compiled solver's load) is not a retraining's cost
            prepare()
        self.n_records = self.features.shape[0]
        self._rng = np.random.default_rng(seed)
        self._labels = np.full(self.n_records, UNLABELLED, dtype=np.int8)
        self._history: list[tuple[int, int]] = []
        self._lock = threading.RLock()
        self._train_lock = threading.Lock()
        self._ranking = Ranking(self._rng.permutation(self.n_records), None, 0, 0, 0.0)
        self._cursor = 0
        self.retrain_seconds: list[float] = []

    @classmethod
    def from_texts(
        cls, texts: Sequence[str], model: Model | None = None, *, seed: int | None = None
    ) -> Screener:
        model = model or make_model()
        return cls(model.feature_extractor.fit_transform(texts), model, seed=seed)

    # -- decisions ---------------------------------------------------------------------------------

    def record(self, index: int, label: int) -> None:
        """Store a decision (0 irrelevant, 1 relevant). A later decision on the same record replaces it."""
        if label not in (0, 1):
            raise ValueError("label must be 0 or 1")
        if not 0 <= index < self.n_records:
            raise IndexError(f"record {index} out of range")
        with self._lock:
            self._labels[index] = label
            self._history.append((int(index), int(label)))

    @property
    def labels(self) -> np.ndarray:
        """A copy of the labels (-1 for unlabelled)."""
        with self._lock:
            return self._labels.copy()

    @property
    def history(self) -> list[tuple[int, int]]:
        """Every decision in order, as (record index, label), including later corrections."""
        with self._lock:
            return list(self._history)

    def labels_in_order(self) -> np.ndarray:
        """Current label of each labelled record, in the order records were first labelled."""
        with self._lock:
            seen: dict[int, None] = {}
            for index, _ in self._history:
                seen.setdefault(index, None)
            order = np.fromiter(seen, dtype=np.int64, count=len(seen))
            return self._labels[order].astype(np.int64)

    # -- ranking -----------------------------------------------------------------------------------

    def ranking(self) -> Ranking:
        """The latest ranking snapshot (immutable; never blocks on training)."""
        with self._lock:
            return self._ranking

    def next(self) -> int | None:
        """The best unlabelled record by the latest ranking, or None when all are labelled."""
        with self._lock:
            order = self._ranking.order
            while self._cursor < order.size and self._labels[order[self._cursor]] != UNLABELLED:
                self._cursor += 1
            if self._cursor < order.size:
                return int(order[self._cursor])
            # The snapshot is exhausted (records labelled since it was made); fall back to any unlabelled.
            rest = np.flatnonzero(self._labels == UNLABELLED)
            return int(rest[0]) if rest.size else None

    def retrain(self) -> Ranking:
        """Fit the model on the current labels and install the new ranking; returns it.

        Safe to call from several threads: trainings are serialised, and a ranking computed from older
        labels never replaces a newer one.
        """
        with self._train_lock:
            with self._lock:
                labels = self._labels.copy()
            started = time.perf_counter()
            labelled = np.flatnonzero(labels != UNLABELLED)
            unlabelled = np.flatnonzero(labels == UNLABELLED)
            y = labels[labelled].astype(np.int64)
            scores = None
            if labelled.size and 0 < y.sum() < y.size:
                model = self.model
                weights = model.balancer.weights(y, self._rng) if model.balancer is not None else None
                rows, y_fit = labelled, y
                if weights is not None:
                    keep = weights > 0
                    rows, y_fit, weights = labelled[keep], y[keep], weights[keep]
                fit_rows = getattr(model.classifier, "fit_rows", None)
                if fit_rows is not None:  # a classifier that reads the rows in place (and may warm-start)
                    fit_rows(self.features, rows, y_fit, weights)
                else:
                    model.classifier.fit(self.features[rows], y_fit, sample_weight=weights)
                scores = model.classifier.score(self.features)
                pool_order = model.querier.order(scores[unlabelled], model.classifier.centre, self._rng)
                order = unlabelled[pool_order]
            else:
                order = unlabelled[self._rng.permutation(unlabelled.size)]
            seconds = time.perf_counter() - started
            with self._lock:
                ranking = Ranking(order, scores, int(labelled.size), self._ranking.version + 1, seconds)
                self._ranking = ranking
                self._cursor = 0
                self.retrain_seconds.append(seconds)
                return ranking
