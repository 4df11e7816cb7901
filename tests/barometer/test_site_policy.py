"""The static site states its own Content-Security-Policy and referrer policy (issue 17): it is copied to web
servers whose headers we do not set. Every page carries both; none holds an inline script, an event-handler
attribute, a style attribute or a <style> element the policy would refuse."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from benefice.barometer.site import CONTENT_SECURITY_POLICY, REFERRER_POLICY


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.problems: list[str] = []
        self._script_src: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "meta" and (a.get("http-equiv") or a.get("name")):
            self.meta[(a.get("http-equiv") or a.get("name") or "").lower()] = a.get("content") or ""
        if tag == "style":
            self.problems.append("<style>")
        if "style" in a:
            self.problems.append(f"style= on <{tag}>")
        self.problems += [f"{k}= on <{tag}>" for k in a if k.startswith("on")]
        if tag == "a" and (a.get("href") or "").strip().lower().startswith(("javascript:", "data:")):
            self.problems.append(f"href={a['href']}")
        if tag == "script" and not a.get("src") and a.get("type") != "application/json":
            self.problems.append("inline <script>")


def test_every_page_carries_the_policies_and_nothing_they_refuse(edition) -> None:
    pages = sorted((edition / "site").rglob("*.html"))
    assert len(pages) > 20
    for path in pages:
        page = _Page()
        page.feed(path.read_text(encoding="utf-8"))
        where = path.relative_to(edition)
        assert page.meta.get("content-security-policy") == CONTENT_SECURITY_POLICY, where
        assert page.meta.get("referrer") == REFERRER_POLICY, where
        assert page.problems == [], (where, page.problems[:5])


def test_policy_refuses_inline_and_eval_and_fetches_nothing() -> None:
    directives = dict(d.strip().split(" ", 1) for d in CONTENT_SECURITY_POLICY.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == directives["style-src"] == "'self'"
    assert not re.search(r"unsafe-(inline|eval)|data:|\*", CONTENT_SECURITY_POLICY)


def test_library_styles_are_files_with_the_ids_the_libraries_look_for(edition) -> None:
    assets = edition / "site" / "assets"
    assert ".vega-embed" in (assets / "vega-embed.css").read_text(encoding="utf-8")
    assert "#vg-tooltip-element" in (assets / "vega-tooltip.css").read_text(encoding="utf-8")
    html = (edition / "site" / "fr" / "charts.html").read_text(encoding="utf-8")
    assert 'id="vega-embed-style"' in html and 'id="vega-tooltip-style"' in html
    assert "ast: true" in (assets / "barometer.js").read_text(encoding="utf-8")
