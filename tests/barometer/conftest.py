"""A small edition built once per test module (see barometer_fixtures)."""

from __future__ import annotations

from pathlib import Path

import pytest
from barometer_fixtures import make_edition


@pytest.fixture(scope="module")
def edition(tmp_path_factory) -> Path:
    return make_edition(tmp_path_factory.mktemp("barometer"))
