"""Harvest connectors for remote bibliographic APIs (pure: httpx, no Django).

Each connector takes an injectable ``httpx.Client`` and politeness options, and exposes
``harvest(query…, state=None) -> Iterator[Page]`` (Crossref: ``enrich(doi)``). A caller stores each
``Page.records`` and saves ``Page.state``; passing that state back resumes right after that page.
See each module's docstring for the options and query arguments a command line should expose.
"""

from benefice.corpus.connectors.base import HttpConnector, Page, RateLimiter, RetryPolicy
from benefice.corpus.connectors.crossref import CrossrefConnector
from benefice.corpus.connectors.hal import HALConnector
from benefice.corpus.connectors.openalex import OpenAlexConnector
from benefice.corpus.connectors.pubmed import PubMedConnector

__all__ = [
    "CrossrefConnector",
    "HALConnector",
    "HttpConnector",
    "OpenAlexConnector",
    "Page",
    "PubMedConnector",
    "RateLimiter",
    "RetryPolicy",
]
