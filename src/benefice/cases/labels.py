"""What the case pages and cards say for a code or a number: translated names, never the raw code, and a
figure's value shown as a range only when the range has width.

The codes themselves (timeline kinds, decision scopes, provenance tags) are data, defined in ``catalogue``;
their names are UI words, so they live in the cases catalogue (gettext). The range rule itself is pure
(``catalogue.shown_value``); this module only formats what it returns in the reader's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from benefice.cases.catalogue import shown_value
from benefice.indicators.display import fmt_number

TIMELINE_KIND_NAMES = {
    "signal": _("signal"),
    "study": _("study"),
    "publication": _("later publication"),
    "decision": _("decision"),
    "report": _("report or estimate"),
    "other": _("other event"),
}
SCOPE_NAMES = {
    "national": _("national"),
    "eu": _("European Union"),
    "international": _("international"),
}
PROVENANCE_NAMES = {
    "S": _("found in an archived copy of the source"),
    "S-prev": _("from an earlier compilation of archived pages"),
    "M": _("not checked in a source"),
}

#: what the visually hidden part of "edit" / "remove" says for each kind of item of a case
CHILD_KIND_NAMES = {
    "publications": _("publication"),
    "decisions": _("decision"),
    "figures": _("figure"),
    "timeline": _("timeline event"),
}
#: the history's actions (``core.AuditEntry.action``), as the case page's "latest changes" say them
ACTION_NAMES = {
    "create": _("added"),
    "update": _("changed"),
    "delete": _("removed"),
    "load": _("loaded from the data file"),
    "merge": _("merged"),
}


def child_kind_name(kind: str) -> str:
    return str(CHILD_KIND_NAMES.get(kind, kind))


def action_name(action: str) -> str:
    return str(ACTION_NAMES.get(action, action))


_ACRONYM = re.compile(r"^[A-Z0-9-]+$")


def source_label(source_id: str, name: str) -> str:
    """How a case names a data source: its acronym when the id is one (``SNDS``, ``PMSI``), else its name
    (``OTHER_FR`` is a code: "Autre système français (SI-VIC…)")."""
    return source_id if _ACRONYM.match(source_id) or not name else name


def timeline_kind_name(kind: str) -> str:
    return str(TIMELINE_KIND_NAMES.get(kind, kind))


def scope_name(scope: str) -> str:
    return str(SCOPE_NAMES.get(scope, scope))


def provenance_name(tag: str) -> str:
    return str(PROVENANCE_NAMES.get(tag, tag))


@dataclass(frozen=True)
class FigureValue:
    """A figure's number as the page shows it: ``value`` (one number), ``range`` ("low–high", only with
    width); ``text`` is both together, what a line of text or a table cell writes."""

    value: str
    range: str

    @property
    def text(self) -> str:
        if self.value and self.range:
            return f"{self.value} [{self.range}]"
        return self.value or self.range


def figure_value(value: float | None, low: float | None, high: float | None) -> FigureValue:
    """The one formatting of a figure's value on case pages and cards (see ``catalogue.shown_value``)."""
    single, span = shown_value(value, low, high)
    return FigureValue(
        value=fmt_number(single),
        range=f"{fmt_number(span[0])}–{fmt_number(span[1])}" if span else "",
    )
