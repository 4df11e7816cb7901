"""Visible text runs of a server-rendered page, as tests/support/french.py's browser script returns them,
read from the HTML (no browser): each element's own text with the nearest ``lang``, plus the labels in
attributes. Hidden elements are kept: a French reader meets them too (in a details or once shown)."""

from __future__ import annotations

from lxml import html as lxml_html

SKIP = {"script", "style", "noscript", "template", "code", "pre", "kbd", "samp", "svg", "title"}


def text_runs(page: str) -> list[dict]:
    root = lxml_html.fromstring(page)
    body = root.find("body") if root.find("body") is not None else root
    runs = []
    for el in body.iter():
        if not isinstance(el.tag, str):
            continue
        if any(a.tag in SKIP for a in [el, *el.iterancestors()] if isinstance(a.tag, str)):
            continue
        lang_el = next((a for a in [el, *el.iterancestors()] if a.get("lang") is not None), None)
        lang = lang_el.get("lang") if lang_el is not None else ""
        own = " ".join(t for t in [el.text or ""] + [(c.tail or "") for c in el] if t)
        text = " ".join(own.split())
        if text:
            runs.append({"text": text, "lang": lang, "tag": el.tag})
        for name in ("aria-label", "title", "alt", "placeholder"):
            if el.get(name):
                runs.append({"text": el.get(name), "lang": lang, "tag": "@" + name})
    return runs
