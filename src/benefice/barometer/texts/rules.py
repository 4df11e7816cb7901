"""The written rules of the perimeter and the method, filled with the edition's values.

As the key figures' comments, each rule is written in French and English side by side, so that a
translation cannot drift from its original unnoticed: they are bilingual texts we author with the edition's
values in them, so :func:`benefice.i18n.pick` chooses the reader's version, as for curated content (the
words of tables and charts are gettext's, in the barometer catalogue).
"""

from __future__ import annotations

from typing import Any

from benefice.barometer.compute import EXACT_MAX
from benefice.barometer.texts.words import french_spaces
from benefice.i18n import pick


def rules(results: dict[str, Any], lang: str) -> list[dict[str, str]]:
    """The written rules of the perimeter and method, with this edition's values (methodology page, PDF)."""
    out = _corpus_rules(results, lang) + _impact_rules(results, lang)
    if lang == "fr":  # French typography: no-break spaces before « : » and « ; », inside guillemets
        out = [(a, french_spaces(t), french_spaces(x)) for a, t, x in out]
    return [{"anchor": a, "title": t, "text": x} for a, t, x in out]


def _corpus_rules(results: dict[str, Any], lang: str) -> list[tuple[str, str, str]]:
    """Perimeter, use, roll-up, custodians and citation quality: how publications are counted."""
    e = results["edition"]
    p = results["params"]
    return [
        (
            "perimeter",
            pick(
                "Périmètre",
                "Perimeter",
                lang,
            ),
            pick(
                f"L'édition {e['year']} couvre les publications parues de {e['first_publication_year']} à "
                f"{e['last_publication_year']} ({p['span']} années), telles qu'elles étaient connues le "
                f"{e['observed_at']}. L'année de publication et la date d'observation sont distinctes : une "
                f"publication de {e['last_publication_year']} indexée plus tard entrera dans l'édition suivante, "
                f"pas dans celle-ci. Les publications hors période sont comptées sur cette page, jamais écartées "
                f"en silence.",
                f"The {e['year']} edition covers publications from {e['first_publication_year']} to "
                f"{e['last_publication_year']} ({p['span']} years) as they were known on {e['observed_at']}. The "
                f"publication year is kept apart from the observation date: a {e['last_publication_year']} "
                f"publication indexed later enters the next edition, not this one. Publications outside the "
                f"period are counted on this page, never silently dropped.",
                lang,
            ),
        ),
        (
            "use",
            pick(
                "Usage et mention",
                "Use and mention",
                lang,
            ),
            pick(
                "Une publication « utilise » une source qu'elle analyse ; une source seulement citée (revue, "
                "discussion, méthodes) est « mentionnée » et n'entre pas dans les comptes d'usage.",
                "A publication “uses” a source it analyses; a source it only names (review, discussion, "
                "methods) is “mentioned” and does not enter the use counts.",
                lang,
            ),
        ),
        (
            "rollup",
            pick(
                "Sources et composantes",
                "Sources and components",
                lang,
            ),
            pick(
                "Une composante nommée (par exemple le DCIR) compte pour elle-même. La vue « famille » compte "
                "une publication une seule fois pour une source parente (par exemple le SNDS) si elle utilise "
                "la source parente ou l'une quelconque de ses composantes, quel qu'en soit le nombre. Les deux "
                "vues sont publiées (colonnes « propre » et « famille »).",
                "A named component (DCIR, for instance) counts for itself. The “family” view counts a "
                "publication once for a parent source (the SNDS, for instance) if it uses the parent or any of "
                "its components, however many. Both views are published (“own” and “family” columns).",
                lang,
            ),
        ),
        (
            "custodians",
            pick(
                "Responsables de données",
                "Data custodians",
                lang,
            ),
            pick(
                "Le responsable d'une source est celui du registre. Une publication compte une fois pour un "
                "responsable si elle utilise au moins une de ses sources. Les sources sans responsable renseigné "
                "n'apparaissent pas dans cette vue.",
                "A source's custodian is the registry's. A publication counts once for a custodian if it "
                "uses at least one of its sources. Sources without a recorded custodian do not appear in this view.",
                lang,
            ),
        ),
        (
            "citation",
            pick(
                "Qualité de citation",
                "Citation quality",
                lang,
            ),
            pick(
                "Pour chaque couple (publication, source utilisée) dont la forme est connue : la source est "
                "« nommée précisément » si elle l'est par son nom officiel, son sigle, une traduction ou un "
                "ancien nom, et pas seulement par une description générique. Les parts d'autorisation (CNIL, "
                "CESREES/CEREES, Health Data Hub), de documentation et de responsable cités sont calculées sur "
                "les publications qui utilisent une source.",
                "For each (publication, source used) pair whose form is known: the source is “named "
                "precisely” when named by its official name, acronym, a translation or a former name, not only "
                "by a generic description. The shares citing the authorisation (CNIL, CESREES/CEREES, Health "
                "Data Hub), the documentation and the custodian are over the publications using a source.",
                lang,
            ),
        ),
    ]


