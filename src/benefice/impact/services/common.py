"""What the impact services share: the typology they validate against, JSON-exact values, the file metadata.

The load loop, its report and the edit conflict are those of every curated file (``core.curated_sync``).
"""

from __future__ import annotations

import functools
import hashlib
import json
from typing import Any

from benefice.paths import package_data
from benefice.uses.typology import Typology, load_typology

__all__ = ["CONFLICT_ADVICE", "typology"]

#: What a refused edit of an indicator or a case tells the person (after who saved since, and when).
CONFLICT_ADVICE = "your text is kept below: compare with the current version, then save again"


@functools.lru_cache(maxsize=4)
def _typology_at(path: str) -> Typology:
    return load_typology(path)


def typology() -> Typology:
    """The shipped typology (read once: it is not editable in the web app)."""
    return _typology_at(str(package_data("typology.yaml")))


def _json(value: Any) -> Any:
    """The value as JSON would store and give it back (so comparisons with stored rows are exact)."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def _edited_meta(meta: dict[str, Any], edited: list[Any], entries: list[Any]) -> dict[str, Any]:
    """The file's version, or, when people edited rows in the web app, a version that says so.

    ``1.0.0+web.<hash of the content>`` with a changelog line naming what was edited: an export of edited
    data must not pass for the released file. Dated by the last edit, so the same data exports the same bytes.
    """
    if not edited:
        return meta
    digest = hashlib.sha256(json.dumps(entries, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    version = f"{meta['version']}+web.{digest[:12]}"
    keys = sorted(str(row.pk) for row in edited)
    entry = {
        "version": version,
        "date": max(row.updated_at for row in edited).date().isoformat(),
        "author": "benefice web app",
        "change": f"Edited in the web app since {meta['version']}: {', '.join(keys)} (see each one's history).",
    }
    return {**meta, "version": version, "changelog": [*(meta.get("changelog") or []), entry]}
