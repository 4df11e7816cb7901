"""Review services: protocol, records, screening decisions, conflicts, agreement, PRISMA counts, exports.

Views and the demo call these; every change runs in one transaction and leaves the database as it was on
error. A decision is committed *before* the background worker is asked to retrain (``on_commit``), so a
crash during retraining cannot lose it.
"""

from __future__ import annotations

import io
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from benefice import csvout
from benefice.core.models import audit
from benefice.core.roles import is_admin
from benefice.corpus import formats
from benefice.corpus.models import ImportBatch, Publication, RawRecord
from benefice.errors import BeneficeError
from benefice.review import agreement, prisma, stopping
from benefice.review.models import (
    DEFAULT_REASONS,
    EXCLUDE,
    FULL_TEXT,
    INCLUDE,
    MAYBE,
    TITLE_ABSTRACT,
    Decision,
    DecisionChange,
    Member,
    Ranking,
    RankingEntry,
    Resolution,
    Review,
    ReviewRecord,
    Search,
    Status,
)

if TYPE_CHECKING:
    from benefice.corpus.services import ScanOutcome

STAGE_CODES = (TITLE_ABSTRACT, FULL_TEXT)
DECISION_VALUES = (INCLUDE, EXCLUDE, MAYBE)
_STATUS_OF = {INCLUDE: Status.INCLUDED, EXCLUDE: Status.EXCLUDED, MAYBE: Status.MAYBE}


# --- access ------------------------------------------------------------------------------------------------


def membership(review: Review, user) -> Member | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Member.objects.filter(review=review, user=user).first()


def can_view(review: Review, user) -> bool:
    return is_admin(user) or membership(review, user) is not None


def is_lead(review: Review, user) -> bool:
    m = membership(review, user)
    return is_admin(user) or (m is not None and m.role == Member.LEAD)


def can_screen(review: Review, user) -> bool:
    return membership(review, user) is not None


def reviews_for(user) -> QuerySet:
    qs = Review.objects.all()
    return qs if is_admin(user) else qs.filter(members__user=user)


# --- protocol ------------------------------------------------------------------------------------------


def parse_lines(text: str) -> list[str]:
    """One item per non-empty line (or comma for keywords), trimmed, duplicates dropped, order kept."""
    seen: dict[str, None] = {}
    for line in (text or "").replace("\r", "").split("\n"):
        item = " ".join(line.split())
        if item:
            seen.setdefault(item, None)
    return list(seen)


def parse_tags(text: str) -> list[str]:
    seen: dict[str, None] = {}
    for part in (text or "").replace("\n", ",").split(","):
        item = " ".join(part.split())[:60]
        if item:
            seen.setdefault(item, None)
    return list(seen)


def _snapshot(review: Review) -> dict:
    return {
        f: getattr(review, f)
        for f in (
            "title",
            "question",
            "inclusion_criteria",
            "exclusion_criteria",
            "exclusion_reasons",
            "keywords",
            "reviewers_per_record",
            "blind",
            "model_name",
            "retrain_every",
        )
    }


@transaction.atomic
def create_review(title: str, user, **fields) -> Review:
    fields.setdefault("exclusion_reasons", [str(reason) for reason in DEFAULT_REASONS])
    review = Review.objects.create(title=title, created_by=user, **fields)
    Member.objects.create(review=review, user=user, role=Member.LEAD)
    audit("create", "review.Review", review.pk, after=_snapshot(review), user=user)
    return review


@transaction.atomic
def update_review(review: Review, user, **fields) -> Review:
    before = _snapshot(review)
    for name, value in fields.items():
        setattr(review, name, value)
    review.save()
    if "reviewers_per_record" in fields and fields["reviewers_per_record"] != before["reviewers_per_record"]:
        for record in review.records.all().iterator():
            refresh_status(record)
    audit("update", "review.Review", review.pk, before=before, after=_snapshot(review), user=user)
    return review


