"""The labelled CSV reader and ``benefice review simulate``: good files, bad files, clear messages."""

import csv
import io
import json

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from review_synthetic import synthetic

from benefice.cli import main
from benefice.errors import BeneficeError
from benefice.review.data import read_labelled_csv


def write_csv(path, rows, header=("title", "abstract", "label_included"), delimiter=","):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def synthetic_csv(path, n=200):
    texts, labels = synthetic(n)
    return write_csv(path, [(t[:30], t[30:], int(y)) for t, y in zip(texts, labels, strict=True)])


def test_cli_writes_metrics(tmp_path):
    data = synthetic_csv(tmp_path / "set.csv")
    out = tmp_path / "out" / "metrics.json"
    result = CliRunner().invoke(
        main,
        [
            "review",
            "simulate",
            "--data",
            str(data),
            "--output",
            str(out),
            "--model",
            "nb",
            "--runs",
            "2",
            "--seed",
            "3",
            "--prior-included",
            "1",
            "--prior-excluded",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    for key in ("wss@95", "wss@100", "rrf@10", "atd", "recall_curve", "seconds_per_retraining"):
        assert key in doc["averaged"]
    assert len(doc["runs"]) == 2
    for run in doc["runs"]:
        assert {"wss@95", "wss@100", "rrf@10", "atd", "recall_curve", "priors", "stopping"} <= set(run)
        assert run["recall_curve"]["recall"][-1] == 1.0
        stop = run["stop"]
        assert 2 <= stop["screened"] <= doc["data"]["records"]
        assert stop["work_saved"] == pytest.approx(1 - stop["screened"] / doc["data"]["records"])
        assert stop["recall_reached"] == (stop["recall"] >= 0.95)
    stop = doc["averaged"]["stop"]
    assert stop["runs"] == 2 and stop["target_recall"] == 0.95 and stop["confidence"] == 0.95
    assert stop["screened"]["min"] <= stop["screened"]["mean"] <= stop["screened"]["max"]
    assert "stopping rule (hypergeometric" in result.output
    assert doc["settings"]["model"] == "nb" and doc["settings"]["retrain_every"] == 1
    assert doc["averaged"]["wss@95"] > 0.3


def run_cli(path, *extra):
    return CliRunner().invoke(
        main, ["review", "simulate", "--data", str(path), "--output", str(path.with_suffix(".json")), *extra]
    )


def test_missing_columns_are_named(tmp_path):
    path = write_csv(tmp_path / "a.csv", [("t", 1)], header=("title", "label"))
    result = run_cli(path)
    assert result.exit_code == 2
    assert "abstract" in result.output and "label_included or included" in result.output


def test_bad_label_names_the_line(tmp_path):
    path = tmp_path / "b.csv"
    path.write_text('title,abstract,included\nA,"multi\nline",1\nB,x,yes\n', encoding="utf-8")
    with pytest.raises(BeneficeError) as info:
        read_labelled_csv(path)
    assert info.value.line == 4 and info.value.record == 2 and "'yes'" in str(info.value)
    assert run_cli(path).exit_code == 2


def test_one_class_only(tmp_path):
    path = write_csv(tmp_path / "c.csv", [("a", "b", 0), ("c", "d", 0)])
    result = run_cli(path)
    assert result.exit_code == 2 and "at least one relevant and one irrelevant" in result.output


def test_too_many_priors(tmp_path):
    path = write_csv(tmp_path / "p.csv", [("a b", "c", 1), ("d e", "f", 0), ("g", "h", 0)])
    result = run_cli(path, "--prior-included", "1")
    assert result.exit_code == 2 and "no relevant record to find" in result.output


def test_empty_records_kept_and_duplicates(tmp_path):
    rows = [("A trial", "of statins", 1), ("", "", 0), ("Other", "topic", 0), ("A  trial", "of Statins.", 1)]
    records = read_labelled_csv(write_csv(tmp_path / "d.csv", rows, delimiter=";"))
    assert len(records) == 4 and records.texts[1] == ""
    assert records.empty_lines == [3] and records.duplicate_lines == [[2, 5]]
    assert any("neither title nor abstract" in w for w in records.warnings)
    conflicting = rows[:3] + [("A trial", "of statins", 0)]
    with pytest.raises(BeneficeError, match="different labels"):
        read_labelled_csv(write_csv(tmp_path / "e.csv", conflicting))


def test_unreadable_files(tmp_path):
    with pytest.raises(BeneficeError, match="cannot read"):
        read_labelled_csv(tmp_path / "absent.csv")
    (tmp_path / "latin.csv").write_bytes("title,abstract,included\nCaf\xe9,x,1\n".encode("latin-1"))
    with pytest.raises(BeneficeError, match="UTF-8") as info:
        read_labelled_csv(tmp_path / "latin.csv")
    assert info.value.line == 2


cell = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(
    rows=st.lists(st.tuples(cell, cell, st.sampled_from([0, 1])), min_size=2, max_size=15),
    delimiter=st.sampled_from([",", ";", "\t"]),
    column=st.sampled_from(["label_included", "included"]),
)
def test_reader_round_trips_any_text(tmp_path, rows, delimiter, column):
    rows = [(t, a, y) for t, a, y in rows]
    rows[0] = (rows[0][0], rows[0][1], 1)
    rows[1] = (rows[1][0], rows[1][1], 0)
    path = write_csv(tmp_path / "h.csv", rows, header=("Title", "abstract", column), delimiter=delimiter)
    try:
        records = read_labelled_csv(path)
    except BeneficeError as exc:
        # the only refusals allowed here: contradictory duplicates (same text, different labels)
        assert "different labels" in str(exc)
        return
    assert records.labels.tolist() == [y for _, _, y in rows]  # every record kept, even empty ones
    assert records.titles == [t.strip() for t, _, _ in rows]
    assert records.abstracts == [a.strip() for _, a, _ in rows]
