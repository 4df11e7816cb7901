"""What a French reader must not meet on a page: an English sentence, or a raw code shown as a word.

Issue 19's "done" is that screenshots of every section in French show no English sentence and no raw
code. A screenshot cannot be asserted on; the page's visible text can. Two checks, both stated from how
the two languages write, not from the pages' current words:

* **English sentence**: English function words that French does not have ("the", "of", "with", "from",
  "this", "which"…). A text run (one element's own text) with two of them, or one among the commonest
  (``the``, ``of``, ``and``, ``with``, ``from``) beside three or more words, is English prose. Words
  French shares with English (``a``, ``on``, ``or``, ``an``, ``as``, ``plus``, ``via``, ``type``…) are not
  in the list. Text inside an element whose ``lang`` is not French (a publication's English title, a
  quote) is what RGAA 8.7 asks to mark, and is left out; so is code (``code``, ``pre``, ``kbd``, ``samp``).
  A proper name of capitalised words joined by "of", "and", "for" or "the" ("Web of Science",
  "International Journal of Epidemiology") is a name, not a sentence, and is not counted.
* **Raw code**: an identifier written the way programs write them, ``words_joined_by_underscores``
  (``primary_care``, ``linked_database``, ``ERA_REGISTRY``): no French or English text is spelt so, only a
  code that should have been shown by its label. A pseudonym in brackets (``[PERSONNE_1]``) is the
  notation pseudonymisation writes on purpose, not a code.

The page side (:data:`VISIBLE_TEXT_JS`) returns each element's own visible text with the language in force.
"""

from __future__ import annotations

import re

#: English function words with no French homograph (checked against French usage: "a", "on", "or", "an",
#: "as", "en", "in" (rare Latin), "per", "pro", "via", "plus" are left out)
ENGLISH_WORDS = frozenset(
    """the of and with from this that these those which who whose what when where is are was were be been
    being has have had will would should could can cannot not no yet than then there their they them its
    it into onto for by at to your you our we us each every any all only also about after before between
    without within under over how why here more most less such other same first last new see show shows
    shown edit add added remove removed found none one two three already exists unsupported""".split()
)
#: the words no French sentence uses at all, any one of which makes a run of three or more words English
COMMONEST = frozenset({"the", "of", "and", "with", "from", "this", "that", "is", "are", "not", "which", "your"})
PROPER_NAME = re.compile(r"\b[A-Z][\w'-]*(?:\s+(?:of|and|for|the|&)\s+(?:the\s+)?[A-Z][\w'-]*)+")
#: identifiers and addresses are not words of a sentence (a raw code is reported apart, as a raw code)
CODE_OR_URL = re.compile(r"\b\w+://\S+|\S*\w[_.]\w\S*")
WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿŒœ']+")
RAW_CODE = re.compile(r"(?<![\w/.@:\[-])(?:[a-z]+_[a-z0-9_]*[a-z0-9]|[A-Z]+_[A-Z0-9_]*[A-Z0-9])(?![\w/.@-])")

#: every element's own text (its text-node children), visible, with the nearest ``lang``; code left out
VISIBLE_TEXT_JS = """
() => {
  const skip = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "CODE", "PRE", "KBD", "SAMP", "svg", "TITLE"]);
  const runs = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT);
  for (let el = walker.currentNode; el; el = walker.nextNode()) {
    if (skip.has(el.tagName) || el.closest("code, pre, kbd, samp, script, style, svg, noscript, template")) continue;
    const own = Array.from(el.childNodes).filter(n => n.nodeType === 3).map(n => n.textContent).join(" ");
    const text = own.replace(/\\s+/g, " ").trim();
    if (!text) continue;
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    const hidden = style.visibility === "hidden" || style.display === "none" || (box.width === 0 && box.height === 0
      && !el.closest(".visually-hidden"));
    if (hidden && !el.closest("details")) continue;
    const langEl = el.closest("[lang]");
    runs.push({text: text, lang: langEl ? langEl.getAttribute("lang") : "", tag: el.tagName.toLowerCase()});
  }
  for (const el of document.querySelectorAll("[aria-label], [title], [alt], [placeholder]")) {
    for (const name of ["aria-label", "title", "alt", "placeholder"]) {
      const value = el.getAttribute(name);
      const langEl = el.closest("[lang]");
      if (value) runs.push({text: value, lang: langEl ? langEl.getAttribute("lang") : "", tag: "@" + name});
    }
  }
  return runs;
}
"""


def english_words(text: str) -> list[str]:
    return [w for w in (m.group(0).lower() for m in WORD.finditer(text)) if w in ENGLISH_WORDS]


def is_english(text: str) -> bool:
    """Whether a French page's text run reads as English prose (see the module docstring for why)."""
    text = PROPER_NAME.sub(" ", CODE_OR_URL.sub(" ", text))
    found = english_words(text)
    words = len(WORD.findall(text))
    return len(set(found)) >= 2 or (bool(COMMONEST & set(found)) and words >= 3)


def raw_codes(text: str) -> list[str]:
    return RAW_CODE.findall(text)


def problems(runs: list[dict]) -> list[str]:
    """The English runs and raw codes among a French page's visible text runs (from :data:`VISIBLE_TEXT_JS`)."""
    found = []
    for run in runs:
        if run["lang"] and not run["lang"].lower().startswith("fr"):
            continue
        text = run["text"]
        if is_english(text):
            found.append(f"English ({run['tag']}): {text[:160]!r}")
        for code in raw_codes(text):
            found.append(f"raw code ({run['tag']}): {code!r} in {text[:120]!r}")
    return found
