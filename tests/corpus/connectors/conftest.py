"""Offline test scaffolding for the connectors: a fake clock, and httpx clients served by handlers.

Every test runs without the network: responses come from ``httpx.MockTransport`` handlers replaying
hand-written fixtures shaped like the real APIs' documented answers.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data"


class FakeTime:
    """A monotonic clock that only moves when ``sleep`` is called, recording every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def timing(fake_time: FakeTime) -> dict[str, Any]:
    """Connector keyword options making time and jitter deterministic."""
    return {"clock": fake_time.clock, "sleep": fake_time.sleep, "rng": random.Random(7)}


@pytest.fixture
def mock_client() -> Callable[[Callable[[httpx.Request], httpx.Response]], httpx.Client]:
    """Factory: an ``httpx.Client`` whose every request is answered by ``handler``."""

    def make(handler: Callable[[httpx.Request], httpx.Response]) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(handler))

    return make


def load_json(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def load_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def fixture_json() -> Callable[[str], Any]:
    return load_json


@pytest.fixture
def fixture_bytes() -> Callable[[str], bytes]:
    return load_bytes


@pytest.fixture
def shared_data() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"../shared absent: {SHARED} not found")
    return SHARED