@transaction.atomic
def set_member(review: Review, user, role: str, by) -> Member:
    member, _ = Member.objects.update_or_create(review=review, user=user, defaults={"role": role})
    audit("member", "review.Review", review.pk, after={"user": user.username, "role": role}, user=by)
    return member


# --- records -------------------------------------------------------------------------------------------


@dataclass
class Added:
    identified: int
    added: int
    already_in_review: int
    # a file import: the source scan of the publications it brought to the corpus (corpus.services.ScanOutcome)
    scan: ScanOutcome | None = None


def _record_for(review: Review, pub: Publication, search: Search) -> ReviewRecord:
    return ReviewRecord(
        review=review,
        publication=pub,
        search=search,
        title=pub.title,
        abstract=pub.abstract,
        authors="; ".join(a.get("name", "") for a in pub.authors if a.get("name")),
        year=pub.year,
        journal=pub.journal,
        doi=pub.doi,
    )


def _add_publications(review: Review, search: Search, pub_ids: list[int]) -> Added:
    """Add the publications (duplicates already merged by the corpus) not yet in the review."""
    unique = list(dict.fromkeys(pub_ids))
    present = (
        set(
            ReviewRecord.objects.filter(review=review, publication_id__in=unique).values_list(
                "publication_id", flat=True
            )
        )
        if len(unique) < 5000
        else set(review.records.values_list("publication_id", flat=True))
    )
    todo = [pk for pk in unique if pk not in present]
    new: list[ReviewRecord] = []
    for start in range(0, len(todo), 1000):
        chunk = Publication.objects.filter(pk__in=todo[start : start + 1000]).order_by("pk")
        new.extend(_record_for(review, pub, search) for pub in chunk)
    ReviewRecord.objects.bulk_create(new, batch_size=1000)
    search.records_identified = len(pub_ids)
    search.records_added = len(new)
    search.save(update_fields=["records_identified", "records_added"])
    return Added(len(pub_ids), len(new), len(pub_ids) - len(new))


def corpus_selection(query: str = "", batch_id: int | None = None, year_from=None, year_to=None) -> QuerySet:
    """Corpus publications matching a full-text query, an import batch and a year range."""
    from benefice.corpus import search as corpus_search

    qs = Publication.objects.all()
    if query.strip():
        qs = corpus_search.search(qs, query)
    if batch_id:
        qs = qs.filter(pk__in=RawRecord.objects.filter(batch_id=batch_id).values("publication_id"))
    if year_from:
        qs = qs.filter(year__gte=year_from)
    if year_to:
        qs = qs.filter(year__lte=year_to)
    return qs


def add_from_corpus(
    review: Review,
    user,
    *,
    database: str,
    query: str = "",
    batch_id: int | None = None,
    year_from=None,
    year_to=None,
    searched_on=None,
    notes: str = "",
) -> tuple[Search, Added]:
    """Add the corpus publications matching the selection as one search of the protocol."""
    with transaction.atomic():
        ids = list(corpus_selection(query, batch_id, year_from, year_to).values_list("pk", flat=True))
        if not ids:
            raise BeneficeError("no publication of the corpus matches this selection", field="query")
        search = Search.objects.create(
            review=review,
            database=database,
            query=query,
            kind=Search.CORPUS,
            searched_on=searched_on,
            date_from=str(year_from or ""),
            date_to=str(year_to or ""),
            notes=notes,
            created_by=user,
            batch_id=batch_id or None,
        )
        added = _add_publications(review, search, ids)
        audit("add", "review.Review", review.pk, after={"search": search.pk, "added": added.added}, user=user)
    _schedule(review)
    return search, added


