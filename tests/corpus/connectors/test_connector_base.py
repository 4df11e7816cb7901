"""Politeness and failure handling shared by all connectors: rate limit, retries, errors, JSON."""

from __future__ import annotations

import email.utils

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from benefice import __version__
from benefice.corpus.connectors import OpenAlexConnector, RateLimiter, RetryPolicy
from benefice.corpus.connectors.base import (
    HttpConnector,
    as_int,
    as_str,
    check_state,
    parse_retry_after,
    redact_url,
    split_display_name,
)
from benefice.errors import BeneficeError, ConnectorError


def make(mock_client, handler, timing, **kw) -> HttpConnector:
    conn = HttpConnector(mock_client(handler), **timing, **kw)
    conn.name = "test"
    return conn


# -- rate limiter -------------------------------------------------------------------------------
def test_rate_limiter_spaces_requests(fake_time):
    limiter = RateLimiter(2.0, clock=fake_time.clock, sleep=fake_time.sleep)
    stamps = []
    for _ in range(5):
        limiter.acquire()
        stamps.append(fake_time.now)
    # first request immediate, then one every 0.5 s
    assert stamps == pytest.approx([1000.0, 1000.5, 1001.0, 1001.5, 1002.0])


def test_rate_limiter_counts_time_spent_elsewhere(fake_time):
    limiter = RateLimiter(1.0, clock=fake_time.clock, sleep=fake_time.sleep)
    limiter.acquire()
    fake_time.now += 3.0  # a slow response: the next request may go at once
    assert limiter.acquire() == 0.0
    assert limiter.acquire() == pytest.approx(1.0)


def test_rate_limiter_burst(fake_time):
    limiter = RateLimiter(1.0, burst=3, clock=fake_time.clock, sleep=fake_time.sleep)
    waits = [limiter.acquire() for _ in range(4)]
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert waits[3] == pytest.approx(1.0)


@given(rate=st.floats(0.1, 50), n=st.integers(1, 40), burst=st.integers(1, 5))
def test_rate_limiter_never_exceeds_rate(rate, n, burst):
    now = [0.0]

    def sleep(s):
        now[0] += s

    limiter = RateLimiter(rate, burst=burst, clock=lambda: now[0], sleep=sleep)
    for _ in range(n):
        limiter.acquire()
    # n requests need at least (n - burst) / rate seconds
    assert now[0] >= max(0, n - burst) / rate - 1e-6


def test_rate_limiter_rejects_bad_rate():
    with pytest.raises(ValueError):
        RateLimiter(0)


# -- retries ------------------------------------------------------------------------------------
def test_429_with_retry_after_then_success(mock_client, timing, fake_time):
    calls = []

    def handler(request):
        calls.append(request)
        if len(calls) == 1:
            return httpx.Response(429, headers={"Retry-After": "7"}, json={"error": "Too many requests"})
        return httpx.Response(200, json={"ok": True})

    conn = make(mock_client, handler, timing)
    assert conn._json(conn._get("https://api.example.org/x")) == {"ok": True}
    assert len(calls) == 2
    assert 7.0 in fake_time.sleeps  # honoured Retry-After exactly, no invented back-off


def test_retry_after_http_date():
    now = 1_700_000_000.0
    header = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after(header, now=now) == pytest.approx(30, abs=1)
    assert parse_retry_after("garbage") is None
    assert parse_retry_after("-5") == 0.0
    assert parse_retry_after(None) is None


def test_repeated_500_gives_connector_error_naming_url_and_status(mock_client, timing, fake_time):
    calls = []

    def handler(request):
        calls.append(request)
        return httpx.Response(500, text="Internal Server Error")

    conn = make(mock_client, handler, timing, retry=RetryPolicy(max_retries=3, backoff_base=1.0))
    with pytest.raises(ConnectorError) as err:
        conn._get("https://api.example.org/works", params={"filter": "x", "api_key": "SECRET123"})
    assert len(calls) == 4
    text = str(err.value)
    assert "HTTP 500" in text and "https://api.example.org/works" in text
    assert "SECRET123" not in text  # keys never leak into messages
    # exponential back-off with jitter in [0, base): 1–2, 2–3, 4–5 s
    assert len(fake_time.sleeps) == 3
    for expected, slept in zip([1, 2, 4], fake_time.sleeps, strict=True):
        assert expected <= slept < expected + 1


