"""The CI smoke check (``python -m benefice.barometer.smoke``) runs the real commands on the demo database."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from benefice.barometer import smoke


@pytest.mark.skipif(
    not Path(sys.executable).with_name("benefice").exists(), reason="benefice entry point not installed"
)
def test_smoke_on_the_demo_database(capsys):
    assert smoke.main() == 0
    out = capsys.readouterr().out
    assert "data/datapackage.json validates with frictionless" in out and "a second build is refused" in out
