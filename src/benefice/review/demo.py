"""Demo review over the demo corpus, left in progress (idempotent).

A protocol, one corpus search, the demo user as lead, and part of the title/abstract screening already done
the way a reviewer works: record after record in the order the model ranks them, the model retrained as
decisions come, exclusions with their reason, a "maybe" where the question is open. The screening stops
after a run of irrelevant records with records still waiting, so the progress, the stopping aid and the
ranking all have something to show and the reader can carry on screening.

The decisions stand in for a reviewer's: they follow a stated rule over what the corpus knows of each
publication (the data sources detection found it uses, its kinds of use), as a reviewer reading the title
and our indexing would decide. They are demo decisions, not a gold standard.
"""

from __future__ import annotations

from collections.abc import Callable

DEMO_TITLE = "Démo : études sur données du SNDS"
# the title before the demo texts had French typography: a database loaded then has its review already
EARLIER_TITLES = ("Démo : études sur données du SNDS",)

#: Exclusion reasons of the demo protocol (French: the protocol is written by a French team).
R_NOT_PRODUCT = "SNDS utilisé, mais pas pour un produit de santé"
R_OTHER_FRENCH = "Autres données françaises que le SNDS"
R_FOREIGN = "Données étrangères"
R_NO_DATABASE = "Pas d'étude sur une base de données de santé"
REASONS = [R_NOT_PRODUCT, R_OTHER_FRENCH, R_FOREIGN, R_NO_DATABASE]
MAYBE_NOTE = "Le SNDS n'est que cité (méthode, description) : à discuter avec l'équipe."

#: Kinds of use that evaluate a health product (the review question).
PRODUCT_USES = frozenset(
    {"pharmacovigilance_drug_safety", "drug_utilisation", "effectiveness", "medical_devices"}
)

#: When the demo reviewer stops: after at least MIN_SCREENED decisions, once the last STOP_RUN were
#: exclusions (the run a reviewer waits for before consulting the stopping aid), and never beyond
#: MAX_SHARE of the records, so that some are left to screen.
MIN_SCREENED = 100
STOP_RUN = 20
MAX_SHARE = 0.8
RETRAIN_EVERY = 10


def snds_family(sources) -> frozenset[str]:
    """The SNDS and every registry source below it (DCIR, PMSI…, through the parent links)."""
    children: dict[str, list[str]] = {}
    for source_id, parent in sources:
        if parent:
            children.setdefault(parent, []).append(source_id)
    family, todo = set(), ["SNDS"]
    while todo:
        current = todo.pop()
        if current not in family:
            family.add(current)
            todo.extend(children.get(current, []))
    return frozenset(family)


def demo_decision(
    used: list[str], mentioned: list[str], uses: list[str], family: frozenset[str], french: frozenset[str]
) -> tuple[str, list[str], str]:
    """(decision, exclusion reasons, note) of the demo reviewer for one publication."""
    if any(s in family for s in used):
        if PRODUCT_USES.intersection(uses):
            return "include", [], ""
        return "exclude", [R_NOT_PRODUCT], ""
    if any(s in family for s in mentioned):
        return "maybe", [], MAYBE_NOTE
    if any(s in french for s in used):
        return "exclude", [R_OTHER_FRENCH], ""
    if used:
        return "exclude", [R_FOREIGN], ""
    return "exclude", [R_NO_DATABASE], ""


def _screen(review, lead) -> tuple[int, int]:
    """Screen in ranking order until the stopping rule above; (decisions made, records left)."""
    from benefice.review import services, worker
    from benefice.review.models import EXCLUDE, TITLE_ABSTRACT, Status
    from benefice.sources.models import PublicationDetection, Source
    from benefice.uses.models import PublicationUses

    sources = list(Source.objects.values_list("id", "parent_id_value"))
    family = snds_family(sources)
    french = frozenset(Source.objects.filter(country="FR").values_list("id", flat=True))
    total = review.records.count()
    limit = int(total * MAX_SHARE)
    made, run = 0, 0
    while made < limit and not (made >= MIN_SCREENED and run >= STOP_RUN):
        record = services.next_record(review, lead, TITLE_ABSTRACT)
        if record is None:
            break
        detection = PublicationDetection.objects.filter(publication_id=record.publication_id).first()
        uses = PublicationUses.objects.filter(publication_id=record.publication_id).first()
        value, reasons, note = demo_decision(
            list(detection.sources_used) if detection else [],
            list(detection.sources_mentioned) if detection else [],
            list(uses.categories) if uses else [],
            family,
            french,
        )
        services.decide(record, lead, TITLE_ABSTRACT, value, reasons=reasons, note=note)
        made += 1
        run = run + 1 if value == EXCLUDE else 0
        if made % RETRAIN_EVERY == 0:
            worker.retrain(review.pk, force=True)  # as the background worker would between decisions
    worker.retrain(review.pk, force=True)
    left = review.records.filter(ta_status=Status.PENDING).count()
    return made, left


def load_demo(echo: Callable[[str], None] = print) -> None:
    from django.contrib.auth import get_user_model

    from benefice.corpus.models import Publication
    from benefice.review import services, worker
    from benefice.review.models import Review

    if Review.objects.filter(title__in=(DEMO_TITLE, *EARLIER_TITLES)).exists():
        echo("review demo: already loaded")
        return
    lead = get_user_model().objects.filter(username="demo").first()
    if lead is None or not Publication.objects.exists():
        echo("review demo: skipped (no demo user or empty corpus)")
        return
    review = services.create_review(
        DEMO_TITLE,
        lead,
        question="Quelles études ont utilisé les données du SNDS pour évaluer un produit de santé ?",
        inclusion_criteria=(
            "Étude utilisant le SNDS (DCIR, PMSI, CépiDc) ou l'un de ses échantillons pour étudier un "
            "médicament, un vaccin ou un dispositif médical (sécurité, usage, efficacité en vie réelle)."
        ),
        exclusion_criteria="Éditoriaux, commentaires ; données hors SNDS ; SNDS utilisé pour un autre objet.",
        exclusion_reasons=list(REASONS),
        keywords=["SNDS", "SNIIRAM", "PMSI", "DCIR", "EGB", "cohort", "claims"],
    )
    # every publication, those without a year included (a year range would leave them out)
    search, added = services.add_from_corpus(
        review, lead, database="benefice corpus (démo)", notes="Tout le corpus de démonstration."
    )
    worker.retrain(review.pk, force=True)
    made, left = _screen(review, lead)
    echo(
        f"review demo: '{DEMO_TITLE}' with {added.added} records (lead: demo); screening in progress: "
        f"{made} decided, {left} left"
    )