def test_timeout_is_retried(mock_client, timing):
    calls = []

    def handler(request):
        calls.append(request)
        if len(calls) < 3:
            raise httpx.ReadTimeout("slow", request=request)
        return httpx.Response(200, json=[1])

    conn = make(mock_client, handler, timing)
    assert conn._json(conn._get("https://api.example.org/x")) == [1]
    assert len(calls) == 3


def test_client_error_is_not_retried(mock_client, timing):
    calls = []

    def handler(request):
        calls.append(request)
        return httpx.Response(400, json={"error": "Invalid filter", "message": "Unknown filter field: foo"})

    conn = make(mock_client, handler, timing)
    with pytest.raises(ConnectorError, match="HTTP 400.*Unknown filter field"):
        conn._get("https://api.example.org/x")
    assert len(calls) == 1


def test_very_long_retry_after_stops_instead_of_sleeping(mock_client, timing, fake_time):
    def handler(request):
        return httpx.Response(429, headers={"Retry-After": "86400"})

    conn = make(mock_client, handler, timing)
    with pytest.raises(ConnectorError, match="resume later"):
        conn._get("https://api.example.org/x")
    assert fake_time.sleeps == []


def test_malformed_json_is_connector_error(mock_client, timing):
    def handler(request):
        return httpx.Response(200, text="<html>Service unavailable</html>")

    conn = make(mock_client, handler, timing)
    with pytest.raises(ConnectorError, match="not valid JSON") as err:
        conn._json(conn._get("https://api.example.org/x", params={"api_key": "K"}))
    assert "api_key=***" in str(err.value)


def test_user_agent_names_version_and_contact(mock_client, timing):
    seen = {}

    def handler(request):
        seen["ua"] = request.headers["User-Agent"]
        return httpx.Response(200, json={})

    conn = make(mock_client, handler, timing, mailto="team@example.org")
    conn._get("https://api.example.org/x")
    assert seen["ua"] == f"benefice/{__version__} (mailto:team@example.org)"


def test_connectors_are_rate_limited(mock_client, timing, fake_time):
    def handler(request):
        return httpx.Response(200, json={"meta": {"count": 0, "next_cursor": None}, "results": []})

    conn = OpenAlexConnector(mock_client(handler), rate=4.0, **timing)
    for _ in range(3):
        list(conn.harvest(search="snds"))
    assert fake_time.now == pytest.approx(1000.5)  # 3 requests at 4/s: two waits of 0.25 s


# -- helpers ------------------------------------------------------------------------------------
def test_redact_url():
    assert redact_url("https://x.org/a?api_key=abc&q=1") == "https://x.org/a?api_key=***&q=1"
    assert redact_url("https://x.org/a") == "https://x.org/a"


def test_check_state_refuses_other_query():
    state = {"connector": "openalex", "query": {"search": "a", "filter": ""}, "cursor": "c"}
    assert check_state(state, "openalex", {"search": "a", "filter": ""})["cursor"] == "c"
    with pytest.raises(BeneficeError, match="another query"):
        check_state(state, "openalex", {"search": "b", "filter": ""})
    with pytest.raises(BeneficeError, match="connector"):
        check_state(state, "hal", {"search": "a", "filter": ""})


@pytest.mark.parametrize(
    ("display", "family", "given"),
    [
        ("Pierre Tuppin", "Tuppin", "Pierre"),
        ("Jean-Paul van der Berg", "van der Berg", "Jean-Paul"),
        ("Tuppin, Pierre", "Tuppin", "Pierre"),
        ("Madonna", "Madonna", ""),
        ("  ", "", ""),
        ("Marie De Gaulle", "Gaulle", "Marie De"),  # capitalised particle: treated as a given name
    ],
)
def test_split_display_name(display, family, given):
    assert split_display_name(display) == (family, given)


@given(
    st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(), lambda c: st.lists(c))
)
def test_scalar_readers_never_raise(value):
    assert isinstance(as_str(value), str)
    assert as_int(value) is None or isinstance(as_int(value), int)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("42", 42), (" -7 ", -7), ("²", None), ("--5", None), ("-", None), ("٣", 3), ("4²", None), ("", None)],
)
def test_as_int_reads_only_what_int_can(value, expected):
    """Unicode "digits" such as superscripts pass str.isdigit() but not int(); found by hypothesis in CI."""
    assert as_int(value) == expected


@pytest.mark.parametrize("text", ["²", "¹²", "3²", "⁴"])
def test_superscript_counts_and_days_are_not_numbers(text):
    from benefice.corpus.formats._common import month_number

    assert month_number(text) is None