def import_for_review(
    review: Review,
    user,
    *,
    filename: str,
    content: bytes,
    database: str,
    query: str = "",
    searched_on=None,
    date_from: str = "",
    date_to: str = "",
    notes: str = "",
    fmt: str = "auto",
) -> tuple[Search, Added]:
    """Import a search export through the corpus importers and add every record it holds to the review.

    Records already in the corpus (same text, or merged as duplicates) are found through their content
    hash, so re-importing a file adds the records to the review without adding them twice to the corpus.
    Raises BeneficeError naming the file and record; nothing is kept then.

    Like every corpus import, the publications the file brought are then scanned for data sources
    (``corpus.services.scan_batch``, once the import has committed): the review's records are corpus
    publications, whose pages show their sources. ``added.scan`` says what the scan did; a failed scan keeps
    the import and says to run ``benefice scan``.
    """
    from benefice.corpus.services import CorpusIndex, _finish, content_hash, import_records, scan_batch

    safe = Path(filename).name or "upload"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / safe
        path.write_bytes(content)
        name = fmt if fmt != "auto" else formats.detect_format(path)
        hashes: list[str] = []

        def records() -> Iterator:
            for record in formats.read(path, name):
                hashes.append(content_hash(record))
                yield record

        with transaction.atomic():
            batch = ImportBatch.objects.create(user=user, kind="review", origin=safe, format=name)
            counts = import_records(
                records(), batch, origin=safe, index=CorpusIndex.from_database(), user=user
            )
            _finish(batch, counts, ImportBatch.Status.DONE)
            if not hashes:
                raise BeneficeError("the file holds no record", path=safe)
            by_hash = dict(
                RawRecord.objects.filter(content_hash__in=set(hashes)).values_list(
                    "content_hash", "publication_id"
                )
            )
            ids = [by_hash[h] for h in hashes if by_hash.get(h)]
            search = Search.objects.create(
                review=review,
                database=database,
                query=query,
                kind=Search.FILE,
                searched_on=searched_on,
                date_from=date_from,
                date_to=date_to,
                notes=notes,
                batch=batch,
                created_by=user,
            )
            added = _add_publications(review, search, ids)
            search.records_identified = len(hashes)
            search.save(update_fields=["records_identified"])
            added.identified = len(hashes)
            audit(
                "import",
                "review.Review",
                review.pk,
                after={"search": search.pk, "added": added.added},
                user=user,
            )
    added.scan = scan_batch(batch)
    _schedule(review)
    return search, added


# --- decisions -----------------------------------------------------------------------------------------


def refresh_status(record: ReviewRecord) -> None:
    """Recompute both stage statuses of a record from its decisions and resolutions."""
    review = record.review
    required = max(1, review.reviewers_per_record)
    values: dict[str, list[str]] = defaultdict(list)
    for stage, value in Decision.objects.filter(record=record).values_list("stage", "value"):
        values[stage].append(value)
    resolved = dict(Resolution.objects.filter(record=record).values_list("stage", "value"))

    def status(stage: str) -> str:
        if stage in resolved:
            return _STATUS_OF[resolved[stage]]
        given = values.get(stage, [])
        if len(given) < required:
            return Status.PENDING
        distinct = set(given)
        return _STATUS_OF[given[0]] if len(distinct) == 1 else Status.CONFLICT

    ta = status(TITLE_ABSTRACT)
    ft = status(FULL_TEXT) if ta == Status.INCLUDED else Status.NONE
    if (ta, ft) != (record.ta_status, record.ft_status):
        record.ta_status, record.ft_status = ta, ft
        ReviewRecord.objects.filter(pk=record.pk).update(ta_status=ta, ft_status=ft)


def _check(review: Review, stage: str, value: str, reasons: list[str], *, resolution: bool = False) -> None:
    if stage not in STAGE_CODES:
        raise BeneficeError(f"unknown stage {stage!r}", field="stage")
    allowed = (INCLUDE, EXCLUDE) if resolution else DECISION_VALUES
    if value not in allowed:
        raise BeneficeError(f"unknown decision {value!r} (choose {', '.join(allowed)})", field="value")
    unknown = [r for r in reasons if r not in review.exclusion_reasons]
    if unknown:
        raise BeneficeError(f"unknown exclusion reason(s): {', '.join(unknown)}", field="reasons")
    if reasons and value != EXCLUDE:
        raise BeneficeError("exclusion reasons go with an exclude decision only", field="reasons")


