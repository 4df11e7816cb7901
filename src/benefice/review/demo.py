"""Demo review over the demo corpus: a protocol, one corpus search, the demo user as lead (idempotent)."""

from __future__ import annotations

from collections.abc import Callable

DEMO_TITLE = "Démo : études sur données du SNDS"


def load_demo(echo: Callable[[str], None] = print) -> None:
    from django.contrib.auth import get_user_model

    from benefice.corpus.models import Publication
    from benefice.review import services, worker
    from benefice.review.models import Review

    if Review.objects.filter(title=DEMO_TITLE).exists():
        echo("review demo: already loaded")
        return
    lead = get_user_model().objects.filter(username="demo").first()
    if lead is None or not Publication.objects.exists():
        echo("review demo: skipped (no demo user or empty corpus)")
        return
    review = services.create_review(
        DEMO_TITLE,
        lead,
        question="Quelles études ont utilisé les données du SNDS pour évaluer un produit de santé ?",
        inclusion_criteria="Étude utilisant le SNDS (DCIR, PMSI, CépiDc) ou l'un de ses échantillons.",
        exclusion_criteria="Éditoriaux, commentaires ; données hors SNDS.",
        keywords=["SNDS", "SNIIRAM", "PMSI", "DCIR", "EGB", "cohort", "claims"],
    )
    years = list(Publication.objects.exclude(year=None).values_list("year", flat=True))
    search, added = services.add_from_corpus(
        review,
        lead,
        database="benefice corpus (démo)",
        year_from=min(years) if years else 1900,
        notes="Tout le corpus de démonstration.",
    )
    worker.retrain(review.pk, force=True)
    echo(f"review demo: '{DEMO_TITLE}' with {added.added} records (lead: demo)")
