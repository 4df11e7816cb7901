"""What every harvest connector shares: pages, resumable state, politeness and careful JSON reading.

Remote bibliographic APIs are shared public infrastructure run on small budgets. A harvest of a few
thousand records must therefore (1) never exceed the request rate the provider asks for, (2) back off
when the server says it is overloaded instead of hammering it, and (3) be resumable after a crash or a
daily quota, without re-downloading or skipping anything. This module provides the three pieces:

- ``RateLimiter``: a token bucket (``rate`` requests per second, ``burst`` at most in a row), with an
  injectable clock and sleep so tests run instantly and deterministically;
- ``HttpConnector``: a base class whose ``_get``/``_post`` apply the limiter, retry 429/5xx/timeouts with
  exponential back-off plus jitter (honouring ``Retry-After``), and turn every failure into a
  ``ConnectorError`` naming the URL (with API keys redacted) and the HTTP status;
- ``Page``: what ``harvest`` yields; its ``state`` is the JSON-serialisable position *after* that page,
  to be saved by the caller and passed back to ``harvest(..., state=...)`` to continue.

The small ``as_*`` helpers read untrusted JSON defensively: an API that changes a field's type must
yield an empty value, not a ``TypeError`` deep inside a harvest.
"""

from __future__ import annotations

import email.utils
import json
import random
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from benefice import __version__
from benefice.corpus.record import Record
from benefice.errors import BeneficeError, ConnectorError
from benefice.i18n import gettext_noop

RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
SECRET_PARAMS = frozenset({"api_key", "apikey", "key", "token", "access_token"})


@dataclass
class Page:
    """One response's worth of records, and the state to pass back to resume *after* it.

    ``total`` is the number of records the whole query matches when the API says so (it may drift
    while harvesting as the source is updated), ``None`` when unknown.
    """

    records: list[Record]
    state: dict[str, Any]
    total: int | None = None


class RateLimiter:
    """Token bucket: at most ``rate`` requests per second on average, ``burst`` back to back.

    Why a bucket rather than a fixed sleep: the time spent waiting for a response already counts
    towards the interval, so a slow API is not slowed down further, while a fast one is never hit
    faster than its documented limit (NCBI: 3/s, 10/s with a key).
    """

    def __init__(
        self,
        rate: float,
        burst: int = 1,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not rate > 0:
            raise ValueError("rate must be > 0 requests per second")
        if burst < 1:
            raise ValueError("burst must be >= 1")
        self.rate = float(rate)
        self.burst = int(burst)
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(burst)
        self._last = clock()

    def _refill(self) -> None:
        now = self._clock()
        elapsed = max(0.0, now - self._last)
        self._last = now
        self._tokens = min(float(self.burst), self._tokens + elapsed * self.rate)

    def acquire(self) -> float:
        """Take one token, sleeping until one is available; return the time slept (seconds)."""
        self._refill()
        waited = 0.0
        if self._tokens < 1.0:
            wait = (1.0 - self._tokens) / self.rate
            self._sleep(wait)
            waited = wait
            self._refill()
            # the injected clock may not advance during a fake sleep: account for the wait ourselves
            self._tokens = max(self._tokens, 1.0)
        self._tokens -= 1.0
        return waited


@dataclass
class RetryPolicy:
    """How hard to insist when a server is overloaded.

    ``max_retries`` retries after the first attempt; the n-th retry waits
    ``min(backoff_max, backoff_base * 2**n) + uniform(0, backoff_base)`` unless the server sent
    ``Retry-After``. A ``Retry-After`` longer than ``max_retry_after`` (a daily quota, typically) is not
    slept through: the harvest stops with a ``ConnectorError`` and can be resumed later from its state.
    """

    max_retries: int = 5
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    max_retry_after: float = 300.0
    timeout: float = 60.0


def redact_url(url: str | httpx.URL) -> str:
    """The URL with secret query parameters (api_key…) masked, safe to show in errors and logs."""
    parts = urlsplit(str(url))
    if not parts.query:
        return str(url)
    query = [(k, "***" if k.lower() in SECRET_PARAMS else v) for k, v in parse_qsl(parts.query, True)]
    return urlunsplit(parts._replace(query=urlencode(query, safe="*/:,")))


def user_agent(mailto: str = "") -> str:
    """``benefice/<version> (mailto:…)``: lets API operators contact us instead of blocking us."""
    return f"benefice/{__version__} (mailto:{mailto})" if mailto else f"benefice/{__version__}"


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date); None if absent/invalid."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        current = time.time() if now is None else now
        seconds = when.timestamp() - current
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


