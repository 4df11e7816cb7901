"""The ranking's refusals in the reader's language (issue 19): templates with parameters apart."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benefice.cases import rank
from benefice.curated import read_yaml
from benefice.errors import BeneficeError, FormatError
from benefice.paths import package_data

NBSP = "\u00a0"
SPEC = read_yaml(package_data("ranking.yaml"))


def test_a_negative_weight_is_refused_in_french():
    data = copy.deepcopy(SPEC)
    data["criteria"][0]["weight"] = -2
    cid = data["criteria"][0]["id"]
    with pytest.raises(FormatError) as caught:
        rank.parse_weights(data, "/srv/data/ranking.yaml")
    assert str(caught.value).endswith("weight must not be negative, got -2")
    assert caught.value.localized("fr", name_only=True) == (
        f"ranking.yaml, champ «{NBSP}criteria[0] ({cid}).weight{NBSP}»{NBSP}: le poids ne doit pas être "
        "négatif (valeur lue\u00a0: -2)"
    )


def test_an_unknown_method_is_refused_in_french():
    with pytest.raises(BeneficeError) as caught:
        rank.rank_cases([], None, None, method="borda")
    assert caught.value.localized("fr") == (
        f"méthode de classement 'borda' inconnue (choisir parmi{NBSP}: {', '.join(rank.METHODS)})"
    )


@given(value=st.one_of(st.text(max_size=20), st.booleans(), st.none(), st.lists(st.integers(), max_size=2)))
def test_any_weight_read_from_the_file_is_said_in_both_languages(value):
    data = copy.deepcopy(SPEC)
    data["criteria"][0]["weight"] = value
    with pytest.raises(FormatError) as caught:
        rank.parse_weights(data, "ranking.yaml")
    assert repr(value) in caught.value.localized("en")
    french = caught.value.localized("fr")
    assert "le poids doit être un nombre" in french and repr(value) in french