def decide(
    record: ReviewRecord,
    user,
    stage: str,
    value: str,
    *,
    reasons: Iterable[str] = (),
    note: str = "",
    tags: Iterable[str] = (),
) -> Decision:
    """Make or change the user's decision on a record; the change is appended to the history."""
    review = record.review
    reasons, tags = list(reasons), list(tags)
    _check(review, stage, value, reasons)
    if not can_screen(review, user):
        raise BeneficeError("you are not a member of this review")
    with transaction.atomic():
        record = ReviewRecord.objects.select_for_update().get(pk=record.pk)
        record.review = review
        if stage == FULL_TEXT and record.ta_status != Status.INCLUDED:
            raise BeneficeError("this record was not included at the title/abstract stage", field="stage")
        decision, created = Decision.objects.get_or_create(
            record=record,
            stage=stage,
            reviewer=user,
            defaults={"value": value, "reasons": reasons, "note": note, "tags": tags},
        )
        if not created:
            if (decision.value, decision.reasons, decision.note, decision.tags) == (
                value,
                reasons,
                note,
                tags,
            ):
                return decision
            decision.value, decision.reasons, decision.note, decision.tags = value, reasons, note, tags
            decision.save()
        DecisionChange.objects.create(
            decision=decision, value=value, reasons=reasons, note=note, tags=tags, changed_by=user
        )
        refresh_status(record)
    if stage == TITLE_ABSTRACT:
        _schedule(review)
    return decision


def resolve(
    record: ReviewRecord, user, stage: str, value: str, *, reasons: Iterable[str] = (), note: str = ""
) -> Resolution:
    """Reconcile a conflict (or a "maybe"): only a lead of the review may do it."""
    review = record.review
    reasons = list(reasons)
    _check(review, stage, value, reasons, resolution=True)
    if not is_lead(review, user):
        raise BeneficeError("only a lead of the review can resolve conflicts")
    with transaction.atomic():
        record = ReviewRecord.objects.select_for_update().get(pk=record.pk)
        record.review = review
        before = (
            Resolution.objects.filter(record=record, stage=stage).values("value", "reasons", "note").first()
        )
        resolution, _ = Resolution.objects.update_or_create(
            record=record,
            stage=stage,
            defaults={"value": value, "reasons": reasons, "note": note, "resolved_by": user},
        )
        refresh_status(record)
        audit(
            "resolve",
            "review.ReviewRecord",
            record.pk,
            before=before,
            after={"stage": stage, "value": value, "reasons": reasons, "note": note},
            user=user,
        )
    if stage == TITLE_ABSTRACT:
        _schedule(review)
    return resolution


def _schedule(review: Review) -> None:
    from benefice.review import worker

    transaction.on_commit(lambda: worker.schedule(review.pk))


# --- next record ---------------------------------------------------------------------------------------


def current_ranking(review: Review) -> Ranking | None:
    """The review's current ranking, read from the database once, or None.

    The background worker replaces the current ranking and deletes the old one while screeners read it, so
    ``review.current_ranking`` (a lazy read of an id taken earlier) may name a ranking that no longer exists.
    Here the id is read afresh with the ranking in one query; if the worker replaced it between the two
    reads, the newer one is read (and if that went too, None: the page then works without a ranking).
    """
    for _attempt in range(2):
        ranking_id = Review.objects.filter(pk=review.pk).values_list("current_ranking_id", flat=True).first()
        if ranking_id is None:
            return None
        ranking = Ranking.objects.filter(pk=ranking_id).first()
        if ranking is not None:
            return ranking
    return None


