"""``benefice barometer build|verify`` report in the user's locale (issue 19): French under a French
``LANG``, English otherwise; the edition itself (its files) is the same in both."""

from __future__ import annotations

import re
from pathlib import Path

from barometer_fixtures import OBSERVED, PUBLICATIONS, YEAR, write_inputs
from click.testing import CliRunner

NBSP = "\u00a0"


def run(args: list, lang: str) -> str:
    from benefice.cli import main

    env = {"LANG": lang, "LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": ""}
    result = CliRunner().invoke(main, [str(a) for a in args], env=env)
    assert result.exit_code == 0, result.output
    return result.output


def test_build_and_verify_say_their_steps_and_summary_in_french_or_english(tmp_path: Path) -> None:
    inputs = write_inputs(tmp_path / "inputs", PUBLICATIONS)
    build = ["barometer", "build", "--year", YEAR, "--inputs", inputs, "--observed-at", OBSERVED, "--no-pdf"]
    french_out, english_out = tmp_path / "fr" / "edition", tmp_path / "en" / "edition"  # one per parent
    french = run([*build, "--out", french_out], "fr_FR.UTF-8")
    assert "… calcul des chiffres" in french and "… écriture du site statique" in french
    assert re.search(
        rf"édition {YEAR} \(observée le {OBSERVED}\) écrite dans {re.escape(str(french_out))}{NBSP}: "
        rf"\d+ publications? dans le périmètre, \d+ fichiers{NBSP}; ouvrez ",
        french,
    )
    english = run([*build, "--out", english_out], "C")
    assert "… computing figures" in english
    assert re.search(rf"edition {YEAR} \(observed {OBSERVED}\) written to .*: \d+ publications? in the perimeter", english)
    assert f"{french_out}{NBSP}: OK — chaque fichier correspond au manifeste" in run(
        ["barometer", "verify", french_out], "fr_FR.UTF-8"
    )
    assert f"{english_out}: OK — every file matches the manifest" in run(["barometer", "verify", english_out], "C")
