"""The indicator catalogue in the database: load indicators.yaml, check and save an edit, export it back."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from benefice.cases.models import Figure
from benefice.core.curated_sync import (
    CONFLICT_ADVICE,
    Entry,
    SyncReport,
    Table,
    check_version,
    edited_file_meta,
    load_rows,
    save_edit,
    stored_json,
)
from benefice.curated import read_yaml
from benefice.errors import BeneficeError
from benefice.indicators import catalogue
from benefice.indicators.models import Indicator
from benefice.paths import package_data
from benefice.uses.typology import shipped_typology

__all__ = [
    "OBJ_INDICATOR",
    "db_indicator_catalogue",
    "indicator_file_meta",
    "indicators_path",
    "indicators_yaml",
    "sync_indicators",
    "update_indicator",
]

OBJ_INDICATOR = "indicators.Indicator"


def _indicator_columns(data: dict[str, Any]) -> dict[str, Any]:
    """The columns derived from a catalogue entry: its bilingual texts, family, level and type."""
    texts = {}
    for key in ("name", "definition", "how_to_measure"):
        value = data.get(key)
        value = value if isinstance(value, dict) else {}
        texts[f"{key}_fr"] = str(value.get("fr") or "")
        texts[f"{key}_en"] = str(value.get("en") or "")
    return {
        **texts,
        "family": data.get("family", ""),
        "level": data.get("level", ""),
        "type": data.get("type", ""),
    }


def indicators_path(path: Path | str | None) -> Path:
    return Path(path) if path else package_data("indicators.yaml")


@functools.lru_cache(maxsize=4)
def indicator_file_meta(path: str) -> dict[str, Any]:
    """Version, changelog, units and types of the catalogue file: not editable in the web app."""
    raw = read_yaml(Path(path))
    return stored_json({k: v for k, v in raw.items() if k != "indicators"})


class _IndicatorTable(Table):
    object_type = OBJ_INDICATOR

    def create(self, entry: Entry, position: int) -> None:
        Indicator.objects.create(
            code=entry.key,
            data=entry.data,
            position=position,
            file_version=self.version,
            updated_by=self.user,
            **_indicator_columns(entry.data),
        )

    def replace(self, row, entry: Entry, position: int) -> None:
        row.data = entry.data
        for k, v in _indicator_columns(entry.data).items():
            setattr(row, k, v)
        self.stamp_loaded(row, position)


def sync_indicators(path: Path | str | None = None, *, user=None) -> SyncReport:
    """Load indicators.yaml into the database (idempotent; web edits kept while the file version is the same)."""
    path = indicators_path(path)
    raw = read_yaml(path)
    parsed = catalogue.parse_indicators(raw, path, shipped_typology())  # refuses an invalid file before any write
    existing = {i.code: i for i in Indicator.objects.all()}
    entries = [Entry(str(data["code"]), data) for data in map(stored_json, raw["indicators"])]
    table = _IndicatorTable(parsed.version, user)
    return load_rows(table, entries, existing, comment=f"indicators.yaml {parsed.version}")


def db_indicator_catalogue(
    overrides: dict[str, dict[str, Any]] | None = None, path: Path | str | None = None
) -> catalogue.IndicatorCatalogue:
    """The catalogue as stored in the database, validated; ``overrides`` replaces entries (to check an edit).

    A text may lack one language here (rows migrated from before the catalogue was bilingual keep their
    English until the next load), so that figures still compute; the export and an edit require both."""
    meta = indicator_file_meta(str(indicators_path(path)))
    entries = {i.code: i.data for i in Indicator.objects.order_by("position", "code")}
    if not entries:
        return catalogue.load_indicators(path, shipped_typology())
    entries.update(overrides or {})
    return catalogue.parse_indicators(
        {**meta, "indicators": list(entries.values())}, "database catalogue", shipped_typology(), one_language=True
    )


def indicators_yaml(path: Path | str | None = None) -> str:
    """The catalogue as stored in the database, in the format of indicators.yaml (to review and commit)."""
    meta = indicator_file_meta(str(indicators_path(path)))
    rows = list(Indicator.objects.order_by("position", "code"))
    entries = [i.data for i in rows]
    data = {**edited_file_meta(meta, [i for i in rows if i.edited], entries), "indicators": entries}
    catalogue.parse_indicators(data, "database catalogue", shipped_typology())  # never export an invalid file
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110)


def update_indicator(
    code: str, data: dict[str, Any], *, expected_version: int, user=None, comment: str = ""
) -> Indicator:
    """Save an edit of one indicator if the catalogue stays valid, its figures still fit, and nobody saved."""
    data = stored_json({**data, "code": code})
    meta = indicator_file_meta(str(indicators_path(None)))
    # the edited entry alone, read as strictly as the file: both languages of every text
    catalogue.parse_indicators({**meta, "indicators": [data]}, f"indicator {code}", shipped_typology())
    with transaction.atomic():
        row = Indicator.objects.select_for_update().get(pk=code)
        check_version(
            row, expected_version, object_type=OBJ_INDICATOR, what="indicator", advice=CONFLICT_ADVICE, fld=None
        )
        parsed = db_indicator_catalogue({code: data}).indicators[code]
        for fig in Figure.objects.filter(indicator_id=code).select_related("case"):
            if fig.unit not in parsed.units:
                raise BeneficeError(
                    f"figure {fig.pk} of case {fig.case_id} uses unit {fig.unit!r}, which the edit removes",
                    field="units",
                )
            if not parsed.applies_to(fig.case.categories):
                raise BeneficeError(
                    f"figure {fig.pk} of case {fig.case_id} is in categories {', '.join(fig.case.categories)},"
                    " which the edit removes",
                    field="categories",
                )
        save_edit(
            row,
            data,
            _indicator_columns(data),
            object_type=OBJ_INDICATOR,
            user=user,
            comment=comment,
            flag_edited=True,
        )
    return row