def _impact_rules(results: dict[str, Any], lang: str) -> list[tuple[str, str, str]]:
    """Kinds of use, decisions, ranges, delays, year-over-year changes and limits: how the rest is computed."""
    e = results["edition"]
    p = results["params"]
    return [
        (
            "categories",
            pick(
                "Catégories d'usage",
                "Categories of use",
                lang,
            ),
            pick(
                french_spaces(
                    "Les catégories d'usage sont comptées sur tout le corpus : chaque publication porte ses étiquettes "
                    "en vigueur (celles du classifieur, ou la correction d'une personne, qui l'emporte toujours). Une "
                    "publication peut relever de plusieurs catégories de la typologie et compte une fois dans "
                    "chacune ; une catégorie sans publication figure avec zéro. Chaque compte (par catégorie, par "
                    "catégorie et année, par source et catégorie, en vue « propre » et « famille ») dit combien "
                    "d'étiquettes ont été posées par une personne, par une règle et par le modèle. Une étiquette posée "
                    "par une personne est certaine ; celle d'une règle ou du modèle porte sa probabilité calibrée p. "
                    "Les étiquettes étant traitées comme des épreuves indépendantes, le nombre d'étiquettes justes "
                    "suit une loi de Poisson binomiale : le nombre attendu est la somme des p, l'intervalle à 95 % va "
                    "du quantile 2,5 % au quantile 97,5 % de cette loi, calculée exactement jusqu'à "
                    f"{EXACT_MAX} étiquettes incertaines dans un compte et, au-delà, par l'approximation normale avec "
                    "correction de continuité (erreur de l'ordre de 1/écart-type, calcul linéaire au lieu de "
                    "quadratique). Par exemple, trois étiquettes de probabilités 0,2, 0,5 et 1 donnent un nombre "
                    "attendu de 1,7 et un intervalle de 1 à 3. Les probabilités sont gardées à 4 décimales et "
                    "additionnées en entiers, si bien qu'une reconstruction donne les mêmes octets. L'intervalle ne "
                    "porte que sur les étiquettes posées : les publications que le classifieur a laissées sans "
                    "catégorie ne sont pas comptées. Les catégories des cas documentés, attribuées par ceux qui les "
                    "documentent, sont présentées à part (nombre de cas, de décisions et de publications du corpus "
                    "que ces cas citent) et ne s'additionnent jamais aux publications du corpus."
                ),
                "Categories of use are counted over the whole corpus: each publication carries its effective "
                "labels (the classifier's, or a person's correction, which always wins). A publication may fall "
                "under several categories of the typology and counts once in each; a category with no "
                "publication is shown with zero. Every count (per category, per category and year, per source "
                "and category in the “own” and “family” views) says how many labels were set by a person, by a "
                "rule and by the model. A person's label is certain; a rule's or the model's carries its "
                "calibrated probability p. Taking labels as independent trials, the number of right labels "
                "follows a Poisson-binomial distribution: the expected count is the sum of the p, the 95 % "
                "interval runs from its 2.5 % to its 97.5 % quantile, computed exactly up to "
                f"{EXACT_MAX} uncertain labels in a count and, beyond, by the normal approximation with "
                "continuity correction (error of the order of 1/standard deviation, linear instead of quadratic "
                "cost). For instance, three labels of probability 0.2, 0.5 and 1 give an expected count of 1.7 and "
                "an interval of 1 to 3. Probabilities are kept to 4 decimals and summed as integers, so a rebuild "
                "gives the same bytes. The interval concerns the labels given only: publications the classifier "
                "left without a category are not counted. The documented cases' categories, given by those who "
                "document them, are shown apart (number of cases, decisions and corpus publications those cases "
                "cite) and are never added to the corpus publications.",
                lang,
            ),
        ),
        (
            "decisions",
            pick(
                "Cas et décisions",
                "Cases and decisions",
                lang,
            ),
            pick(
                f"Un cas documente le chemin d'une étude vers une décision. Seules les décisions datées au plus "
                f"tard le {e['observed_at']} et les chiffres saisis au plus tard à cette date sont retenus"
                + ("" if p["include_unverified"] else " ; les éléments marqués non vérifiés sont exclus")
                + ". Une source parente se voit attribuer les cas de ses composantes (vue famille).",
                f"A case documents the path from a study to a decision. Only decisions dated no later than "
                f"{e['observed_at']} and figures entered by that date are kept"
                + ("" if p["include_unverified"] else "; items marked unverified are excluded")
                + ". A parent source is credited with its components' cases (family view).",
                lang,
            ),
        ),
        (
            "ranges",
            pick(
                "Fourchettes",
                "Ranges",
                lang,
            ),
            pick(
                "Personnes concernées (indicateurs A1, X1) et événements attribuables (A2, H3, J1) ou évités "
                "(A3, C2, E2, H5) sont toujours donnés en fourchette. Dans un cas, plusieurs chiffres d'une même "
                "unité peuvent se recouvrir : la borne basse est la plus grande borne basse, la borne haute la "
                "somme des bornes hautes. Entre cas, les bornes s'additionnent. Femmes, jeunes filles et enfants "
                "sont comptés comme personnes ; les taux ne sont jamais additionnés.",
                "People concerned (indicators A1, X1) and attributable (A2, H3, J1) or avoided (A3, C2, E2, "
                "H5) events are always given as ranges. Within a case, several figures in the same unit may "
                "overlap: the low bound is the largest low, the high bound the sum of highs. Across cases the "
                "bounds add up. Women, girls and children count as persons; rates are never added.",
                lang,
            ),
        ),
        (
            "delays",
            pick(
                "Délais",
                "Delays",
                lang,
            ),
            pick(
                "Délai de l'étude à la décision : de la première étape datée de la chronologie d'un cas qui "
                "évoque une étude, un rapport, des résultats ou une publication, à la première décision datée "
                "qui la suit, en mois ; une date connue à l'année couvre douze mois, d'où une fourchette.",
                "Time from study to decision: from the first dated step of a case's timeline that speaks of a "
                "study, report, results or publication to the first dated decision that follows, in months; a "
                "date known only to the year spans twelve months, hence a range.",
                lang,
            ),
        ),
        (
            "yoy",
            pick(
                "Évolutions annuelles",
                "Year-over-year changes",
                lang,
            ),
            pick(
                "Les variations comparent une année de publication à la précédente, dans la même édition ; la "
                "variation relative n'est pas calculée quand l'année précédente est à zéro.",
                "Changes compare a publication year with the previous one, within the same edition; the "
                "relative change is not computed when the previous year is zero.",
                lang,
            ),
        ),
        (
            "limits",
            pick(
                "Limites",
                "Limits",
                lang,
            ),
            pick(
                "Les comptes dépendent de la couverture des bases bibliographiques et de la détection des "
                "sources ; les cas documentés ne sont pas exhaustifs et leurs chiffres, souvent relayés par des "
                "sources secondaires, doivent être vérifiés dans le rapport primaire ; l'attribution d'une "
                "décision à une étude est graduée, jamais certaine.",
                "Counts depend on the coverage of bibliographic databases and on source detection; the "
                "documented cases are not exhaustive and their figures, often relayed by secondary sources, "
                "should be checked in the primary report; attributing a decision to a study is graded, never "
                "certain.",
                lang,
            ),
        ),
    ]
