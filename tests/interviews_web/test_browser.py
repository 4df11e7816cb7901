"""A real browser: import a transcript, pseudonymise it, code three passages as two coders, see the
agreement, export a qdpx that validates. Chromium driven by Playwright against the live server.

Reuses the Chromium launch fixture and the axe-core check of ``tests/support/browser.py``. Skipped, with
the reason, where /usr/bin/chromium is absent.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from playwright.sync_api import expect

from benefice.interviews import services
from benefice.interviews.models import Coding, InterviewProject, Membership, Transcript
from support.browser import CHROMIUM, assert_accessible, open_signed_in

from .conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent (apt-get install chromium)"),
]
XSD = Path(__file__).resolve().parents[3] / "shared" / "data" / "refi" / "Project-mrt2019.xsd"
INTERVIEW = (
    "[00:00:05] ENQ : Bonjour Madame Morel, merci de nous recevoir à l'ARS de Normandie.\n"
    "[00:00:12] P03 : Je suis Nathalie Morel, je dirige le service des études. Les données du SNDS nous ont "
    "permis de fermer une maternité dangereuse après une étude sur la mortalité néonatale.\n"
    "[00:01:02] ENQ : Qu'est-ce qui fait la valeur de ces études pour vous ?\n"
    "[00:01:10] P03 : Quand une décision change. Mon collègue Paul Lemaire, joignable au 06 11 22 33 44, "
    "dit toujours que sans décision l'étude ne sert à rien. Et la confiance du public compte aussi.\n"
)

# Put a DOM selection on characters start..end of the transcript box, then let the page read it.
SELECT = """([start, end]) => {
  const box = document.getElementById('transcript-text');
  const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
  let node, seen = 0, range = document.createRange(), startSet = false;
  while ((node = walker.nextNode())) {
    const next = seen + node.textContent.length;
    if (!startSet && start <= next) { range.setStart(node, start - seen); startSet = true; }
    if (end <= next) { range.setEnd(node, end - seen); break; }
    seen = next;
  }
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  box.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
}"""


@pytest.fixture
def setup(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from benefice.core.roles import EDITOR, VIEWER
    from benefice.core.users import ensure_user

    lead = ensure_user("lead", PASSWORD, EDITOR)
    project = services.create_project("Entretiens ARS", lead)
    for name in ("alice", "bruno"):
        services.set_member(project, ensure_user(name, PASSWORD, VIEWER), Membership.CODER, lead)
    return project


def sign_in(chromium, base_url: str, username: str):
    return open_signed_in(chromium, base_url, username, PASSWORD)


def code_passage(page, start: int, end: int, *, new_code: str = "", code: str = "") -> None:
    page.evaluate(SELECT, [start, end])
    expect(page.locator("#start")).to_have_value(str(start))
    expect(page.locator("#end")).to_have_value(str(end))
    if new_code:
        page.locator("#new_code").fill(new_code)
    else:
        page.locator("#code").select_option(label=code)
    count = page.locator("#codings-table tbody tr[data-coding]").count()
    page.locator("#coding-form button[type=submit]").click()
    expect(page.locator("#codings-table tbody tr[data-coding]")).to_have_count(count + 1)


def test_import_pseudonymise_code_agree_export(browser, live_server, setup, tmp_path) -> None:  # noqa: F811
    project: InterviewProject = setup
    base = live_server.url
    source = tmp_path / "entretien_p03.txt"
    source.write_text(INTERVIEW, encoding="utf-8")

    # the lead imports and reviews
    page, errors = sign_in(browser, base, "lead")
    page.goto(f"{base}/interviews/{project.pk}/import/")
    page.locator("#id_file").set_input_files(str(source))
    page.locator("#id_title").fill("P03")
    page.locator("form.stacked-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/review/$"))
    review = page.locator("table.iv-review")
    expect(review).to_contain_text("Nathalie Morel")
    expect(review).to_contain_text("06 11 22 33 44")
    assert_accessible(page, "review page")
    page.locator("#review-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/transcripts/\d+/$"))
    text = page.locator("#transcript-text").inner_text()
    for original in ("Morel", "Lemaire", "06 11 22 33 44"):
        assert original not in text
    assert "[PERSONNE_1]" in text
    transcript = Transcript.objects.get(project=project)
    assert transcript.text in text or text.strip() == transcript.text.strip()
    full = transcript.text
    passages = []
    for phrase in (
        "fermer une maternité dangereuse",
        "sans décision l'étude ne sert à rien",
        "la confiance du public",
    ):
        start = full.index(phrase)
        passages.append((start, start + len(phrase)))

    # two coders, three passages each, one disagreement in extent
    alice, alice_errors = sign_in(browser, base, "alice")
    alice.goto(f"{base}/interviews/{project.pk}/transcripts/{transcript.pk}/")
    assert "Morel" not in alice.content()
    code_passage(alice, *passages[0], new_code="Décision publique")
    code_passage(alice, *passages[1], code="Décision publique")
    code_passage(alice, *passages[2], new_code="Confiance")
    expect(alice.locator("#transcript-text mark.iv-hl")).to_have_count(3)
    assert_accessible(alice, "coding page")
    bruno, bruno_errors = sign_in(browser, base, "bruno")
    bruno.goto(f"{base}/interviews/{project.pk}/transcripts/{transcript.pk}/")
    code_passage(bruno, passages[0][0], passages[0][1] + 8, code="Décision publique")
    code_passage(bruno, *passages[1], code="Décision publique")
    code_passage(bruno, *passages[2], code="Confiance")
    assert Coding.objects.count() == 6
    # an out-of-range selection typed by hand is refused with a message, nothing saved
    bruno.locator("#start").fill("5")
    bruno.locator("#end").fill(str(len(full) + 10))
    bruno.locator("#code").select_option(label="Confiance")
    bruno.locator("#coding-form button[type=submit]").click()
    expect(bruno.locator("#coding-status")).to_contain_text("hors du texte")
    assert Coding.objects.count() == 6

    # the lead sees the agreement
    page.goto(f"{base}/interviews/{project.pk}/agreement/")
    for box in page.locator("#agreement-form input[type=checkbox]").all():
        box.check()
    page.locator("#agreement-form button[type=submit]").click()
    table = page.locator("#agreement-table")
    expect(table).to_be_visible()
    coders = list(project.coders.all())
    expected = services.agreement_for(project, coders, [transcript])
    decision = expected["codes"]["Décision publique"]
    assert expected["codes"]["Confiance"]["percent_agreement"] == 1.0
    row = table.locator("tbody tr", has_text="Décision publique")
    expect(row).to_contain_text(f"{decision['percent_agreement']:.3f}")
    expect(row).to_contain_text(f"{decision['cohen_kappa']:.3f}")
    expect(page.locator("#disagreements tbody tr")).to_have_count(1)
    assert_accessible(page, "agreement page")

    # export a qdpx that validates
    page.goto(f"{base}/interviews/{project.pk}/")
    with page.expect_download() as download:
        page.locator("a[href$='export.qdpx']").click()
    path = tmp_path / "export.qdpx"
    download.value.save_as(path)
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
        root = etree.fromstring(archive.read("project.qde"))
        sources = b"".join(archive.read(n) for n in archive.namelist())
    assert b"Morel" not in sources and b"Lemaire" not in sources
    assert len(root.findall(".//{urn:QDA-XML:project:1.0}Coding")) == 6
    if XSD.exists():
        schema = etree.XMLSchema(etree.parse(str(XSD)))
        assert schema.validate(root), schema.error_log
    assert not errors and not alice_errors and not bruno_errors


def test_coding_on_a_later_page_of_a_long_transcript(browser, live_server, setup) -> None:  # noqa: F811
    """Issue 17: a long transcript comes in pages; a passage selected on page 2 is stored at its absolute
    offsets (counted in code points, an emoji before it included), and a coding that crosses the cut
    between pages 1 and 2 is drawn on page 2 with its cut edge."""
    from benefice.interviews import paging

    project: InterviewProject = setup
    paragraph = "P03 : la décision est venue de l'agence régionale, avec un comité de suivi des séjours.\n\n"
    text = paragraph * 700 + "Un sourire 🙂 puis la phrase à coder ici.\n\n" + paragraph * 600
    transcript = Transcript.objects.create(
        project=project, title="Long", text=text, status=Transcript.PSEUDONYMISED
    )
    bounds = paging.page_bounds(text)
    cut = bounds[0][1]
    assert bounds[1][0] < text.index("la phrase à coder") < bounds[1][1]
    alice_user = project.memberships.get(user__username="alice").user
    services.add_coding(
        transcript, cut - 20, cut + 30, services.create_code(project, "Agence", alice_user), alice_user
    )
    alice, errors = sign_in(browser, live_server.url, "alice")
    alice.goto(f"{live_server.url}/interviews/{project.pk}/transcripts/{transcript.pk}/?page=2")
    expect(alice.locator(".iv-page-indicator").first).to_contain_text(f"Page 2 sur {len(bounds)}")
    expect(alice.locator("#transcript-text mark.iv-hl-cut-before")).to_have_count(1)
    shown = alice.locator("#transcript-text").text_content()
    assert shown == text[bounds[1][0] : bounds[1][1]]
    phrase = "la phrase à coder"
    local_utf16 = len(shown[: shown.index(phrase)].encode("utf-16-le")) // 2  # DOM offsets are UTF-16
    start = text.index(phrase)
    alice.evaluate(SELECT, [local_utf16, local_utf16 + len(phrase)])
    expect(alice.locator("#start")).to_have_value(str(start))
    expect(alice.locator("#end")).to_have_value(str(start + len(phrase)))
    alice.locator("#new_code").fill("Phrase")
    alice.locator("#coding-form button[type=submit]").click()
    expect(alice.locator("#codings-table tbody tr[data-coding]")).to_have_count(2)
    coding = Coding.objects.get(code__name="Phrase")
    assert (coding.selection.start, coding.selection.end) == (start, start + len(phrase))
    assert coding.selection.quote == phrase
    assert not errors


def test_demo_project_legend_counts_follow_codings_without_reload(browser, live_server, transactional_db) -> None:  # noqa: F811
    """Issue 19: the legend's counts change as a code is applied or removed, the page is not reloaded; new
    codes have distinct colours; the coding screen holds at 390 px and stays accessible."""
    from benefice.core.roles import ADMIN
    from benefice.core.users import ensure_user
    from benefice.interviews.demo import install_demo_project

    ensure_user("demo", PASSWORD, ADMIN, superuser=True)
    project = install_demo_project()
    transcript = project.transcripts.order_by("pk").first()
    code = project.codes.get(name="Confiance et transparence")
    before = Coding.objects.filter(code=code).count()
    page, errors = sign_in(browser, live_server.url, "demo")
    page.goto(f"{live_server.url}/interviews/{project.pk}/transcripts/{transcript.pk}/")
    page.evaluate("window.notReloaded = true")
    legend = page.locator(f'#code-legend li[data-code="{code.pk}"] .iv-count')
    expect(legend).to_have_text(f"({before})")
    code_passage(page, 0, 12, code="Confiance et transparence")
    expect(legend).to_have_text(f"({before + 1})")
    code_passage(page, 20, 30, new_code="Nouveau code")
    new = project.codes.get(name="Nouveau code")
    expect(page.locator(f'#code-legend li[data-code="{new.pk}"] .iv-count')).to_have_text("(1)")
    assert new.colour not in set(project.codes.exclude(pk=new.pk).values_list("colour", flat=True))
    row = page.locator("#codings-table tbody tr[data-coding]", has_text="Nouveau code")
    row.locator("button").click()
    expect(page.locator(f'#code-legend li[data-code="{new.pk}"] .iv-count')).to_have_text("(0)")
    expect(page.locator("#coding-status")).to_have_text("Codage retiré.")
    assert page.evaluate("window.notReloaded") is True
    assert_accessible(page, "demo coding page")
    page.set_viewport_size({"width": 390, "height": 800})
    page.wait_for_timeout(300)
    wider = page.evaluate(
        """() => Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > 392
        && !(e.parentElement && e.parentElement.closest('.table-scroll'))).map(e => e.tagName + '.' + e.className)"""
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, wider
    for path in ("", "participants/", "codebook/", "codebook/history/", "agreement/", "analysis/", "suggestions/"):
        page.goto(f"{live_server.url}/interviews/{project.pk}/{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    assert not errors
