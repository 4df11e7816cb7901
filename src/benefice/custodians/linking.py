"""Candidate links between a custodian's projects and the publications of the corpus (pure, no Django).

A directory says which projects were authorised; the corpus says what was published. Nothing ties the two:
publications rarely cite the project reference. A link is therefore a *candidate* scored on four kinds of
evidence, each kept separately so the person who confirms or rejects it sees why it was proposed:

- text: TF-IDF cosine between the project's title and objectives and the publication's title and abstract
  (word unigrams and bigrams over accent-folded text, fitted on both sides so rare shared words weigh most);
- people: the data controllers of the project found among the affiliations and its investigators among the
  authors (rapidfuzz partial ratio on folded names, so "Inserm" matches "INSERM U1018, Villejuif");
- sources: the share of the project's registry sources the publication was detected using (a component
  counts for its parent and the reverse: a DCIR study uses the SNDS);
- dates: a publication cannot come from a project that had not started; the year before the start is
  tolerated (directories give the authorisation date, teams publish protocols early), earlier is excluded.

The score is a weighted mean of the components that could be measured (a publication without affiliations
or without detected sources is scored on what it has: missing data is not evidence against a link); dates
act as a gate. Weights and the threshold are
parameters, so they can be tuned against links people confirmed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from benefice.sources.registry import fold

WEIGHTS = {"text": 0.5, "people": 0.2, "sources": 0.3}
THRESHOLD = 0.25
MIN_TEXT = 0.1


@dataclass(frozen=True)
class ProjectText:
    """What linking needs of a project."""

    reference: str
    title: str
    objectives: str = ""
    organisations: tuple[str, ...] = ()  # data controllers
    investigators: tuple[str, ...] = ()  # people's names
    sources: tuple[str, ...] = ()  # registry ids
    start_year: int | None = None


@dataclass(frozen=True)
class PublicationText:
    """What linking needs of a publication."""

    id: int
    title: str
    abstract: str = ""
    authors: tuple[str, ...] = ()  # author names
    affiliations: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()  # registry ids detected as used
    year: int | None = None


@dataclass
class Candidate:
    reference: str
    publication_id: int
    score: float
    components: dict[str, Any] = field(default_factory=dict)


def _found(needle: str, haystack: list[str]) -> bool:
    from rapidfuzz import fuzz

    key = fold(needle)
    return len(key) >= 3 and any(
        fuzz.partial_ratio(key, h) >= 90 for h in haystack if len(h) >= len(key) * 0.5
    )


def _people_score(project: ProjectText, pub: PublicationText) -> tuple[float | None, list[str]]:
    """Share of the comparable people found: data controllers among the affiliations (when the publication
    has affiliations) and investigators among the authors (when the project lists investigators). None when
    nothing can be compared: missing affiliations are no evidence against a link."""
    pairs = []
    if pub.affiliations:
        haystack = [fold(a) for a in pub.affiliations if a]
        pairs += [(o, haystack) for o in project.organisations if o]
    if pub.authors:
        haystack = [fold(a) for a in pub.authors if a]
        pairs += [(i, haystack) for i in project.investigators if i]
    if not pairs:
        return None, []
    matched = [name for name, haystack in pairs if _found(name, haystack)]
    return len(matched) / len(pairs), matched


def _source_score(
    project: Sequence[str], publication: Sequence[str], family: Callable[[str], set[str]] | None
) -> tuple[float | None, list[str]]:
    if not project or not publication:
        return None, []  # a publication whose sources were not detected is no evidence against a link
    found = []
    pub = set(publication)
    for sid in project:
        related = {sid} | (family(sid) if family else set())
        if related & pub:
            found.append(sid)
    return len(found) / len(project), found


def _date_gate(start_year: int | None, year: int | None) -> tuple[bool, str]:
    if start_year is None or year is None:
        return True, "unknown"
    if year >= start_year:
        return True, "after start"
    if year == start_year - 1:
        return True, "year before start"
    return False, "before start"


def text_similarity(
    left: Sequence[str], right: Sequence[str], *, minimum: float = 0.0
) -> dict[tuple[int, int], float]:
    """Cosine similarity between left and right texts under one TF-IDF model (folded text, words and word
    pairs), as {(i, j): similarity} for the pairs at or above ``minimum`` that share at least one term. The
    product stays sparse, so a directory of thousands of projects against a large corpus fits in memory."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = [fold(t) for t in list(left) + list(right)]
    if not left or not right or not any(d.strip() for d in docs):
        return {}
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True, stop_words=_STOP)
    try:
        matrix = vectorizer.fit_transform(docs)  # rows are L2-normalised: the dot product is the cosine
    except ValueError:  # only stop words
        return {}
    product = (matrix[: len(left)] @ matrix[len(left) :].T).tocoo()
    return {
        (int(i), int(j)): float(v)
        for i, j, v in zip(product.row, product.col, product.data, strict=True)
        if v >= minimum and v > 0
    }


def score_links(
    projects: Iterable[ProjectText],
    publications: Iterable[PublicationText],
    *,
    family: Callable[[str], set[str]] | None = None,
    weights: Mapping[str, float] = WEIGHTS,
    threshold: float = THRESHOLD,
    min_text: float = MIN_TEXT,
) -> list[Candidate]:
    """Candidates with a score at or above ``threshold``, best first. ``family(source_id)`` gives the ids a
    source is considered equivalent to (its ancestors and descendants in the registry). Only pairs whose
    texts are at least ``min_text`` similar are scored: people and sources alone (the same controller, the
    SNDS) are shared by too many unrelated studies to propose a link."""
    projects = list(projects)
    publications = list(publications)
    if not projects or not publications:
        return []
    sims = text_similarity(
        [f"{p.title} {p.objectives}" for p in projects],
        [f"{p.title} {p.abstract}" for p in publications],
        minimum=min_text,
    )
    out: list[Candidate] = []
    for (i, j), text in sims.items():
        project, pub = projects[i], publications[j]
        allowed, date_note = _date_gate(project.start_year, pub.year)
        if not allowed:
            continue
        people, matched_people = _people_score(project, pub)
        sources, matched_sources = _source_score(project.sources, pub.sources, family)
        parts = {"text": text}
        if people is not None:
            parts["people"] = people
        if sources is not None:
            parts["sources"] = sources
        total_weight = sum(weights[k] for k in parts)
        score = sum(weights[k] * v for k, v in parts.items()) / total_weight if total_weight else 0.0
        if score < threshold:
            continue
        out.append(
            Candidate(
                project.reference,
                pub.id,
                round(score, 4),
                {
                    "text": round(text, 4),
                    "people": None if people is None else round(people, 4),
                    "people_matched": matched_people,
                    "sources": None if sources is None else round(sources, 4),
                    "sources_matched": matched_sources,
                    "dates": date_note,
                },
            )
        )
    out.sort(key=lambda c: (-c.score, c.reference, c.publication_id))
    return out


_STOP = sorted(
    set(
        "a an and are as at be by for from in into is of on or the to with within among after before during "
        "au aux avec ce ces dans de des du en et la le les leur leurs par pour sur un une chez entre "
        "etude study france french francais francaise national nationale nationwide cohort cohorte data "
        "donnees analysis analyse risk risque".split()
    )
)