def next_record(
    review: Review,
    user,
    stage: str = TITLE_ABSTRACT,
    *,
    skip: Iterable[int] = (),
    ranking: Ranking | None | bool = False,
) -> ReviewRecord | None:
    """The record this user should screen next: the model's most relevant one they have not screened.

    Title/abstract: the walk follows the current ranking's positions (an index scan) and stops at the first
    record still awaiting decisions that this user has not decided; records added after the ranking was
    written (or beyond the ranking's written positions) come next, in the order they were added. Full text:
    records included at title/abstract, in the order added (the set is small; no model is needed there).
    ``skip``: records the user passed over for now (key n). ``ranking``: the ranking the caller read
    (:func:`current_ranking`); by default the review's. A ranking deleted meanwhile has no entries left, so
    the walk falls through to the records in the order added: never an error.
    """
    skip = list(skip)
    mine = Decision.objects.filter(record=OuterRef("record"), stage=stage, reviewer=user)
    ranking_id = review.current_ranking_id if ranking is False else getattr(ranking, "pk", None)
    if stage == TITLE_ABSTRACT and ranking_id:
        record_id = (
            RankingEntry.objects.filter(ranking_id=ranking_id, record__ta_status=Status.PENDING)
            .filter(~Exists(mine))
            .exclude(record_id__in=skip)
            .order_by("position")
            .values_list("record_id", flat=True)
            .first()
        )
        if record_id is not None:
            return ReviewRecord.objects.get(pk=record_id)
    status_field = "ta_status" if stage == TITLE_ABSTRACT else "ft_status"
    mine_here = Decision.objects.filter(record=OuterRef("pk"), stage=stage, reviewer=user)
    return (
        ReviewRecord.objects.filter(review=review, **{status_field: Status.PENDING})
        .filter(~Exists(mine_here))
        .exclude(pk__in=skip)
        .order_by("pk")
        .first()
    )


# --- what a user may see -------------------------------------------------------------------------------


def visible_decisions(record: ReviewRecord, user, stage: str) -> list[Decision]:
    """Decisions on a record that this user may see: blind screening hides the others' until reconciled."""
    decisions = list(Decision.objects.filter(record=record, stage=stage).select_related("reviewer"))
    status = record.status(stage)
    if not record.review.blind or status not in (Status.PENDING, Status.NONE):
        return decisions
    return [d for d in decisions if d.reviewer_id == user.pk]


def conflicts(review: Review, stage: str) -> QuerySet:
    """Records whose reviewers disagree, or that were marked "maybe", waiting for a resolution."""
    field = "ta_status" if stage == TITLE_ABSTRACT else "ft_status"
    return review.records.filter(**{f"{field}__in": (Status.CONFLICT, Status.MAYBE)}).order_by("pk")


# --- progress, stopping aid, agreement ----------------------------------------------------------------


def labels_in_order(review: Review) -> list[int]:
    """Title/abstract screening history as 0/1, by the time each record was first decided.

    A record counts as relevant (1) when anyone included it or marked it "maybe", or when it was resolved as
    included: counting the uncertain ones as relevant makes the recall estimate err on the safe side.
    """
    first: dict[int, object] = {}
    relevant: dict[int, int] = {}
    for record_id, value, created in (
        Decision.objects.filter(record__review=review, stage=TITLE_ABSTRACT)
        .order_by("created_at", "pk")
        .values_list("record_id", "value", "created_at")
    ):
        first.setdefault(record_id, created)
        relevant[record_id] = max(relevant.get(record_id, 0), int(value != EXCLUDE))
    for record_id, value in Resolution.objects.filter(
        record__review=review, stage=TITLE_ABSTRACT
    ).values_list("record_id", "value"):
        if record_id in relevant:
            relevant[record_id] = int(value == INCLUDE)
    return [relevant[r] for r in first]


def consecutive_irrelevant(review: Review, user) -> int:
    """Records this user excluded in a row since their last include or maybe (title/abstract)."""
    mine = Decision.objects.filter(record__review=review, stage=TITLE_ABSTRACT, reviewer=user)
    last_relevant = (
        mine.exclude(value=EXCLUDE).order_by("-created_at").values_list("created_at", flat=True).first()
    )
    if last_relevant is not None:
        mine = mine.filter(created_at__gt=last_relevant)
    return mine.count()


