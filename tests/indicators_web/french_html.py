"""A French page's visible text as the browser test reads it (tests/support/french.py), from the HTML a
Django test client gets: each text run with the language in force, so a test without a browser can say
that a French indicator page holds no English sentence and no raw code."""

from __future__ import annotations

from html.parser import HTMLParser

from support.french import is_english, raw_codes

__all__ = ["french_problems"]


class _Runs(HTMLParser):
    """The text of <main>, run by run, with the language in force (as the browser test reads a page)."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "col", "area", "base", "source", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, str | None]] = []
        self.runs: list[tuple[str, str]] = []
        self.in_main = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in self.VOID:
            return
        lang = dict(attrs).get("lang")
        self.stack.append((tag, lang))
        self.in_main += tag == "main"

    def handle_endtag(self, tag) -> None:
        while self.stack:
            t, _ = self.stack.pop()
            self.in_main -= t == "main"
            if t == tag:
                break

    def handle_data(self, data) -> None:
        text = " ".join(data.split())
        if self.in_main and text and not any(t in ("script", "style", "code") for t, _ in self.stack):
            lang = next((lang for _, lang in reversed(self.stack) if lang), "")
            self.runs.append((text, lang))


def french_problems(html: str) -> list[str]:
    parser = _Runs()
    parser.feed(html)
    found = []
    for text, lang in parser.runs:
        if lang and not lang.startswith("fr"):
            continue
        if is_english(text):
            found.append(f"English: {text!r}")
        found += [f"raw code {c!r} in {text!r}" for c in raw_codes(text)]
    return found
