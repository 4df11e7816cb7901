"""Agreement between coders on the project's transcripts: the database side of the pure computation in
``benefice.interviews.agreement`` (which the ``interviews agreement`` command also runs on files).
"""

from __future__ import annotations

from collections import Counter

from benefice.errors import BeneficeError
from benefice.i18n import gettext_noop
from benefice.interviews.agreement import Coding as AgreementCoding
from benefice.interviews.agreement import agreement
from benefice.interviews.models import Coder, Coding, InterviewProject, Transcript


def _labels(objects, attribute: str) -> dict[int, str]:
    """Display names, disambiguated when two objects share one (agreement keys must be unique)."""
    counts = Counter(getattr(o, attribute) for o in objects)
    return {o.pk: getattr(o, attribute) if counts[getattr(o, attribute)] == 1 else f"{getattr(o, attribute)} #{o.pk}"
            for o in objects}  # fmt: skip


def agreement_for(project: InterviewProject, coders: list[Coder], transcripts: list[Transcript]) -> dict:
    """Character-level agreement (``agreement.agreement``) of the chosen coders on the chosen transcripts."""
    if len(coders) < 2:
        raise BeneficeError(gettext_noop("choose at least two coders"), field="coders")
    if not transcripts:
        raise BeneficeError(gettext_noop("choose at least one transcript"), field="transcripts")
    coder_names = _labels(coders, "name")
    document_names = {t.pk: f"{t.title} #{t.pk}" for t in transcripts}
    codings = list(
        Coding.objects.filter(coder__in=coders, selection__transcript__in=transcripts).select_related(
            "selection", "code"
        )
    )
    code_names = _labels({c.code for c in codings}, "name")
    rows = [
        AgreementCoding(
            coder_names[c.coder_id],
            document_names[c.selection.transcript_id],
            c.selection.start,
            c.selection.end,
            code_names[c.code_id],
        )
        for c in codings
    ]
    lengths = {document_names[t.pk]: len(t.text) for t in transcripts}
    result = agreement(rows, lengths)
    texts = {document_names[t.pk]: t.text for t in transcripts}
    for item in result["disagreements"]:
        item["quote"] = texts[item["document"]][item["start"] : item["end"]]
    return result
