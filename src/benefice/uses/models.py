"""Database side of kinds of use: each publication's categories of use, how they were set, and people's
corrections.

Mirrors the sources app on purpose (one mechanism for machine results and human verdicts): the machine's
labels are stored as the classifier returned them (``detected``, ``probabilities``), people's corrections are
append-only rows, and ``categories`` / ``labels`` are the *effective* result that every figure reads — the
machine's labels, or the latest correction when a person has set the publication's kinds of use.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from benefice.corpus.models import Publication


class PublicationUses(models.Model):
    """The kinds of use of one publication, with the classifier version that set them.

    ``detected`` holds the classifier's labels (``uses.classify.Label.to_dict``: category, main, method,
    score, evidence, rule, model_version, review), main first; ``probabilities`` its calibrated probability
    per category (what the barometer's expected counts and intervals are computed from). ``categories`` and
    ``labels`` are effective: a person's correction replaces the machine's labels whole (method ``person``)
    and is never overwritten by a re-classification.
    """

    publication = models.OneToOneField(Publication, on_delete=models.CASCADE, related_name="uses")
    categories = models.JSONField(default=list, help_text="effective typology ids, main first")
    labels = models.JSONField(default=list, help_text="effective labels, main first, with how each was set")
    detected = models.JSONField(default=list, help_text="the classifier's labels, as it returned them")
    probabilities = models.JSONField(default=dict, help_text="calibrated probability per category")
    classifier_version = models.CharField(max_length=120, db_index=True)
    by_person = models.BooleanField(
        default=False, db_index=True, help_text="a person's correction is in force"
    )
    awaiting_review = models.BooleanField(
        default=False, db_index=True, help_text="the machine was unsure and nobody has decided yet"
    )
    review_margin = models.FloatField(
        null=True,
        blank=True,
        db_index=True,
        help_text="how close the decision was (smaller: more informative)",
    )
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("kinds of use of a publication")
        verbose_name_plural = _("kinds of use of publications")


class UseCorrection(models.Model):
    """A person's verdict on a publication's kinds of use: the whole set, main first (``[]``: no category of
    use). Append-only: the latest per publication wins, earlier ones stay as history and as training examples.

    Like ``sources.SourceCorrection``, ``publication`` follows a merge to the publication that absorbed the
    corrected one's records, and is set to NULL (``publication_ref`` still says which) when a publication is
    deleted without a merge: nothing a person decided is lost.
    """

    publication = models.ForeignKey(
        Publication,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,  # moved or set to NULL by the pre_delete receiver, never lost
        related_name="use_corrections",
    )
    publication_ref = models.PositiveIntegerField(help_text="id of the publication the person corrected")
    raw_record_ids = models.JSONField(default=list, help_text="its raw records then: to follow a merge")
    categories = models.JSONField(default=list, help_text="typology ids, main first; [] = no category of use")
    note = models.TextField(blank=True)
    evidence = models.TextField(blank=True, help_text="the words the person selected, if any")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    concurrent_with = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="another person's correction saved while this one's page was open",
    )

    class Meta:
        ordering = ["publication_id", "pk"]
        verbose_name = _("kind-of-use correction")
        verbose_name_plural = _("kind-of-use corrections")

    def __str__(self) -> str:
        return f"{self.publication_ref} {'|'.join(self.categories) or '-'}"


@receiver(pre_delete, sender=Publication)
def _keep_use_corrections(sender, instance: Publication, **kwargs) -> None:
    """A publication is deleted: move its kind-of-use corrections to the publication that now holds its
    records (a merge), or keep them with no publication (``publication_ref`` says which) — never delete."""
    from benefice.uses.services import follow_use_corrections

    follow_use_corrections(instance.pk)
