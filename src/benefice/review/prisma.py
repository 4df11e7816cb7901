"""PRISMA 2020 flow diagram (new reviews, databases only) from recorded counts, as SVG text or PNG bytes.

Pure (no Django): the web app computes :class:`PrismaCounts` from the database and passes translated box
texts in ``labels``. The layout is computed once (:func:`layout`) and drawn twice, as SVG by hand and as PNG
with matplotlib's Agg backend, so both files show the same boxes and numbers (Page et al. 2021,
doi:10.1136/bmj.n71, figure 1).
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

LABELS = {
    "title": "PRISMA 2020 flow diagram",
    "identification": "Identification",
    "screening": "Screening",
    "included": "Included",
    "identified": "Records identified from databases (n = {n})",
    "removed": "Records removed before screening: duplicate records removed (n = {n})",
    "screened": "Records screened (n = {n})",
    "excluded": "Records excluded (n = {n})",
    "assessed": "Reports assessed for eligibility (n = {n})",
    "excluded_ft": "Reports excluded (n = {n})",
    "studies": "Studies included in review (n = {n})",
    "awaiting": "Awaiting a decision: title/abstract {ta}, full text {ft}",
    "no_reason": "no reason given",
}


@dataclass
class PrismaCounts:
    identified: dict[str, int] = field(default_factory=dict)  # database -> records identified
    duplicates_removed: int = 0
    screened: int = 0
    excluded_screening: int = 0
    assessed: int = 0
    excluded_reasons: dict[str, int] = field(default_factory=dict)  # reason -> reports excluded
    included: int = 0
    awaiting_screening: int = 0
    awaiting_full_text: int = 0

    @property
    def identified_total(self) -> int:
        return sum(self.identified.values())

    @property
    def excluded_full_text(self) -> int:
        return sum(self.excluded_reasons.values())


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float
    lines: tuple[str, ...]
    bold_first: bool = False
    fill: str = "#ffffff"


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    boxes: tuple[Box, ...]
    arrows: tuple[tuple[float, float, float, float], ...]
    title: str


LINE = 16.0
PAD = 10.0
WRAP = 44


def _lines(text: str, width: int = WRAP) -> list[str]:
    return textwrap.wrap(text, width) or [""]


def _box(x: float, y: float, w: float, texts: list[str], fill: str = "#ffffff") -> Box:
    lines: list[str] = []
    for t in texts:
        lines.extend(_lines(t, int(WRAP * w / 340)))
    return Box(x, y, w, len(lines) * LINE + 2 * PAD, tuple(lines), fill=fill)


def layout(counts: PrismaCounts, labels: dict[str, str] | None = None) -> Layout:
    """Boxes and arrows of the diagram, in pixels (top-left origin)."""
    lab = {**LABELS, **(labels or {})}
    left_x, right_x, w = 150.0, 540.0, 340.0
    gap = 36.0
    y = 60.0
    boxes: list[Box] = []
    arrows: list[tuple[float, float, float, float]] = []

    def band(name: str) -> float:  # height a phase band needs for its name written vertically
        return len(name) * 8.0 + 2 * PAD

    def row(left: list[str], right: list[str] | None, min_height: float = 0.0) -> tuple[Box, Box | None]:
        nonlocal y
        lb = _box(left_x, y, w, left)
        rb = _box(right_x, y, w, right) if right else None
        height = max(lb.h, rb.h if rb else 0, min_height)
        lb = Box(lb.x, lb.y, lb.w, height, lb.lines)
        boxes.append(lb)
        if rb:
            rb = Box(rb.x, rb.y, rb.w, height, rb.lines)
            boxes.append(rb)
            arrows.append((left_x + w, y + height / 2, right_x, y + height / 2))
        y += height + gap
        return lb, rb

    per_db = [f"  {db} (n = {n})" for db, n in sorted(counts.identified.items())]
    first, _ = row(
        [lab["identified"].format(n=counts.identified_total), *per_db],
        [lab["removed"].format(n=counts.duplicates_removed)],
        band(lab["identification"]),
    )
    ident_bottom = y - gap
    second, _ = row(
        [lab["screened"].format(n=counts.screened)], [lab["excluded"].format(n=counts.excluded_screening)]
    )
    reasons = [
        f"  {reason or lab['no_reason']} (n = {n})"
        for reason, n in sorted(counts.excluded_reasons.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    third, _ = row(
        [lab["assessed"].format(n=counts.assessed)],
        [lab["excluded_ft"].format(n=counts.excluded_full_text), *reasons],
    )
    screening_bottom = y - gap
    fourth, _ = row([lab["studies"].format(n=counts.included)], None, band(lab["included"]))
    for upper, lower in ((first, second), (second, third), (third, fourth)):
        cx = upper.x + upper.w / 2
        arrows.append((cx, upper.y + upper.h, cx, lower.y))
    awaiting = _box(
        left_x,
        y,
        w + right_x - left_x,
        [lab["awaiting"].format(ta=counts.awaiting_screening, ft=counts.awaiting_full_text)],
        fill="#f3f3f3",
    )
    boxes.append(awaiting)
    y += awaiting.h + PAD
    # the phase bands on the left: identification, screening, included
    bands = [
        (lab["identification"], first.y, ident_bottom),
        (lab["screening"], second.y, screening_bottom),
        (lab["included"], fourth.y, fourth.y + fourth.h),
    ]
    for name, top, bottom in bands:
        boxes.append(Box(20.0, top, 100.0, bottom - top, (name,), bold_first=True, fill="#dbe8f5"))
    return Layout(900.0, y + 10, tuple(boxes), tuple(arrows), lab["title"])


def to_svg(counts: PrismaCounts, labels: dict[str, str] | None = None) -> str:
    """The diagram as a standalone SVG document (UTF-8 text, with a title for screen readers)."""
    lay = layout(counts, labels)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{lay.width:.0f}" height="{lay.height:.0f}" '
        f'viewBox="0 0 {lay.width:.0f} {lay.height:.0f}" role="img" aria-labelledby="prisma-title" '
        'font-family="DejaVu Sans, Arial, sans-serif" font-size="13">',
        f'<title id="prisma-title">{escape(lay.title)}</title>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#222"/></marker></defs>',
        f'<rect width="{lay.width:.0f}" height="{lay.height:.0f}" fill="#ffffff"/>',
        f'<text x="{lay.width / 2:.0f}" y="32" text-anchor="middle" font-size="18" font-weight="bold">'
        f"{escape(lay.title)}</text>",
    ]
    for box in lay.boxes:
        out.append(
            f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.w:.1f}" height="{box.h:.1f}" '
            f'fill="{box.fill}" stroke="#222" stroke-width="1"/>'
        )
        if box.bold_first:  # a phase band: its name written vertically, centred
            cx, cy = box.x + box.w / 2, box.y + box.h / 2
            out.append(
                f'<text x="{cx:.1f}" y="{cy:.1f}" text-anchor="middle" dominant-baseline="middle" '
                f'font-weight="bold" transform="rotate(-90 {cx:.1f} {cy:.1f})">{escape(box.lines[0])}</text>'
            )
            continue
        for i, line in enumerate(box.lines):
            out.append(
                f'<text x="{box.x + PAD:.1f}" y="{box.y + PAD + LINE * (i + 0.8):.1f}" '
                f'xml:space="preserve">{escape(line)}</text>'
            )
    for x1, y1, x2, y2 in lay.arrows:
        out.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#222" '
            'stroke-width="1.5" marker-end="url(#arrow)"/>'
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def to_png(counts: PrismaCounts, labels: dict[str, str] | None = None, *, scale: float = 2.0) -> bytes:
    """The same diagram as PNG, drawn with matplotlib (Agg) from the same layout as the SVG."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch, Rectangle

    lay = layout(counts, labels)
    dpi = 72.0 * scale
    fig = Figure(figsize=(lay.width / 72.0, lay.height / 72.0), dpi=dpi)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, lay.width)
    ax.set_ylim(lay.height, 0)
    ax.axis("off")
    ax.text(
        lay.width / 2, 32, lay.title, ha="center", va="baseline", fontsize=18 * 0.75 * 1.33, weight="bold"
    )
    font = 13 * 0.75  # SVG pixels to points
    for box in lay.boxes:
        ax.add_patch(Rectangle((box.x, box.y), box.w, box.h, facecolor=box.fill, edgecolor="#222222", lw=1))
        if box.bold_first:
            ax.text(
                box.x + box.w / 2,
                box.y + box.h / 2,
                box.lines[0],
                rotation=90,
                ha="center",
                va="center",
                fontsize=font,
                weight="bold",
            )
            continue
        for i, line in enumerate(box.lines):
            ax.text(
                box.x + PAD, box.y + PAD + LINE * (i + 0.8), line, ha="left", va="baseline", fontsize=font
            )
    for x1, y1, x2, y2 in lay.arrows:
        ax.add_patch(
            FancyArrowPatch((x1, y1), (x2, y2), arrowstyle="-|>", mutation_scale=12, color="#222222")
        )
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()
