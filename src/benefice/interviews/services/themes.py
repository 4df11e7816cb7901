"""Theme suggestions: candidate themes from the mostly uncoded speaker turns (NMF over TF-IDF), offered
to the team as suggestions labelled with their method, and turned into theme codes only when accepted.
"""

from __future__ import annotations

import re

from benefice.core.models import audit
from benefice.errors import BeneficeError
from benefice.i18n import gettext_noop
from benefice.interviews.models import Code, InterviewProject, Selection, ThemeSuggestion, Transcript
from benefice.interviews.services._shared import _type
from benefice.interviews.services.codebook import create_code

_PLACEHOLDER = re.compile(r"\[[A-Z_]+_\d+\]")


def uncoded_segments(transcripts) -> list[tuple[Transcript, int, int, str]]:
    """Speaker turns (or lines) that are mostly uncoded: the material for suggesting new themes."""
    out = []
    for transcript in transcripts:
        covered = bytearray(len(transcript.text))
        for start, end in Selection.objects.filter(transcript=transcript, codings__isnull=False).values_list(
            "start", "end"
        ):
            covered[start:end] = b"\x01" * (end - start)
        spans = [(t["start"], t["end"]) for t in transcript.turns] or [
            (m.start(), m.end()) for m in re.finditer(r"[^\n]+", transcript.text)
        ]
        for start, end in spans:
            if end - start < 40:
                continue
            if sum(covered[start:end]) / (end - start) < 0.5:
                out.append((transcript, start, end, transcript.text[start:end]))
    return out


def suggest_themes(project: InterviewProject, transcripts, user, topics: int = 5) -> list[ThemeSuggestion]:
    """Candidate themes: NMF topics over TF-IDF of uncoded turns. Suggestions only, labelled with the method."""
    # deferred: scikit-learn takes seconds to import and only theme suggestions need it
    import sklearn
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    segments = uncoded_segments(transcripts)
    if len(segments) < 3:
        raise BeneficeError(
            gettext_noop(
                "only %(n)s mostly uncoded speaker turns: too little text to suggest themes (need 3)"
            ),
            params={"n": len(segments)},
        )
    stop_words = _stop_words()
    vectorizer = TfidfVectorizer(
        stop_words=sorted(stop_words),
        token_pattern=r"(?u)\b[^\W\d_][\w'-]{2,}\b",
        ngram_range=(1, 2),
        max_df=0.9,
        min_df=1,
        sublinear_tf=True,
    )
    documents = [_PLACEHOLDER.sub(" ", text).lower() for _t, _s, _e, text in segments]
    try:
        matrix = vectorizer.fit_transform(documents)
    except ValueError:
        raise BeneficeError(gettext_noop("the uncoded text holds no usable words to suggest themes from")) from None
    k = max(1, min(topics, len(segments) - 1, matrix.shape[1] - 1))
    model = NMF(n_components=k, init="nndsvd", random_state=0, max_iter=500)
    weights = model.fit_transform(matrix)
    terms = vectorizer.get_feature_names_out()
    method = (
        f"NMF, {k} topics (scikit-learn {sklearn.__version__}), on TF-IDF (words and pairs of words, "
        f"stop words removed) of {len(segments)} mostly uncoded speaker turns; top terms per topic and the "
        "turns that weigh most"
    )
    project.suggestions.filter(status=ThemeSuggestion.OPEN).delete()
    created = []
    for topic in range(k):
        top = [str(terms[i]) for i in model.components_[topic].argsort()[::-1][:8]]
        best = weights[:, topic].argsort()[::-1][:3]
        examples = [
            {"transcript": segments[i][0].pk, "start": segments[i][1], "end": segments[i][2]}
            for i in best
            if weights[i, topic] > 0
        ]
        created.append(
            ThemeSuggestion.objects.create(
                project=project, label=" · ".join(top[:3]), terms=top, segments=examples, method=method
            )
        )
    audit(
        "suggest",
        _type(project),
        project.pk,
        after={"suggestions": len(created), "method": method},
        user=user,
    )
    return created


def _stop_words() -> set[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS  # deferred, as in suggest_themes

    words = set(ENGLISH_STOP_WORDS)
    try:
        from spacy.lang.fr.stop_words import STOP_WORDS  # deferred: spaCy is heavy to import

        words |= set(STOP_WORDS)
    except ImportError:  # pragma: no cover - spaCy is a dependency of pseudonymisation
        pass
    words |= {"euh", "ben", "bah", "hum", "voilà", "enfin", "quoi", "truc", "oui", "non", "ouais", "bon"}
    return {w for w in words if re.fullmatch(r"[^\W\d_][\w'-]{2,}", w)}


def accept_suggestion(suggestion: ThemeSuggestion, user) -> Code:
    """Turn a suggestion into a theme code whose memo says where it came from."""
    code = create_code(
        suggestion.project,
        suggestion.label,
        user,
        is_theme=True,
        memo=f"Suggestion ({suggestion.method}); terms: {', '.join(suggestion.terms)}",
    )
    suggestion.status = ThemeSuggestion.ACCEPTED
    suggestion.save(update_fields=["status"])
    return code
