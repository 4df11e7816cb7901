"""Inter-coder agreement: hand-computed examples, sklearn and krippendorff cross-checks, CSV errors, CLI."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from benefice.commands.interviews import agreement as agreement_command
from benefice.errors import BeneficeError
from benefice.interviews.agreement import (
    Coding,
    _coincidences,
    agreement,
    alpha_from_coincidences,
    cohen_kappa,
    read_codings,
    read_lengths,
)

HEADER = "coder,document,start,end,code\n"


def codings_from(text: str, lengths: dict[str, int] | None = None) -> list[Coding]:
    return read_codings(io.StringIO(HEADER + text), lengths)


def test_hand_computed_two_coders():
    # Code x: A covers 0-4, B covers 2-6 of 10 characters.
    # Po = 6/10; pA = pB = 0.4; Pe = 0.4*0.4 + 0.6*0.6 = 0.52; kappa = 0.08 / 0.48 = 1/6.
    # Alpha: coincidences o(0,0)=8, o(1,1)=4, o(0,1)=o(1,0)=4; n=20, n0=12, n1=8;
    # alpha = 1 - 19 * 8 / (400 - 144 - 64) = 1 - 152/192 = 0.2083.
    # Code y: both 5-10, B also 0-1: Po = 0.9; pA = 0.5, pB = 0.6; Pe = 0.5; kappa = 0.8.
    lengths = {"d1": 10}
    result = agreement(
        codings_from("A,d1,0,4,x\nB,d1,2,6,x\nA,d1,5,10,y\nB,d1,5,10,y\nB,d1,0,1,y\n", lengths), lengths
    )
    x, y = result["codes"]["x"], result["codes"]["y"]
    assert x["percent_agreement"] == pytest.approx(0.6)
    assert x["cohen_kappa"] == pytest.approx(1 / 6)
    assert x["krippendorff_alpha"] == pytest.approx(1 - 152 / 192)
    assert y["percent_agreement"] == pytest.approx(0.9)
    assert y["cohen_kappa"] == pytest.approx(0.8)
    # Pooled kappa (De Vries 2008): mean Po = 0.75, mean Pe = 0.51 -> 0.24 / 0.49.
    assert result["pooled"]["cohen_kappa"] == pytest.approx(0.24 / 0.49)
    assert result["pooled"]["percent_agreement"] == pytest.approx(0.75)
    assert [(d["code"], d["start"], d["end"], d["coders_with"]) for d in result["disagreements"]] == [
        ("x", 0, 2, ["A"]),
        ("x", 4, 6, ["B"]),
        ("y", 0, 1, ["B"]),
    ]


def test_overlapping_selections_and_several_codes_per_character():
    lengths = {"d": 20}
    result = agreement(
        codings_from("A,d,0,10,x\nA,d,5,15,x\nA,d,0,20,y\nB,d,0,15,x\nB,d,0,20,y\n", lengths), lengths
    )
    assert result["codes"]["x"]["percent_agreement"] == 1.0
    assert result["codes"]["x"]["characters_coded"] == {"A": 15, "B": 15}
    assert result["codes"]["y"]["cohen_kappa"] is None  # everyone coded everything: kappa undefined
    assert result["disagreements"] == []


def test_documents_are_separate_units_and_spans_are_per_document():
    lengths = {"a": 5, "b": 5}
    result = agreement(codings_from("A,a,3,5,x\nB,b,0,2,x\n", lengths), lengths)
    assert result["characters"] == 10
    assert result["codes"]["x"]["percent_agreement"] == pytest.approx(0.6)
    spans = [(d["document"], d["start"], d["end"]) for d in result["disagreements"]]
    assert spans == [("a", 3, 5), ("b", 0, 2)]


def test_against_sklearn_and_krippendorff():
    sklearn = pytest.importorskip("sklearn.metrics")
    import krippendorff

    rng = np.random.default_rng(7)
    for _ in range(20):
        a = rng.integers(0, 2, 300)
        b = np.where(rng.random(300) < 0.8, a, 1 - a)
        assert cohen_kappa(a, b) == pytest.approx(sklearn.cohen_kappa_score(a, b))
        data = np.vstack([a, b, rng.integers(0, 2, 300)])
        assert alpha_from_coincidences(_coincidences(data)) == pytest.approx(
            krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
        )


def test_three_coders_give_pairwise_kappas():
    lengths = {"d": 10}
    result = agreement(codings_from("A,d,0,5,x\nB,d,0,5,x\nC,d,0,4,x\n", lengths), lengths)
    pairs = result["codes"]["x"]["cohen_kappa_pairs"]
    assert set(pairs) == {"A|B", "A|C", "B|C"}
    assert pairs["A|B"] == 1.0
    assert result["codes"]["x"]["cohen_kappa"] is None
    assert 0 < result["codes"]["x"]["krippendorff_alpha"] < 1


@pytest.mark.parametrize(
    "row, message, line",
    [
        ("A,d,0,11,x", "out of range", 3),
        ("A,e,0,1,x", "not in the lengths", 3),
        ("A,d,5,5,x", "empty or reversed", 3),
        ("A,d,x,5,x", "must be an integer", 3),
        (",d,0,5,x", "empty coder", 3),
    ],
)
def test_bad_rows_name_their_line(row, message, line):
    with pytest.raises(BeneficeError, match=message) as caught:
        codings_from("A,d,0,2,x\n" + row + "\n", {"d": 10})
    assert caught.value.line == line


def test_missing_columns_and_bad_lengths():
    with pytest.raises(BeneficeError, match="missing column"):
        read_codings(io.StringIO("coder,document,start,code\nA,d,0,x\n"))
    with pytest.raises(BeneficeError, match="negative"):
        read_lengths(io.StringIO("document,length\nd,-1\n"))
    with pytest.raises(BeneficeError, match="two lengths"):
        read_lengths(io.StringIO("document,length\nd,1\nd,2\n"))


row_strategy = st.tuples(
    st.text(
        st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from(["d1", "d2", "entretien 3"]),
    st.integers(0, 99),
    st.integers(1, 50),
    st.text(
        st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
        min_size=1,
        max_size=10,
    ),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(row_strategy, max_size=30))
def test_codings_csv_round_trip(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["coder", "document", "start", "end", "code"])
    for coder, document, start, width, code in rows:
        writer.writerow([coder, document, start, start + width, code])
    lengths = {"d1": 150, "d2": 150, "entretien 3": 150}
    codings = read_codings(io.StringIO(buffer.getvalue()), lengths)
    assert [(c.coder, c.document, c.start, c.end, c.code) for c in codings] == [
        (coder, document, start, start + width, code) for coder, document, start, width, code in rows
    ]
    result = agreement(codings, lengths)
    for entry in result["codes"].values():
        assert 0.0 <= entry["percent_agreement"] <= 1.0
    for span in result["disagreements"]:
        assert 0 <= span["start"] < span["end"] <= lengths[span["document"]]
        assert span["coders_with"] and span["coders_without"]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_csv_is_read_or_refused_cleanly(text):
    try:
        codings = read_codings(io.StringIO(text), {"d": 100})
    except BeneficeError:
        return
    assert all(0 <= c.start < c.end <= 100 for c in codings)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 1)), min_size=2, max_size=60))
def test_percent_agreement_and_kappa_bounds(pairs):
    a = np.array([p[0] for p in pairs])
    b = np.array([p[1] for p in pairs])
    kappa = cohen_kappa(a, b)
    assert kappa is None or -1.0 - 1e-9 <= kappa <= 1.0 + 1e-9
    if kappa is not None and np.array_equal(a, b):
        assert kappa == pytest.approx(1.0)


def test_cli_writes_json_and_reports_out_of_range(tmp_path):
    codings = tmp_path / "codings.csv"
    lengths = tmp_path / "lengths.csv"
    output = tmp_path / "result.json"
    lengths.write_text("document,length\nd1,10\n")
    codings.write_text(HEADER + "A,d1,0,4,x\nB,d1,2,6,x\n")
    runner = CliRunner()
    result = runner.invoke(
        agreement_command, ["--input", str(codings), "--output", str(output), "--lengths", str(lengths)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(output.read_text())
    assert data["codes"]["x"]["cohen_kappa"] == pytest.approx(1 / 6)
    assert "0.167" in result.output
    codings.write_text(HEADER + "A,d1,0,4,x\nB,d1,2,60,x\n")
    from benefice.cli import main

    result = runner.invoke(
        main, ["agreement", "--input", str(codings), "--output", str(output), "--lengths", str(lengths)]
    )
    assert result.exit_code == 2
    assert "line 3" in result.output and "out of range" in result.output
