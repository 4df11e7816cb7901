"""Every command speaks the user's locale (issue 19), as the corpus commands do: French under a French
``LANG`` (or ``LANGUAGE``, ``LC_ALL``), English otherwise, with French typography (a no-break space before
``:`` and ``;``, decimal commas) and counts in the right grammatical number (never "1 records" nor
"record(s)"). One test per command family, each run through the ``benefice`` group in both languages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from benefice.paths import package_data

NBSP = "\u00a0"
FRENCH, ENGLISH = "fr_FR.UTF-8", "C"
CASES = package_data("cases.yaml")


def run(args: list[str], lang: str, *, code: int = 0) -> str:
    """The command's output (stdout and stderr) under ``LANG=lang``, lines unwrapped (rich wraps its lines
    at 80 columns outside a terminal; no-break spaces are kept, since they are what is checked)."""
    from benefice.cli import main

    env = {"LANG": lang, "LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": ""}
    result = CliRunner().invoke(main, [str(a) for a in args], env=env)
    assert result.exit_code == code, result.output
    return re.sub(r"[ \n]+", " ", result.output)


def fr(text: str) -> str:
    """French typography written plainly in the tests: a no-break space before : ; ! ?"""
    return re.sub(r" ([:;!?])", NBSP + r"\1", text)


def test_source_commands(tmp_path: Path) -> None:
    records = tmp_path / "in.jsonl"
    records.write_text(
        json.dumps({"id": "1", "title": "Étude à partir du SNDS", "abstract": "Nous avons utilisé le SNDS."}) + "\n",
        encoding="utf-8",
    )
    out, registry = tmp_path / "out.jsonl", tmp_path / "registry.json"
    french = run(["detect", "--input", records, "--output", out], FRENCH)
    assert f"1 notice écrite dans {out} (registre " in french
    french = run(["sources", "export", "--output", registry], FRENCH)
    assert re.search(rf"\d+ sources \(registre [\d.]+\) écrites dans {re.escape(str(registry))}", french)
    assert json.loads(registry.read_text(encoding="utf-8"))  # the file itself is data, not translated
    english = run(["detect", "--input", records, "--output", out], ENGLISH)
    assert f"1 record written to {out} (registry " in english
    assert "1 records" not in english and "record(s)" not in english
    bad = run(["scan", "--input", tmp_path], FRENCH, code=2)
    assert "une analyse de partitions demande à la fois --input et --output" in bad


def test_classify(tmp_path: Path) -> None:
    records = tmp_path / "in.jsonl"
    records.write_text(json.dumps({"id": "1", "title": "Cohorte SNDS", "abstract": "SNDS."}) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    french = run(["classify", "--input", records, "--output", out, "--mode", "rules"], FRENCH)
    assert f"1 notice classée dans {out} (règles " in french  # the classifier's version in words too
    english = run(["classify", "--input", records, "--output", out, "--mode", "rules"], ENGLISH)
    assert f"1 record classified into {out} (rules " in english
    missing = run(["classify", "--input", tmp_path / "none.jsonl", "--output", out], FRENCH, code=2)
    assert fr(f"erreur : {tmp_path / 'none.jsonl'} : fichier d'entrée introuvable") in missing


def test_rank_and_values(tmp_path: Path) -> None:
    out = tmp_path / "values.csv"
    french = run(["values", "--cases", CASES, "--by", "source", "--output", out], FRENCH)
    assert re.search(rf"\d+ lignes de valeurs par source de données écrites dans {re.escape(str(out))}", french)
    assert out.read_text(encoding="utf-8").startswith("by,")  # the CSV keeps its English column names
    english = run(["values", "--cases", CASES, "--by", "source", "--output", out], ENGLISH)
    assert re.search(rf"\d+ value rows by data source written to {re.escape(str(out))}", english)
    ranked = tmp_path / "rank.csv"
    french = run(["rank", "--cases", CASES, "--samples", "20", "--output", ranked], FRENCH)
    assert re.search(r"\d+ lignes, 1 classement des cas de .*cases\.yaml, écrits dans .*20 tirages, graine 0\)", french)
    english = run(["rank", "--cases", CASES, "--samples", "20", "--output", ranked], ENGLISH)
    assert re.search(r"\d+ rows, 1 ranking of the cases of .*cases\.yaml, written to .*20 draws, seed 0\)", english)


def test_interview_commands(tmp_path: Path) -> None:
    lengths, codings, output = tmp_path / "lengths.csv", tmp_path / "codings.csv", tmp_path / "out.json"
    lengths.write_text("document,length\nd1,10\n", encoding="utf-8")
    codings.write_text("coder,document,start,end,code\nA,d1,0,4,x\nB,d1,2,6,x\n", encoding="utf-8")
    args = ["agreement", "--input", codings, "--output", output, "--lengths", lengths]
    french = run(args, FRENCH)
    assert fr("codeurs : A, B ; documents : 1 ; caractères : 10") in french
    assert re.search(r"\(ensemble\) +\d,\d{3}", french)  # a decimal comma
    assert fr(f"désaccords : 2 segments ; résultat écrit dans {output}") in french
    english = run(args, ENGLISH)
    assert "coders: A, B; documents: 1; characters: 10" in english
    assert re.search(r"\(pooled\) +\d\.\d{3}", english)
    assert f"disagreements: 2 spans; written to {output}" in english
    text, clean = tmp_path / "t.txt", tmp_path / "clean.txt"
    text.write_text("Écrivez à jeanne.martin@example.org demain.\n", encoding="utf-8")
    french = run(["pseudonymise", "--input", text, "--output", clean, "--no-ner"], FRENCH)
    assert fr(f"{clean} : 1 remplacement (adresses électroniques : 1)") in french  # the kind in words
    english = run(["pseudonymise", "--input", text, "--output", clean, "--no-ner"], ENGLISH)
    assert f"{clean}: 1 replacement (e-mail addresses: 1)" in english


def test_review_simulate(tmp_path: Path) -> None:
    rows = ["title,abstract,label_included"]
    rows += [f"Cohorte SNDS {i},Données de santé {i},1" for i in range(4)]
    rows += [f"Essai de pharmacologie {i},Molécule {i},0" for i in range(16)]
    data = tmp_path / "set.csv"
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    args = ["review", "simulate", "--data", data, "--output", tmp_path / "m.json", "--model", "nb"]
    french = run(args, FRENCH)
    assert fr("set.csv : 20 notices (pertinentes : 4) ; modèle nb, 1 simulation : WSS@95 ") in french
    assert re.search(r"WSS@100 -?\d+,\d\u00a0%", french)  # French decimals and percent sign
    assert fr("règle d'arrêt (hypergéométrique, rappel ≥ 95\u00a0% avec une confiance de 95\u00a0%) :") in french
    assert "objectif atteint dans" in french
    english = run(args, ENGLISH)
    assert "set.csv: 20 records, 4 relevant; model nb, 1 run: WSS@95 " in english
    assert re.search(r"WSS@100 -?\d+\.\d%", english)
    assert "stopping rule (hypergeometric, recall ≥ 95% at 95% confidence): stops after" in english
    assert "run(s)" not in english


def test_barometer_commands(tmp_path: Path) -> None:
    from benefice.barometer.freeze import VerifyReport
    from benefice.commands.barometer import _verify_lines

    refused = run(["barometer", "build", "--year", "2024", "--param", "span"], FRENCH, code=2)
    assert "--param attend CLÉ=VALEUR, reçu 'span'" in refused
    refused = run(["barometer", "build", "--year", "2024", "--param", "span"], ENGLISH, code=2)
    assert "--param needs KEY=VALUE, got 'span'" in refused
    report = VerifyReport(directory="e", missing=["data/a.csv"], edited=["site/index.html"])
    with pytest.MonkeyPatch.context() as env:
        env.setenv("LANGUAGE", "fr")
        assert _verify_lines(report) == [
            fr("manquant : data/a.csv"),
            fr("modifié (empreinte différente de celle du manifeste) : site/index.html"),
        ]
        env.setenv("LANGUAGE", "en")
        assert _verify_lines(report) == report.lines()  # the English is the report's own


@pytest.mark.django_db
def test_projects_import() -> None:
    demo = package_data("demo", "hdh_projects.csv")
    french = run(["projects", "import", demo], FRENCH)
    assert fr(f"{demo} : lignes lues : 12 ; nouveaux : 12 ; mis à jour : 0 ; inchangés : 0 ; rejetés : 0") in french
    assert fr("à revoir : DEMO-90 : libellé") in french
    english = run(["projects", "import", demo], ENGLISH)
    assert f"{demo}: rows read: 12; new: 0; updated: 0; unchanged: 12; rejected: 0" in english


@pytest.mark.django_db
def test_qda_export(tmp_path: Path) -> None:
    from benefice.interviews import services

    project = services.create_project("Entretiens", None)
    services.create_code(project, "Accès aux données", None)
    codebook = tmp_path / "codes.qdc"
    assert fr(f"{codebook} : livre de codes écrit") in run(["qda", "export", "--project", "Entretiens", "--output", codebook], FRENCH)
    assert f"{codebook}: codebook written" in run(["qda", "export", "--project", "Entretiens", "--output", codebook], ENGLISH)
    refused = run(["qda", "export", "--project", "Aucun", "--output", codebook], FRENCH, code=2)
    assert "aucun projet d'entretiens nommé 'Aucun'" in refused


@pytest.mark.django_db
def test_search_index() -> None:
    assert fr("index de recherche : 0 publication (") in run(["search-index"], FRENCH)
    assert "search index: 0 publications (" in run(["search-index"], ENGLISH)
    assert fr("index de recherche reconstruit : 0 publication") in run(["search-index", "--rebuild"], FRENCH)


@pytest.mark.django_db(transaction=True)
def test_backup(tmp_path: Path) -> None:
    from django.db import connection

    target = tmp_path / "benefice.backup"
    engine = "postgresql" if connection.vendor == "postgresql" else "sqlite"  # the suite runs on both
    assert fr(f"sauvegarde {engine} écrite : {target}") in run(["backup", "--output", target], FRENCH)
    assert f"{engine} backup written: {target}" in run(["backup", "--output", target], ENGLISH)


def test_counts_take_the_plural_and_french_thousands(monkeypatch) -> None:
    from benefice.commands.messages import say_n

    monkeypatch.setenv("LANGUAGE", "fr")
    assert say_n("%(n)s record", "%(n)s records", 1) == "1 notice"
    assert say_n("%(n)s record", "%(n)s records", 0) == "0 notice"  # French: 0 takes the singular
    assert say_n("%(n)s record", "%(n)s records", 12345) == "12\u202f345 notices"
    monkeypatch.setenv("LANGUAGE", "en")
    assert say_n("%(n)s record", "%(n)s records", 1) == "1 record"
    assert say_n("%(n)s record", "%(n)s records", 0) == "0 records"
    assert say_n("%(n)s record", "%(n)s records", 12345) == "12345 records"
    from benefice.commands.messages import counted

    assert counted(12345) == 12345 and counted("x") == "x"
    monkeypatch.setenv("LANGUAGE", "fr")
    assert counted(12345) == "12\u202f345" and counted(True) is True


def test_help_in_the_users_locale_and_docs_in_english() -> None:
    """``-h`` speaks the user's locale (the command's help, its options' and click's own words); the command
    objects keep their English, so docs/cli.md is generated the same in any locale and after any run."""
    from benefice import docgen
    from benefice.cli import main

    docs = docgen.cli_markdown()
    french = run(["review", "simulate", "-h"], FRENCH)
    assert fr("Utilisation : ") in french and fr("Options :") in french
    assert "Rejoue le tri sur DATA" in french and "Affiche ce message et quitte." in french
    assert fr("[par défaut : svm]") in french and "obligatoire" in french
    assert "Replay screening" not in french
    english = run(["review", "simulate", "-h"], ENGLISH)
    assert "Usage: " in english and "Replay screening on DATA" in english and "Show this message and exit." in english
    assert "Rejoue" not in english
    assert "Commandes" in run(["-h"], FRENCH)
    assert fr("Erreur : Option manquante '--data'.") in run(["review", "simulate"], FRENCH, code=2)
    assert "Error: Missing option '--data'." in run(["review", "simulate"], ENGLISH, code=2)
    assert docgen.cli_markdown() == docs  # nothing French left behind in the command objects
    assert main.commands["review"].commands["simulate"].help.startswith("Replay screening")


def test_every_help_text_has_its_french() -> None:
    """A new command or option without its French help would show English in a French ``-h``: the main
    catalogue must hold every help text, as click shows it (a docstring without its indentation)."""
    import inspect

    import click

    from benefice.cli import main
    from benefice.i18n import translator

    french = translator("fr")
    missing: list[str] = []

    def walk(cmd: click.Command, path: str) -> None:
        texts = [cmd.help, cmd.short_help, cmd.epilog, *(getattr(p, "help", None) for p in cmd.params)]
        for text in filter(None, texts):
            if french.gettext(inspect.cleandoc(text)) == inspect.cleandoc(text):
                missing.append(f"{path}: {text[:60]!r}")
        for name, child in getattr(cmd, "commands", {}).items():
            walk(child, f"{path} {name}")

    walk(main, "benefice")
    assert not missing, "no French in the main catalogue for the help " + "; ".join(missing)


def test_sources_train(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("BENEFICE_HOME", str(tmp_path))
    lines = []
    for i in range(12):  # half use the PMSI, half only mention the SNDS
        used = i % 2 == 1
        record = {
            "id": f"r{i}",
            "title": "",
            "abstract": f"We used the PMSI in {2010 + i}." if used else f"Studies could use the SNDS ({2010 + i}).",
            "gold_sources_used": ["PMSI"] if used else [],
        }
        if not used:
            record["gold_sources_mentioned_only"] = ["SNDS"]
        lines.append(json.dumps(record))
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(lines) + "\n", encoding="utf-8")
    args = ["sources", "train", "--gold", gold, "--no-corrections", "--output", tmp_path / "model.json"]
    french = run(args, FRENCH)
    assert fr("12 exemples (issus des corrections : 0) ;") in french
    assert re.search(r"(log-loss en validation croisée \d,\d+, exactitude \d,\d+|trop peu de notices)", french)
    english = run(args, ENGLISH)
    assert "12 examples (0 from corrections);" in english
    assert fr("rien à apprendre : donnez --gold FICHIER") in run(["sources", "train", "--no-corrections"], FRENCH, code=2)


def test_an_unprepared_database_is_said_in_the_users_locale(monkeypatch) -> None:
    import click
    from django.db import OperationalError

    from benefice.cli import main

    @click.command("boom")
    def boom() -> None:
        raise OperationalError("no such table: corpus_publication")

    monkeypatch.setitem(main.commands, "boom", boom)
    french = run(["boom"], FRENCH, code=2)
    assert fr("erreur : la base de données n'est pas préparée (no such table: corpus_publication) ; lancez d'abord") in french
    english = run(["boom"], ENGLISH, code=2)
    assert "error: the database is not prepared (no such table: corpus_publication); run `benefice init` first" in english
