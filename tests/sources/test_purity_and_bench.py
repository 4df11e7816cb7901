"""Pure modules stay free of Django, and the benchmark scores what the gold README says."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

from benefice.sources.registry import load_registry

ROOT = Path(__file__).resolve().parents[2]


def test_detection_scan_and_citation_do_not_import_django() -> None:
    code = (
        "import sys\n"
        "import benefice.sources.detect, benefice.sources.scan, benefice.sources.citation\n"
        "import benefice.commands.sources\n"
        "benefice.sources.detect.detect({'id': 1, 'title': 'SNDS'})\n"
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), 'django imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def _bench():
    spec = importlib.util.spec_from_file_location("bench_detect", ROOT / "benchmarks" / "detect.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_scoring_rules() -> None:
    bench = _bench()
    registry = load_registry()
    gold = [
        {"gold_sources_used": ["SNDS", "PMSI"]},
        {"gold_sources_used": ["OTHER_FR"]},  # ignored per source, counts for "uses any French source"
        {"gold_sources_used": []},
    ]
    predicted = [["SNDS", "DCIR"], ["SI_VIC"], ["CPRD"]]
    result = bench.score(gold, predicted, registry)
    counts = result["counts"]
    assert (counts["tp"], counts["fp"], counts["fn"]) == (1, 1, 1)
    assert result["micro"] == (0.5, 0.5, 0.5)
    assert result["french"] == (1.0, 1.0, 1.0)  # CPRD is foreign: no false "yes"
    assert bench.prf(0, 0, 0) == (1.0, 1.0, 1.0)