class HttpConnector:
    """Base for connectors: polite, retrying HTTP with errors that name the URL.

    Constructor options shared by all connectors (the CLI should expose ``mailto`` and ``api_key``;
    the others are for tests and unusual networks):

    - ``client``: an ``httpx.Client`` to use (tests pass one with ``httpx.MockTransport``); when omitted a
      client is created and closed by ``close()``;
    - ``mailto``: contact e-mail put in the User-Agent (and in the query where the API wants it);
    - ``rate``: requests per second (defaults per connector, from the providers' documentation);
    - ``retry``: a ``RetryPolicy``;
    - ``clock``/``sleep``/``rng``: injectable time and randomness for deterministic tests.
    """

    name = "http"
    default_rate = 1.0
    #: Largest decoded answer accepted: far above any page the providers send (a HAL page of 10,000
    #: rows is about 50 MB), and a bound on what a compressed answer may inflate to.
    max_response_bytes = 128 * 1024**2

    def __init__(
        self,
        client: httpx.Client | None = None,
        *,
        mailto: str = "",
        rate: float | None = None,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.retry = retry or RetryPolicy()
        self.mailto = mailto
        self._own_client = client is None
        self.client = client or httpx.Client(timeout=self.retry.timeout, follow_redirects=True)
        self._sleep = sleep
        self._rng = rng or random.Random()
        self.limiter = RateLimiter(rate or self.default_rate, clock=clock, sleep=sleep)
        self.requests_made = 0

    # -- lifecycle -------------------------------------------------------------------------------
    def close(self) -> None:
        """Close the HTTP client if this connector created it (an injected client is the caller's)."""
        if self._own_client:
            self.client.close()

    def __enter__(self) -> HttpConnector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- HTTP ------------------------------------------------------------------------------------
    def _headers(self) -> dict[str, str]:
        return {"User-Agent": user_agent(self.mailto)}

    def _backoff(self, attempt: int, response: httpx.Response | None, url: str) -> None:
        """Sleep before retry number ``attempt`` (0-based), honouring the server's Retry-After."""
        delay: float | None = None
        if response is not None:
            delay = parse_retry_after(response.headers.get("Retry-After"))
        if delay is not None and delay > self.retry.max_retry_after:
            raise ConnectorError(
                gettext_noop(
                    "%(connector)s: the server asks to wait %(delay)s s (HTTP %(status)s); stopping here, resume "
                    "later from the saved state"
                ),
                params={
                    "connector": self.name,
                    "delay": f"{delay:.0f}",
                    "status": response.status_code if response is not None else "?",
                },
                path=url,
            )
        if delay is None:
            delay = min(self.retry.backoff_max, self.retry.backoff_base * (2**attempt))
            delay += self._rng.uniform(0, self.retry.backoff_base)
        self._sleep(delay)

    def _request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        allow_status: frozenset[int] = frozenset(),
    ) -> httpx.Response:
        """Send one request politely; return the response (2xx, or a status in ``allow_status``).

        Retries timeouts, transport errors and ``RETRYABLE_STATUS``; raises ``ConnectorError`` naming
        the redacted URL and the last status when retries run out or the status is a client error.
        """
        shown = redact_url(httpx.URL(url, params=params or {}))
        last_problem = ""
        for attempt in range(self.retry.max_retries + 1):
            self.limiter.acquire()
            self.requests_made += 1
            response: httpx.Response | None = None
            try:
                request = self.client.build_request(
                    method,
                    url,
                    params=params,
                    data=data,
                    headers=self._headers(),
                    timeout=self.retry.timeout,
                )
                response = self._read_bounded(self.client.send(request, stream=True), shown)
            except httpx.TimeoutException as exc:
                last_problem = f"timeout ({type(exc).__name__})"
            except httpx.TransportError as exc:
                last_problem = f"network error ({type(exc).__name__}: {exc})"
            else:
                status = response.status_code
                if 200 <= status < 300 or status in allow_status:
                    return response
                if status not in RETRYABLE_STATUS:
                    body = _short_body(response)
                    raise ConnectorError(
                        gettext_noop("%(connector)s: HTTP %(status)s %(body)s")
                        if body
                        else gettext_noop("%(connector)s: HTTP %(status)s"),
                        params={"connector": self.name, "status": status, "body": body},
                        path=shown,
                    )
                last_problem = f"HTTP {status}"
            if attempt < self.retry.max_retries:
                self._backoff(attempt, response, shown)
        raise ConnectorError(
            gettext_noop("%(connector)s: giving up after %(attempts)s attempts, last: %(problem)s"),
            params={"connector": self.name, "attempts": self.retry.max_retries + 1, "problem": last_problem},
            path=shown,
        )

    def _read_bounded(self, response: httpx.Response, shown: str) -> httpx.Response:
        """Read the body, decoded, counting: at most ``max_response_bytes`` (issue 17, item 5).

        A gzip-encoded answer is decompressed by httpx as it arrives; a few kilobytes of gzip can
        inflate to gigabytes, so the decoded bytes are counted chunk by chunk and the answer refused
        beyond the limit (the memory peak is then the limit plus one network chunk's inflation). The
        returned response holds the decoded body, without the Content-Encoding it no longer has.
        """
        limit = self.max_response_bytes
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limit:
                    encoding = response.headers.get("Content-Encoding", "")
                    if encoding:
                        message = gettext_noop(
                            "%(connector)s: the answer expands beyond %(limit)s MB once decoded (%(encoding)s; "
                            "compression bomb?); refused"
                        )
                    else:
                        message = gettext_noop(
                            "%(connector)s: the answer expands beyond %(limit)s MB; refused"
                        )
                    raise ConnectorError(
                        message,
                        params={"connector": self.name, "limit": limit // 1024**2, "encoding": encoding},
                        path=shown,
                    )
                chunks.append(chunk)
        except httpx.DecodingError as exc:
            raise ConnectorError(
                gettext_noop("%(connector)s: damaged compressed answer (%(reason)s)"),
                params={"connector": self.name, "reason": str(exc)},
                path=shown,
            ) from exc
        finally:
            response.close()
        headers = [
            (k, v)
            for k, v in response.headers.multi_items()
            if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")
        ]
        return httpx.Response(
            response.status_code,
            headers=headers,
            content=b"".join(chunks),
            request=response.request,
            extensions=response.extensions,
        )

    def _get(self, url: str, params: Mapping[str, Any] | None = None, **kw: Any) -> httpx.Response:
        return self._request("GET", url, params=params, **kw)

    def _post(
        self,
        url: str,
        data: Mapping[str, Any],
        params: Mapping[str, Any] | None = None,
        **kw: Any,
    ) -> httpx.Response:
        return self._request("POST", url, params=params, data=data, **kw)

    def _json(self, response: httpx.Response) -> Any:
        """Decode a JSON body, or raise ``ConnectorError`` naming the URL (HTML error pages happen)."""
        try:
            return json.loads(response.content)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ConnectorError(
                gettext_noop("%(connector)s: response is not valid JSON (%(reason)s)"),
                params={"connector": self.name, "reason": f"{exc.__class__.__name__}: {exc}"},
                path=redact_url(response.request.url),
            ) from exc


def _short_body(response: httpx.Response, limit: int = 200) -> str:
    try:
        text = response.text
    except (UnicodeDecodeError, LookupError):  # pragma: no cover - httpx decodes leniently
        return ""
    text = " ".join(text.split())
    return text[:limit] + ("…" if len(text) > limit else "")


# -- resumable state ----------------------------------------------------------------------------
def check_state(state: Mapping[str, Any] | None, connector: str, query: dict[str, Any]) -> dict[str, Any]:
    """Validate a saved state against the query it is replayed with; return a fresh dict copy.

    A state saved for another query would silently harvest the wrong slice of the other query: refuse.
    """
    if state is None:
        return {}
    if not isinstance(state, Mapping):
        raise BeneficeError(
            gettext_noop("%(connector)s: resume state must be a JSON object"),
            params={"connector": connector},
            field="state",
        )
    if state.get("connector", connector) != connector:
        raise BeneficeError(
            gettext_noop("%(connector)s: resume state was saved by the %(other)r connector"),
            params={"connector": connector, "other": state.get("connector")},
            field="state",
        )
    saved = state.get("query")
    if saved is not None and saved != query:
        raise BeneficeError(
            gettext_noop("%(connector)s: resume state belongs to another query (%(saved)s, now %(query)s)"),
            params={"connector": connector, "saved": repr(saved), "query": repr(query)},
            field="state",
        )
    return json.loads(json.dumps(dict(state)))


# -- defensive JSON access ----------------------------------------------------------------------
def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_str(value: Any) -> str:
    """A clean one-line string from a scalar; "" for None, containers and booleans."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, int | float):
        return str(value)
    return ""


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        # isdecimal, not isdigit: "²" is a digit that int() refuses. One leading minus at most.
        text = value.strip()
        if (text[1:] if text[:1] == "-" else text).isdecimal():
            return int(text)
    return None


def as_year(value: Any) -> int | None:
    """A plausible publication year (1000–2999) or None: the database stores it as a small integer."""
    year = as_int(value)
    return year if year is not None and 1000 <= year <= 2999 else None


def dig(value: Any, *keys: str | int) -> Any:
    """``value[k1][k2]…`` tolerating missing keys and wrong types along the way (None then)."""
    for key in keys:
        if isinstance(key, int):
            if not isinstance(value, list) or not -len(value) <= key < len(value):
                return None
            value = value[key]
        else:
            if not isinstance(value, dict):
                return None
            value = value.get(key)
    return value


def unique(values: Iterator[str] | list[str]) -> list[str]:
    """Non-empty values, first occurrence kept, in order."""
    seen: set[str] = set()
    out: list[str] = []
    for v in values:
        if v and v not in seen:
            seen.add(v)
            out.append(v)
    return out


def dump_json(value: Any) -> str:
    """The record's JSON as stored in ``Record.raw``: key order kept, non-ASCII kept readable."""
    return json.dumps(value, ensure_ascii=False)


NAME_PARTICLES = frozenset(
    "van von der den de del della di da dos das du des la le ter ten zu af bin ibn al el mac".split()
)


def split_display_name(display: str) -> tuple[str, str]:
    """(family, given) guessed from a "Given Family" display name such as OpenAlex's.

    Why guess at all: deduplication compares first-author family names across sources, and PubMed or
    RIS give "Family, Given". The rule is deliberately simple: a name already holding a comma is
    "Family, Given"; otherwise the last word is the family name, together with lower-case particles
    just before it ("Ludwig van Beethoven" → "van Beethoven"). Single words are family names.
    """
    display = " ".join(display.split())
    if not display:
        return "", ""
    if "," in display:
        family, _, given = display.partition(",")
        return family.strip(), given.strip()
    words = display.split(" ")
    if len(words) == 1:
        return words[0], ""
    i = len(words) - 1
    while i > 1 and words[i - 1].lower() in NAME_PARTICLES and words[i - 1][:1].islower():
        i -= 1
    return " ".join(words[i:]), " ".join(words[:i])


def display_author_name(family: str, given: str, fallback: str = "") -> str:
    if family and given:
        return f"{family}, {given}"
    return family or given or fallback
