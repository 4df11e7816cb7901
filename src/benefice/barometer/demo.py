"""The demo's barometer edition: built once from the demo database, then kept (idempotent).

The edition year is the year after the last year in which a publication of the corpus uses a French data
source (an edition of year N covers publications up to N-1, so this is the latest edition whose last year
holds what the barometer counts), or this year if that would be in the future. The demo corpus also holds
negatives (foreign data, trials): were its last year one of those only, the edition would open on "0
publications in that year, -100 %", a figure a reader takes for a bug. The demo runs again and
again: an edition already in ``$BENEFICE_HOME/barometer/<year>/`` is never rebuilt or overwritten, only
checked against its manifest and registered, so the README's demo always serves the same frozen edition.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Max
from django.utils import timezone

from benefice.barometer import services
from benefice.barometer.freeze import MANIFEST, sha256
from benefice.barometer.freeze import read_manifest as _read_manifest
from benefice.errors import BeneficeError


def last_french_year() -> int | None:
    """The last publication year in which a publication of the corpus uses a French source (detection's
    ``sources_used``, corrections applied), or None when none does."""
    from benefice.sources.models import PublicationDetection, Source  # noqa: PLC0415

    french = set(Source.objects.filter(country="FR").values_list("id", flat=True))
    years = (
        year
        for year, used in PublicationDetection.objects.exclude(publication__year=None).values_list(
            "publication__year", "sources_used"
        )
        if french.intersection(used or ())
    )
    return max(years, default=None)


def demo_year() -> int | None:
    """The year after the last year with a publication using a French source, else after the corpus's last
    publication year (at most this year: a perimeter cannot end after the observation date), or None for an
    empty corpus."""
    from benefice.corpus.models import Publication  # noqa: PLC0415

    last = last_french_year() or Publication.objects.aggregate(last=Max("year"))["last"]
    return min(int(last) + 1, timezone.localdate().year) if last else None


def check_files(directory) -> list[str]:
    """Files of an edition that are missing or differ from its manifest (quick: no rebuild)."""
    manifest = _read_manifest(directory)
    expected = dict(manifest["outputs"])
    expected.update({f"inputs/{name}": meta["sha256"] for name, meta in manifest["inputs"].items()})
    problems = []
    for rel, digest in sorted(expected.items()):
        path = directory / rel
        if not path.is_file():
            problems.append(f"missing: {rel}")
        elif sha256(path.read_bytes()) != digest:
            problems.append(f"edited: {rel}")
    return problems


def load_demo(echo: Callable[[str], None] = print) -> None:
    year = demo_year()
    if year is None:
        echo("barometer: no publication in the corpus, no demo edition")
        return
    target = services.editions_root() / str(year)
    if (target / MANIFEST).is_file():
        problems = check_files(target)
        if problems:
            echo(
                f"barometer: the {year} edition in {target} does not match its manifest ({problems[0]}"
                f"{' …' if len(problems) > 1 else ''}); kept as it is — run `benefice barometer verify {target}`"
            )
            return
        services.register_edition(target)
        echo(f"barometer: edition {year} already built, checked and kept ({target})")
        return
    observed = timezone.localdate().isoformat()
    try:
        edition = services.build_from_database(year, observed)
    except BeneficeError as exc:
        echo(f"barometer: no demo edition ({exc})")
        return
    echo(
        f"barometer: edition {year} (observed {observed}) built in {edition.directory}: "
        f"{edition.publications} publications in the perimeter"
    )
