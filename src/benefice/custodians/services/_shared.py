"""Private helpers that the links and the report both use, kept in one place so that no module imports
another's private names: the family of a data source in the registry and the sources detected per
publication.
"""

from __future__ import annotations

from benefice.sources.models import PublicationDetection
from benefice.sources.registry import load_registry


def _family():
    registry = load_registry()

    def family(source_id: str) -> set[str]:
        if source_id not in registry:
            return set()
        return set(registry.ancestors(source_id)) | set(registry.descendants(source_id))

    return family


def _detected_sources() -> dict[int, list[str]]:
    return dict(PublicationDetection.objects.values_list("publication_id", "sources_used"))
