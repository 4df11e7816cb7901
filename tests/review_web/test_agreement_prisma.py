"""Pure modules: Cohen's kappa against scikit-learn, pairwise agreement, the PRISMA SVG and PNG."""

from __future__ import annotations

import io
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from sklearn.metrics import cohen_kappa_score

from benefice.review import agreement, prisma

VALUES = st.sampled_from(["include", "exclude", "maybe"])


@pytest.mark.filterwarnings("ignore::UserWarning")  # scikit-learn warns on single-label samples
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(VALUES, VALUES), min_size=1, max_size=60))
def test_kappa_matches_sklearn(pairs) -> None:
    a, b = [x for x, _ in pairs], [y for _, y in pairs]
    expected = cohen_kappa_score(a, b)
    got = agreement.cohen_kappa(a, b)
    if math.isnan(expected):
        assert math.isnan(got)
    else:
        assert got == pytest.approx(expected, abs=1e-12)
    assert agreement.percent_agreement(a, b) == pytest.approx(sum(x == y for x, y in pairs) / len(pairs))


def test_kappa_textbook_value_and_errors() -> None:
    # 2x2 table 20/5/10/15: p_o = 0.7, p_e = 0.5 -> kappa 0.4
    a = ["y"] * 25 + ["n"] * 25
    b = ["y"] * 20 + ["n"] * 5 + ["y"] * 10 + ["n"] * 15
    assert agreement.cohen_kappa(a, b) == pytest.approx(0.4)
    assert math.isnan(agreement.cohen_kappa(["y", "y"], ["y", "y"]))
    with pytest.raises(ValueError):
        agreement.cohen_kappa(["y"], ["y", "n"])
    with pytest.raises(ValueError):
        agreement.percent_agreement([], [])


def test_pairwise_uses_common_items_per_stage() -> None:
    rows = [
        ("ta", 1, "ann", "include"),
        ("ta", 1, "bob", "include"),
        ("ta", 2, "ann", "exclude"),
        ("ta", 2, "bob", "include"),
        ("ta", 3, "ann", "exclude"),
        ("ta", 3, "cat", "exclude"),
        ("ft", 1, "ann", "include"),
    ]
    pairs = agreement.pairwise(rows)
    assert [(p.stage, p.rater_a, p.rater_b, p.n) for p in pairs] == [
        ("ta", "ann", "bob", 2),
        ("ta", "ann", "cat", 1),
    ]
    assert pairs[0].agreement == 0.5


COUNTS = prisma.PrismaCounts(
    identified={"PubMed": 120, "Embase": 80},
    duplicates_removed=40,
    screened=160,
    excluded_screening=120,
    assessed=40,
    excluded_reasons={"Wrong population": 10, "": 2},
    included=28,
)


def test_svg_is_valid_and_shows_every_count() -> None:
    svg = prisma.to_svg(COUNTS, {"title": "Diagramme <PRISMA> & co"})
    root = etree.fromstring(svg.encode())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    text = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    for expected in (
        "(n = 200)",
        "PubMed (n = 120)",
        "Embase (n = 80)",
        "duplicate records removed (n = 40)",
        "Records screened (n = 160)",
        "Records excluded (n = 120)",
        "assessed for eligibility (n = 40)",
        "Reports excluded (n = 12)",
        "Wrong population (n = 10)",
        "no reason given (n = 2)",
        "Studies included in review (n = 28)",
        "Diagramme <PRISMA> & co",
    ):
        assert expected in text, expected


def test_png_is_an_image_of_the_same_layout() -> None:
    from PIL import Image

    data = prisma.to_png(COUNTS)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(io.BytesIO(data))
    lay = prisma.layout(COUNTS)
    assert image.size == (round(lay.width * 2), round(lay.height * 2))
    low, high = image.convert("L").getextrema()
    assert (low, high) == (0, 255) or high - low > 200  # black strokes on white: something is drawn
