"""Pseudonymisation recall and precision: ``python benchmarks/pseudonymise.py [--json OUT.json]``.

Runs on two French interviews written for the tests (``tests/interviews/fixtures/entretien_fr*.txt``,
fictional, with every person, place, organisation, e-mail, phone number and date of birth annotated in
the ``.gold.json`` beside them). ``entretien_fr`` is the development transcript: the rules were tuned
while looking at it, so its figures are optimistic. ``entretien_fr_2`` was written afterwards and not
used to change the pipeline: it is the held-out figure. In the same run, on the same text and the same
loaded spaCy model:

* ``benefice``: our pipeline (rules, titles, spaCy NER, propagation), without a list of names;
* ``benefice + list``: the same with the project's list of names (``noms_projet.txt``: the participant and
  interviewer, as on consent forms, and the organisations under study);
* ``spaCy NER``: the peer, ``fr_core_news_md`` entities alone (PER, LOC, ORG), as a script using spaCy
  directly would pseudonymise.

``masked`` recall is the share of gold entities whose every character was replaced (what privacy needs);
``exact`` recall needs the same span and type; precision counts a replaced span as right when it overlaps
a gold entity. The transcripts are small (32 and 23 entities to mask, and 7 and 3 public names to
keep): figures are indicative, not a population estimate.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from benefice.interviews.pseudonymise import (  # noqa: E402
    TYPES,
    detect,
    load_model,
    ner_entities,
    read_names,
    score,
)

FIXTURES = ROOT / "tests" / "interviews" / "fixtures"


def _cell(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


TRANSCRIPTS = {"entretien_fr": "development", "entretien_fr_2": "held-out"}


def run(stem: str, nlp, load_seconds: float) -> dict:
    text = (FIXTURES / f"{stem}.txt").read_text(encoding="utf-8")
    gold = json.loads((FIXTURES / f"{stem}.gold.json").read_text(encoding="utf-8"))["entities"]
    names = read_names(FIXTURES / "noms_projet.txt")
    systems = {
        "benefice": lambda: detect(text, "fr", nlp=nlp),
        "benefice + list": lambda: detect(text, "fr", names=names, nlp=nlp),
        "spaCy NER (peer)": lambda: ner_entities(text, nlp),
    }
    results = {}
    for name, system in systems.items():
        started = time.perf_counter()
        entities = system()
        seconds = time.perf_counter() - started
        results[name] = {"seconds": seconds, "scores": score(gold, entities)}
    return {
        "transcript": f"{stem} ({TRANSCRIPTS[stem]})",
        "model": f"fr_core_news_md {nlp.meta.get('version')}",
        "model_load_seconds": load_seconds,
        "characters": len(text),
        "gold_entities": len(gold),
        "systems": results,
    }


def markdown(report: dict) -> str:
    systems = list(report["systems"])
    lines = [
        f"Transcript {report['transcript']}: {report['characters']} characters, {report['gold_entities']} gold entities; "
        f"model {report['model']} (loaded in {report['model_load_seconds']:.1f} s).",
        "",
        "| type | gold | " + " | ".join(f"{s}: masked / exact / precision" for s in systems) + " |",
        "|---|---:|" + "---:|" * len(systems),
    ]
    for entity_type in (*TYPES, "ALL"):
        first = report["systems"][systems[0]]["scores"][entity_type]
        cells = []
        for system in systems:
            row = report["systems"][system]["scores"][entity_type]
            cells.append(
                f"{_cell(row['recall_masked'])} / {_cell(row['recall_exact'])} / {_cell(row['precision'])}"
            )
        lines.append(f"| {entity_type} | {first['gold']} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(
        "Time per run: " + ", ".join(f"{s} {report['systems'][s]['seconds']:.2f} s" for s in systems)
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()
    started = time.perf_counter()
    nlp = load_model("fr")
    load_seconds = time.perf_counter() - started
    reports = [run(stem, nlp, load_seconds) for stem in TRANSCRIPTS]
    print("\n\n".join(markdown(report) for report in reports))
    if args.json:
        args.json.write_text(json.dumps(reports, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
