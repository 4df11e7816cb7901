"""Groundings: codes and quotes of interview projects that support an indicator of the impact catalogue,
shown on the indicator's page only to members of the project, and quotes only as their role allows.
"""

from __future__ import annotations

from benefice.core.models import audit
from benefice.errors import BeneficeError
from benefice.i18n import gettext_noop
from benefice.indicators.catalogue import load_indicators
from benefice.interviews.models import Code, Coding, IndicatorGrounding, Membership
from benefice.interviews.services.access import visible_transcripts


def indicator_codes() -> dict[str, object]:
    return load_indicators().indicators


def add_grounding(code: Code, indicator_code: str, user, *, quote: Coding | None = None, note: str = ""):
    indicators = indicator_codes()
    if indicator_code not in indicators:
        raise BeneficeError(
            gettext_noop("unknown indicator “%(code)s”"), params={"code": indicator_code}, field="indicator"
        )
    if quote is not None and quote.code.project_id != code.project_id:
        raise BeneficeError(gettext_noop("the quote comes from another project"), field="quote")
    grounding = IndicatorGrounding.objects.create(
        indicator_code=indicator_code, code=code, quote=quote, note=note.strip(), created_by=user
    )
    audit(
        "ground",
        "interviews.IndicatorGrounding",
        grounding.pk,
        after={"indicator": indicator_code, "code": code.name, "quote": quote.pk if quote else None},
        user=user,
    )
    return grounding


def groundings_for(indicator_code: str, user) -> list[dict]:
    """Codes and quotes supporting an indicator, only from projects the user belongs to."""
    rows = []
    memberships = dict(Membership.objects.filter(user=user).values_list("project_id", "role")) if user else {}
    groundings = IndicatorGrounding.objects.filter(
        indicator_code=indicator_code, code__project_id__in=list(memberships)
    ).select_related("code__project", "quote__selection__transcript__participant", "created_by")
    for grounding in groundings:
        project = grounding.code.project
        quote = None
        if grounding.quote is not None:
            transcript = grounding.quote.selection.transcript
            if visible_transcripts(project, memberships[project.pk]).filter(pk=transcript.pk).exists():
                quote = {"text": grounding.quote.selection.quote, "transcript": transcript}
        rows.append({"grounding": grounding, "project": project, "quote": quote})
    return rows
