"""JSON-lines refusals of ``benefice classify`` in the reader's language (issue 19)."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benefice.errors import FormatError, localized_error
from benefice.uses.jsonl import labelled_examples, read_jsonl

NBSP = "\u00a0"


def test_a_record_without_text_is_refused_in_french():
    with pytest.raises(FormatError) as caught:
        list(read_jsonl(io.StringIO('{"doi": "10.1/x"}\n'), "in.jsonl"))
    assert str(caught.value) == "in.jsonl, line 1, field 'title': a record needs a title or an abstract"
    assert caught.value.localized("fr") == (
        f"in.jsonl, ligne 1, champ «{NBSP}title{NBSP}»{NBSP}: une notice doit avoir un titre ou un résumé"
    )


def test_unknown_categories_take_the_plural():
    records = [{"title": "t", "use_categories": ["zz", "yy"]}]
    with pytest.raises(FormatError) as caught:
        labelled_examples(records, {"pharmacovigilance"}, lambda r: [])
    assert "unknown categories of use 'yy', 'zz'" in str(caught.value)
    assert "catégories d'usage 'yy', 'zz' inconnues (absentes de la typologie)" in caught.value.localized(
        "fr"
    )


@given(label=st.text(max_size=15).filter(lambda s: s not in {"not_applicable", "other", "none", ""}))
def test_an_unknown_category_read_from_the_file_is_said_in_french(label):
    line = json.dumps({"title": "t", "use_category": label})
    records = list(read_jsonl(io.StringIO(line + "\n"), "train.jsonl"))
    with pytest.raises(FormatError) as caught:
        labelled_examples(records, set(), lambda r: [], path="train.jsonl")
    french = caught.value.localized("fr")
    assert french.startswith(
        f"train.jsonl, ligne 1, champ «{NBSP}use_category{NBSP}»{NBSP}: catégorie d'usage "
    )
    assert repr(label) in french
    assert localized_error(caught.value.to_data(), "fr") == french
