"""Source detection runs after an import has committed, so a failed or interrupted scan never loses an
imported record.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from benefice.corpus.models import ImportBatch, RawRecord
from benefice.corpus.services._shared import Progress
from benefice.errors import BeneficeError
from benefice.i18n import Message, gettext_noop
from benefice.sources.models import Source

log = logging.getLogger(__name__)


# --- source detection of what an import brought ----------------------------------------------------------

#: Registry hash given to the detection of a publication that gained a merged record: no registry hashes to
#: it, so the next scan (the import's own, or ``benefice scan`` if that one was cut short) detects the
#: publication again, while its current lists keep counting until then.
OUTDATED = "outdated"
#: Publication ids handed to one ``scan_database`` call: its id filters are single ``IN (...)`` lists, and
#: SQLite refuses statements with more than 32,766 parameters.
SCAN_IDS = 5000
SCAN_HINT = "run `benefice scan` to detect them (it skips what is already scanned)"
SCAN_FAILED = gettext_noop(
    "source detection failed (%(reason)s); the import is kept: run `benefice scan` to detect them (it skips "
    "what is already scanned)"
)
SCAN_STOPPED = gettext_noop(
    "the server stopped while sources were being detected; the import is kept: run `benefice scan` to detect "
    "them (it skips what is already scanned)"
)


@dataclass
class ScanOutcome:
    """What the scan that follows an import did; ``error`` says why it stopped, if it did."""

    publications: int = 0  # publications the import created or gave a merged record
    scanned: int = 0
    with_sources: int = 0
    classified: int = 0  # publications whose kinds of use were (re)classified by the scan
    with_uses: int = 0
    error: str = ""  # in English, for the log and the command
    error_data: dict = field(default_factory=dict)  # the same as a message, for the import page (issue 19)

    @property
    def failed(self) -> bool:
        return bool(self.error)


def batch_publication_ids(batch: ImportBatch) -> list[int]:
    """The publications a batch created or gave a merged record: those holding one of its raw records."""
    return sorted(
        set(
            RawRecord.objects.filter(batch=batch, publication__isnull=False).values_list(
                "publication_id", flat=True
            )
        )
    )


def scan_batch(batch: ImportBatch, *, progress: Progress | None = None) -> ScanOutcome:
    """Detect the data sources of what ``batch`` brought, after its import has committed.

    Called by every import and harvest (web job, CLI, demo) once ``import_file`` or ``harvest`` returned: the
    import's own transaction is over, so the scan commits chunk by chunk (``scan_database``) and a failure or
    an interruption loses no imported record. Publications already scanned with the current registry are
    skipped, so re-importing a file scans nothing, a resumed harvest scans only its new pages, and whatever
    a failed scan left is found by ``benefice scan``. A failure is returned (and added to the batch's errors)
    rather than raised: the import succeeded and must be reported as such, with what to run.
    ``progress(done, total)`` counts the batch's publications, skipped ones included.
    """
    from benefice.sources.services import scan_database, sync_registry  # cycle: it imports this package

    ids = batch_publication_ids(batch)
    outcome = ScanOutcome(publications=len(ids))
    if progress:
        progress(0, len(ids))
    try:
        if ids and not Source.objects.exists():
            # a database never initialised with `benefice init`: load the registry as `benefice scan` does, so
            # results carry the hash of the registry every later scan uses (else they would all be redone)
            sync_registry()
        for start in range(0, len(ids), SCAN_IDS):
            part = ids[start : start + SCAN_IDS]

            def part_progress(
                done: int, to_scan: int | None, start: int = start, size: int = len(part)
            ) -> None:
                skipped = size - (to_scan if to_scan is not None else size)
                progress(start + skipped + done, len(ids))

            report = scan_database(publication_ids=part, progress=part_progress if progress else None)
            outcome.scanned += report.scanned
            outcome.with_sources += report.with_sources
            outcome.classified += report.classified
            outcome.with_uses += report.with_uses
            if progress:
                progress(start + len(part), len(ids))
    except Exception as exc:  # noqa: BLE001 - the import is committed: any failure here is reported, not raised
        log.exception("source detection after import batch %s failed", batch.pk)
        reason = str(exc) if isinstance(exc, BeneficeError) else f"{type(exc).__name__}: {exc}"
        message = Message(SCAN_FAILED, {"reason": reason})
        outcome.error, outcome.error_data = str(message), message.to_data()
        batch.errors = [*batch.errors, outcome.error_data]
        batch.save(update_fields=["errors"])
    return outcome