def stopping_aid(review: Review) -> dict:
    """Consecutive irrelevant records (project-wide) and estimated recall with its uncertainty."""
    labels = labels_in_order(review)
    total = review.records.count()
    out = {"screened": len(labels), "total": total, "run": stopping.ConsecutiveIrrelevant.run_length(labels)}
    if labels and total:
        estimate = stopping.estimate_recall(labels, total)
        out.update(
            found=estimate.found,
            recall=estimate.recall,
            recall_low=estimate.recall_low,
            recall_high=estimate.recall_high,
            missing_estimate=estimate.missing_estimate,
            missing_max=estimate.missing_max,
            confidence=estimate.confidence,
        )
    return out


def status_counts(review: Review, field: str) -> Counter[str]:
    """Records per status of one stage, counted by the database (an index scan, not 100,000 rows)."""
    rows = review.records.order_by().values(field).annotate(n=Count("pk")).values_list(field, "n")
    return Counter({status: n for status, n in rows if status})


def progress(review: Review) -> dict:
    counts = status_counts(review, "ta_status")
    ft = status_counts(review, "ft_status")
    return {"ta": dict(counts), "ft": dict(ft), "total": sum(counts.values())}


def agreement_stats(review: Review) -> list[agreement.PairAgreement]:
    rows = Decision.objects.filter(record__review=review).values_list(
        "stage", "record_id", "reviewer__username", "value"
    )
    return agreement.pairwise(rows)


# --- PRISMA ------------------------------------------------------------------------------------------


def prisma_counts(review: Review) -> prisma.PrismaCounts:
    """Counts for the PRISMA 2020 diagram, from the searches and the record statuses."""
    identified: Counter[str] = Counter()
    for database, n in review.searches.values_list("database", "records_identified"):
        identified[database] += n
    records = review.records
    n_records = records.count()
    ta = status_counts(review, "ta_status")
    ft = status_counts(review, "ft_status")
    reasons: Counter[str] = Counter()
    excluded_ft = records.filter(ft_status=Status.EXCLUDED)
    resolved = dict(
        Resolution.objects.filter(record__in=excluded_ft, stage=FULL_TEXT).values_list("record_id", "reasons")
    )
    given: dict[int, list[str]] = defaultdict(list)
    for record_id, rs in Decision.objects.filter(record__in=excluded_ft, stage=FULL_TEXT).values_list(
        "record_id", "reasons"
    ):
        given[record_id].extend(rs)
    for record_id in excluded_ft.values_list("pk", flat=True):
        chosen = resolved.get(record_id) or list(dict.fromkeys(given.get(record_id, [])))
        reasons[chosen[0] if chosen else ""] += 1  # PRISMA counts each report once: its first reason
    screened = n_records - ta.get(Status.PENDING, 0)
    return prisma.PrismaCounts(
        identified=dict(identified),
        duplicates_removed=max(0, sum(identified.values()) - n_records),
        screened=screened,
        excluded_screening=ta.get(Status.EXCLUDED, 0),
        assessed=sum(n for s, n in ft.items() if s != Status.PENDING),
        excluded_reasons=dict(reasons),
        included=ft.get(Status.INCLUDED, 0),
        awaiting_screening=ta.get(Status.PENDING, 0) + ta.get(Status.CONFLICT, 0) + ta.get(Status.MAYBE, 0),
        awaiting_full_text=ft.get(Status.PENDING, 0) + ft.get(Status.CONFLICT, 0) + ft.get(Status.MAYBE, 0),
    )


# --- exports -------------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "record_id",
    "title",
    "authors",
    "year",
    "journal",
    "doi",
    "database",
    "ta_status",
    "ft_status",
    "stage",
    "reviewer",
    "decision",
    "reasons",
    "note",
    "tags",
    "decided_at",
    "kind",
)


