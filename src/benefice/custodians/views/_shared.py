"""Names the custodian pages share: the outcome labels are translated per request, so the active language
applies.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

OUTCOME_LABELS = {
    "publications": gettext_lazy("Publications"),
    "collaborations": gettext_lazy("Collaborations and partnerships"),
    "further_funding": gettext_lazy("Further funding"),
    "engagement_activities": gettext_lazy("Engagement activities"),
    "influence_on_policy": gettext_lazy("Influence on policy, practice, patients and the public"),
    "research_tools_methods": gettext_lazy("Research tools and methods (e.g. algorithms)"),
    "research_databases_models": gettext_lazy("Research databases and models (e.g. datasets)"),
    "intellectual_property": gettext_lazy("Intellectual property and licensing"),
    "medical_products_interventions": gettext_lazy("Medical products, interventions and clinical trials"),
    "software_technical_products": gettext_lazy("Software and technical products"),
    "other_outputs": gettext_lazy("Other outputs and knowledge (e.g. reports)"),
}


def _outcome_labels() -> dict[str, str]:
    # evaluated per request so the active language applies
    return {key: str(label) for key, label in OUTCOME_LABELS.items()}


def _int(value, default: int) -> int:
    try:
        return max(0, min(int(value), 50))
    except (TypeError, ValueError):
        return default


def error_text(exc) -> str:
    """A ``BeneficeError`` as the reader reads it: in the page's language, a file named without its
    directory; without a file, line or record, the message alone (the field's internal name means nothing
    to a reader: the form shows where)."""
    from benefice.core.forms import reader_language

    lang = reader_language()
    if exc.path or exc.line is not None or exc.record is not None:
        return exc.localized(lang, name_only=True)
    return exc.localized_message(lang)
