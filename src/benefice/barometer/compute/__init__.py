"""The figures of an edition, computed from :class:`~benefice.barometer.inputs.EditionInputs` alone.

Publication counts are columnar (pyarrow + numpy): the (publication, source) pairs are flattened once and
every count is a ``bincount`` over integer keys, so a million publications take seconds, not minutes, and
no Python code runs per publication. The impact cases are a few dozen records and are handled in plain
Python.

Rules this module implements (the methodology page prints them from :data:`RULES`):

* the perimeter is the publication years ``[last - span + 1, last]`` where ``last`` defaults to the year
  before the edition (the edition year is still being indexed when it is observed); publications outside
  it are counted, not silently dropped;
* a publication *uses* a source it analyses; a source it only names is *mentioned*;
* **own** count: a publication counts for each source it names as used, a component (DCIR) for itself
  only; **family** count: a publication counts once for a parent (SNDS) if it uses the parent or any of
  its components, however many;
* citation quality is measured over (publication, source used) pairs;
* decisions, figures and cases are taken as they stand at the observation date; impact figures are always
  ranges: within a case, figures in the same unit may overlap (low = largest low, high = sum of highs);
  across cases they are added;
* kinds of use are counted from the whole corpus (each publication's effective labels, people's
  corrections applied), per category, per category and year and per source and category (own and
  family), apart from the categories of the impact cases; each count says how many labels a person, a
  rule and the model set, and carries the labels' uncertainty as an expected count and a 95 % interval
  (see :func:`use_stats`).

Layout (every name below is importable from ``benefice.barometer.compute`` as before): :mod:`.common` (the
window, shares and changes, slugs), :mod:`.columns` (columnar primitives), :mod:`.publications` (publication
counts), :mod:`.uses` (kinds of use and their intervals), :mod:`.cases` (cases, decisions, figures, ranges,
delays), :mod:`.impact` (indicator values and the ranking, which look up ``benefice.indicators.values`` and
``benefice.cases.rank`` there) and :mod:`.edition` (:func:`compute`). Names with a leading underscore are
shared between the modules of this package only, except the three aliases kept below.
"""

from __future__ import annotations

from benefice.barometer.compute.cases import (
    ATTRIBUTABLE_INDICATORS,
    AVOIDED_INDICATORS,
    COUNT_UNITS,
    PEOPLE_INDICATORS,
    PERSON_UNITS,
    case_as_known,
    case_figures,
    interval_sum,
    study_to_decision,
)
from benefice.barometer.compute.columns import member, pairs, sorted_unique
from benefice.barometer.compute.common import SHARE_DIGITS, Window, check_edition_year, slug, window_for
from benefice.barometer.compute.edition import compute
from benefice.barometer.compute.impact import RANK_SAMPLES, VALUE_GROUPINGS, impact_values, ranking
from benefice.barometer.compute.publications import publication_figures
from benefice.barometer.compute.uses import (
    EXACT_MAX,
    LOWER_Q,
    SCALE,
    UPPER_Q,
    USE_FIELDS,
    Z95,
    normal_interval,
    poisson_binomial_interval,
    poisson_binomial_pmf,
    use_figures,
    use_stats,
)

__all__ = [
    "ATTRIBUTABLE_INDICATORS",
    "AVOIDED_INDICATORS",
    "COUNT_UNITS",
    "EXACT_MAX",
    "LOWER_Q",
    "PEOPLE_INDICATORS",
    "PERSON_UNITS",
    "RANK_SAMPLES",
    "SCALE",
    "SHARE_DIGITS",
    "UPPER_Q",
    "USE_FIELDS",
    "VALUE_GROUPINGS",
    "Window",
    "Z95",
    "case_as_known",
    "check_edition_year",
    "case_figures",
    "compute",
    "impact_values",
    "interval_sum",
    "member",
    "normal_interval",
    "pairs",
    "poisson_binomial_interval",
    "poisson_binomial_pmf",
    "publication_figures",
    "ranking",
    "slug",
    "sorted_unique",
    "study_to_decision",
    "use_figures",
    "use_stats",
    "window_for",
]