def _export_rows(review: Review, user=None) -> Iterator[dict]:
    """Rows of the exports. With blind screening, another reviewer's decision on a record still awaiting
    decisions in that stage is left out (as on the pages), so an export cannot break the blinding."""
    searches = dict(review.searches.values_list("pk", "database"))
    decisions: dict[int, list[dict]] = defaultdict(list)
    blinded = Decision.objects.none()
    if review.blind:
        blinded = Decision.objects.filter(record__review=review).filter(
            Q(stage=TITLE_ABSTRACT, record__ta_status=Status.PENDING)
            | Q(stage=FULL_TEXT, record__ft_status=Status.PENDING)
        )
        if user is not None:
            blinded = blinded.exclude(reviewer=user)
    hidden = set(blinded.values_list("pk", flat=True))
    for d in (
        Decision.objects.filter(record__review=review).select_related("reviewer").order_by("created_at", "pk")
    ):
        if d.pk in hidden:
            continue
        decisions[d.record_id].append(
            {
                "stage": d.stage,
                "reviewer": d.reviewer.username,
                "decision": d.value,
                "reasons": "; ".join(d.reasons),
                "note": d.note,
                "tags": "; ".join(d.tags),
                "decided_at": d.updated_at.isoformat(),
                "kind": "decision",
            }
        )
    for r in Resolution.objects.filter(record__review=review).select_related("resolved_by"):
        decisions[r.record_id].append(
            {
                "stage": r.stage,
                "reviewer": r.resolved_by.username if r.resolved_by else "",
                "decision": r.value,
                "reasons": "; ".join(r.reasons),
                "note": r.note,
                "tags": "",
                "decided_at": r.resolved_at.isoformat(),
                "kind": "resolution",
            }
        )
    for record in review.records.order_by("pk").iterator():
        base = {
            "record_id": record.pk,
            "title": record.title,
            "authors": record.authors,
            "year": record.year or "",
            "journal": record.journal,
            "doi": record.doi,
            "database": searches.get(record.search_id, ""),
            "ta_status": record.ta_status,
            "ft_status": record.ft_status,
        }
        rows = decisions.get(record.pk) or [{}]
        for row in rows:
            yield {**{c: "" for c in CSV_COLUMNS}, **base, **row}


def export_csv(review: Review, user=None) -> str:
    """One row per decision (and per resolution); records without any decision get one row."""
    out = io.StringIO()
    writer = csvout.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for row in _export_rows(review, user):
        writer.writerow(row)
    return out.getvalue()


def export_ris(review: Review, user=None) -> str:
    """RIS with the screening outcome in N1 notes (one per decision) and tags as keywords."""
    from benefice.corpus.formats.writers import write_ris
    from benefice.corpus.record import Author, Record

    grouped: dict[int, list[dict]] = defaultdict(list)
    for row in _export_rows(review, user):
        grouped[row["record_id"]].append(row)
    out = io.StringIO()
    for record in review.records.order_by("pk").iterator():
        rows = grouped[record.pk]
        buffer = io.StringIO()
        write_ris(
            [
                Record(
                    source_format="benefice",
                    title=record.title,
                    abstract=record.abstract,
                    year=record.year,
                    journal=record.journal,
                    doi=record.doi,
                    authors=[Author(name=a.strip()) for a in record.authors.split(";") if a.strip()],
                    keywords=sorted({t for row in rows for t in row["tags"].split("; ") if t}),
                )
            ],
            buffer,
        )
        text = buffer.getvalue().rstrip()
        notes = [
            f"N1  - benefice review {review.pk} record {record.pk}: title/abstract {record.ta_status or '-'}; "
            f"full text {record.ft_status or '-'}"
        ]
        for row in rows:
            if row["decision"]:
                note = f"N1  - {row['kind']} {row['stage']} {row['reviewer']} {row['decision']} {row['decided_at']}"
                if row["reasons"]:
                    note += f" ({row['reasons']})"
                if row["note"]:
                    note += f": {' '.join(row['note'].split())}"
                notes.append(note)
        head, _, tail = text.rpartition("\nER  -")
        out.write(head + "\n" + "\n".join(notes) + "\nER  - \n\n")
    return out.getvalue()
