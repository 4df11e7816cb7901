"""Web pages of the barometer: editions listed, figures drilled down to publications and cases, the
edition's files served (and nothing else), builds from the page, access control, and the demo edition."""

from __future__ import annotations

import datetime
import html
import io
import json
import zipfile

import pytest
from django.urls import reverse

from benefice.barometer import demo, drill, services
from benefice.barometer.models import Edition
from benefice.core import jobs

from .conftest import OBSERVED, YEAR, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition(corpus, home) -> Edition:
    return services.build_from_database(YEAR, OBSERVED, with_pdf=False)


def test_drill_down_lists_exactly_the_publications_each_figure_counts(edition):
    results, inputs = services.results(edition), services.inputs(edition)

    def count(key: str, year: int | None = None) -> int:
        return len(drill.publications_for(inputs, results, key, year))

    checked = 0
    for row in results["sources"]:
        assert count(f"source:{row['source']}") == row["publications_family"], row["source"]
        assert count(f"source-own:{row['source']}") == row["publications_own"], row["source"]
        assert count(f"mentioned:{row['source']}") == row["mentioned_only"], row["source"]
        checked += row["publications_family"] + row["mentioned_only"]
    assert checked >= 6  # not vacuous: SNDS family (3), PMSI, CONSTANCES, CPRD mentioned…
    for row in results["custodians"]:
        assert count(f"custodian:{row['custodian_slug']}") == row["publications"], row["custodian"]
    for row in results["categories"]:
        assert count(f"category:{row['category']}") == row["publications"], row["category"]
    for row in results["publications_by_year"]:
        assert count("perimeter", row["year"]) == row["publications"]
        assert count("any", row["year"]) == row["using_any_source"]
        assert count("french", row["year"]) == row["using_french_source"]
    p = results["perimeter"]
    assert count("perimeter") == p["in_perimeter"] == 5
    assert count("none") == p["no_source_used"] == 1
    assert count("authorisation") == p["citing_authorisation"] == 1
    assert count("custodian-cited") == p["citing_custodian"] == 1
    # every use of a source in this corpus is named precisely somewhere (the PMSI also by a description,
    # but in the same text as its acronym), so no publication is behind the vague-naming figure
    assert count("precise") == p["using_any_source"] == 4
    assert p["pairs_with_forms"] - p["pairs_precise"] == 0 and count("vague") == 0


def test_decisions_behind_each_kind_and_year(edition, people):
    results, cases = services.results(edition), services.inputs(edition).cases
    total = 0
    for row in results["decision_types"]:
        listed = drill.decisions_for(results, cases, row["type"])
        assert len(listed) == row["decisions"] and len({d["case"] for d in listed}) == row["cases"]
        total += row["decisions"]
    assert total > 10  # the shipped cases hold more than ten counted decisions
    for row in results["decisions_by_year"]:
        assert len(drill.decisions_for(results, cases, year=row["year"])) == row["decisions"]
    withdrawals = drill.decisions_for(results, cases, "withdrawal")
    # each row is matched to its decision in the frozen case file (the shipped decisions carry a description;
    # a reference when the file gives one)
    assert withdrawals and all(d["description"] for d in withdrawals)
    viewer = client_for(people["viewer"])
    page = viewer.get(
        reverse("barometer:decisions", args=[edition.pk]), {"type": "withdrawal"}
    ).content.decode()
    assert reverse("barometer:case", args=[edition.pk, "mediator_benfluorex"]) in page
    assert viewer.get(reverse("barometer:decisions", args=[edition.pk]), {"type": "nope"}).status_code == 400
    edition_page = viewer.get(reverse("barometer:edition", args=[edition.pk])).content.decode()
    assert reverse("barometer:decisions", args=[edition.pk]) + "?type=withdrawal" in edition_page


def test_pages_require_sign_in_and_list_discovers_editions(edition, people, client):
    response = client.get(reverse("barometer:list"))
    assert response.status_code == 302 and "/login" in response["Location"]
    viewer = client_for(people["viewer"])
    page = viewer.get(reverse("barometer:list")).content.decode()
    assert reverse("barometer:edition", args=[edition.pk]) in page
    assert 'action="/barometer/build/"' not in page  # viewers cannot build
    assert (
        'action="/barometer/build/"'
        in client_for(people["editor"]).get(reverse("barometer:list")).content.decode()
    )
    assert viewer.post(reverse("barometer:build"), {"year": "2025"}).status_code == 403


def test_edition_page_links_every_figure_to_its_evidence(edition, people, corpus):
    viewer = client_for(people["viewer"])
    page = viewer.get(reverse("barometer:edition", args=[edition.pk])).content.decode()
    base = reverse("barometer:publications", args=[edition.pk])
    for key in (
        "figure=source%3ASNDS",
        "figure=custodian%3A",
        "figure=french&amp;year=2025",
        "figure=perimeter",
    ):
        assert f"{base}?{key}" in page, key
    assert reverse("barometer:case", args=[edition.pk, "mediator_benfluorex"]) in page
    assert reverse("barometer:range", args=[edition.pk, "people", "persons"]) in page
    assert reverse("barometer:file", args=[edition.pk, "data/datapackage.json"]) in page

    ranking = services.results(edition)["ranking"]
    if ranking["available"]:  # the ranking module is installed: every ranked case links to its page
        assert 'id="chart-ranking"' in page and ranking["rows"]
        top = ranking["rows"][0]["case"]
        assert reverse("barometer:case", args=[edition.pk, top]) in page.split('id="chart-ranking"')[1]

    drill_page = viewer.get(base, {"figure": "source:SNDS"}).content.decode()
    assert "Statin use in France" in drill_page and "A trial of a new inhaler" not in drill_page
    assert reverse("corpus:detail", args=[corpus[3].pk]) in drill_page
    assert viewer.get(base, {"figure": "source:NOPE"}).status_code == 400
    assert viewer.get(base, {"figure": "french", "year": "1990"}).status_code == 400


def test_case_and_range_pages_reach_the_sources(edition, people, corpus):
    viewer = client_for(people["viewer"])
    page = viewer.get(reverse("barometer:case", args=[edition.pk, "mediator_benfluorex"])).content.decode()
    assert reverse("corpus:detail", args=[corpus[0].pk]) in page  # the case's DOI is in our corpus
    assert "https://doi.org/" in page
    assert viewer.get(reverse("barometer:case", args=[edition.pk, "no_such_case"])).status_code == 404
    results = services.results(edition)
    people_range = next(r for r in results["impact_ranges"] if r["measure"] == "people")
    page = viewer.get(
        reverse("barometer:range", args=[edition.pk, "people", people_range["unit"]])
    ).content.decode()
    for figure_id in people_range["figure_ids"].split("|"):
        case_id = figure_id.split("/")[0]
        assert reverse("barometer:case", args=[edition.pk, case_id]) in page


def test_files_served_and_nothing_outside(corpus, home, people):
    edition = services.build_from_database(YEAR, OBSERVED, with_pdf=True)
    viewer = client_for(people["viewer"])

    def get(path: str):
        return viewer.get(reverse("barometer:file", args=[edition.pk, path]))

    site = get("site/fr/index.html")
    assert site.status_code == 200 and site["Content-Type"].startswith("text/html")
    assert b"".join(site.streaming_content).startswith(b"<!DOCTYPE html>")
    pdf = get(f"report/barometre-{YEAR}-fr.pdf")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    package = json.loads(b"".join(get("data/datapackage.json").streaming_content))
    assert package["resources"]
    assert get("site/fr/").status_code == 200  # a folder serves its index.html
    for bad in ("../../secret_key", "site/../../../etc/passwd", "nothing.txt", "site/fr/nope.html"):
        assert get(bad).status_code == 404, bad
    archive = zipfile.ZipFile(
        io.BytesIO(viewer.get(reverse("barometer:data_zip", args=[edition.pk])).content)
    )
    assert f"barometer-{YEAR}/datapackage.json" in archive.namelist()


def test_changed_edition_is_flagged_not_served(edition, people):
    manifest = edition.path / "manifest.json"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace('"with_pdf"', '"with_pdf" ', 1), encoding="utf-8"
    )
    viewer = client_for(people["viewer"])
    assert viewer.get(reverse("barometer:edition", args=[edition.pk])).status_code == 404
    listing = viewer.get(reverse("barometer:list")).content.decode()
    assert "à vérifier" in listing  # French first: "changed since registered: verify it"
    assert reverse("barometer:edition", args=[edition.pk]) not in listing


@pytest.mark.django_db(transaction=True)
def test_editor_builds_an_edition_from_the_page_with_progress(corpus, home, people, database_queue):
    editor = client_for(people["editor"])
    response = editor.post(reverse("barometer:build"), {"year": str(YEAR)})
    assert response.status_code == 302
    job_url = response["Location"]
    status_url = job_url + "status/"
    state = editor.get(status_url, HTTP_ACCEPT="application/json").json()
    assert state["status"] == "queued"  # the request queued the build; a worker runs it
    assert 'hx-trigger="every 1s"' in editor.get(status_url).content.decode()
    database_queue.run()
    state = editor.get(status_url, HTTP_ACCEPT="application/json").json()
    assert state["status"] == "done", state
    assert state["done"] == state["total"] == 4  # no PDF: four steps
    edition = Edition.objects.get(pk=state["edition_id"])
    assert edition.year == YEAR and edition.built_by == people["editor"] and not edition.with_pdf
    page = editor.get(job_url).content.decode()
    assert reverse("barometer:edition", args=[edition.pk]) in page
    assert editor.post(reverse("barometer:build"), {"year": "soon"}, follow=True).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_rebuilding_a_year_offers_a_new_version_and_never_shows_a_server_path(
    corpus, home, people, database_queue
):
    """Issue 19, item 4: the page refused a second build of a year with a server path and an instruction
    ("use --force-new-dir") the form could not follow. Editions are frozen, never rebuilt in place: the page
    now offers a new version beside the existing one, in French, and the earlier one is listed as
    superseded."""
    editor = client_for(people["editor"])
    first = services.build_from_database(YEAR, OBSERVED, with_pdf=False)
    again = editor.post(reverse("barometer:build"), {"year": str(YEAR), "existing": "keep"})
    page = again.content.decode()
    assert again.status_code == 409
    assert f"L'édition {YEAR} existe déjà" in page and reverse("barometer:edition", args=[first.pk]) in page
    assert 'name="existing" value="new_version"' in page  # the choice, in a form the page can submit
    assert str(home) not in page and "force-new-dir" not in page and "already exists" not in page
    assert not jobs.recent_jobs(kind="barometer")  # nothing queued until the choice is made
    chosen = editor.post(reverse("barometer:build"), {"year": str(YEAR), "existing": "new_version"})
    assert chosen.status_code == 302
    database_queue.run()
    state = editor.get(chosen["Location"] + "status/", HTTP_ACCEPT="application/json").json()
    assert state["status"] == "done", state
    second = Edition.objects.get(pk=state["edition_id"])
    assert second.year == YEAR and second.pk != first.pk
    assert second.path.name == f"{YEAR}-2" and first.path.name == str(YEAR)
    assert (first.path / "manifest.json").is_file()  # the frozen edition is left as it was
    listing = editor.get(reverse("barometer:list")).content.decode()
    assert "remplacée par la version construite le" in listing and str(home) not in listing


def test_the_list_names_no_server_folder(home, people):
    page = client_for(people["editor"]).get(reverse("barometer:list")).content.decode()
    assert "Aucune édition pour l" in page and str(home) not in page and "benefice barometer build" in page


def test_a_future_edition_is_refused_before_any_job(corpus, home, people):
    """Issue 19: the page used to queue the edition of a year after today's; nobody has seen its corpus."""
    from benefice.core import jobs

    editor = client_for(people["editor"])
    future = datetime.date.today().year + 1
    page = editor.post(reverse("barometer:build"), {"year": str(future)}, follow=True).content.decode()
    assert f"édition {future} est dans le futur" in page  # said in the page's language
    assert not jobs.recent_jobs(kind="barometer") and not (home / "barometer" / str(future)).exists()


def test_demo_edition_is_built_once_then_kept(corpus, home):
    lines: list[str] = []
    demo.load_demo(lines.append)
    # the corpus runs to 2027, but an edition cannot cover years after its observation date
    year = demo.demo_year()
    assert year == min(2028, datetime.date.today().year)
    target = home / "barometer" / str(year)
    assert (target / "manifest.json").is_file() and "built" in lines[-1]
    before = (target / "manifest.json").read_bytes()
    demo.load_demo(lines.append)
    assert "kept" in lines[-1] and (target / "manifest.json").read_bytes() == before
    assert Edition.objects.filter(year=year).count() == 1
    (target / "results.json").write_text("{}", encoding="utf-8")
    demo.load_demo(lines.append)
    assert "does not match its manifest" in lines[-1] and (target / "results.json").read_text() == "{}"


def test_pages_in_french_and_english(edition, people):
    viewer = client_for(people["viewer"])
    url = reverse("barometer:edition", args=[edition.pk])
    french = viewer.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert f"Baromètre, édition {YEAR}" in french and "Chiffres clés" in french
    viewer.post(reverse("set_language"), {"language": "en", "next": url})
    english = viewer.get(url).content.decode()
    assert f"Barometer, edition {YEAR}" in english and "Key figures" in english
    assert "Source la plus utilisée" not in english  # headline texts follow the page's language


def test_edition_page_leads_with_its_charts(edition, people):
    """Issue 19, item 3: like the French Open Science Barometer, each indicator is a chart (the static
    site's, from the same builders), a sentence saying what it shows, and its table one click below."""
    viewer = client_for(people["viewer"])
    page = viewer.get(reverse("barometer:edition", args=[edition.pk])).content.decode()
    charts = services.charts(edition, "fr")
    drawn = [c for c in charts if not c.empty]
    assert len(drawn) >= 8
    for chart in drawn:
        block = page.split(f'id="chart-{chart.id}"', 1)[1].split('class="figure-block"', 1)[0]
        assert f'data-spec="spec-{chart.id}"' in block and html.escape(chart.title) in block
        script = block.split(f'id="spec-{chart.id}" type="application/json">', 1)[1].split("</script>", 1)[0]
        assert json.loads(script)["data"]["values"] == json.loads(json.dumps(chart.rows))
        assert "Voir les données" in block.split("<figure", 1)[1]  # the table comes after the chart
    # the first chart comes before the first table; the tables are in disclosures
    assert page.index("data-spec=") < page.index("<table")
    assert page.count('<details class="see-data">') >= len(drawn)
    assert "charts.js" in page and "vendor/vega/vega-embed.min.js" in page
    assert "Délai médian" not in page or "0–0" not in page


def test_an_empty_chart_is_a_sentence_on_the_page(edition, people, monkeypatch):
    from benefice.barometer.charts import national_charts

    results = dict(services.results(edition), sources_by_category=[])
    monkeypatch.setattr(services, "charts", lambda _edition, lang: national_charts(results, lang))
    page = client_for(people["viewer"]).get(reverse("barometer:edition", args=[edition.pk])).content.decode()
    block = page.split('id="chart-sources_by_category"', 1)[1].split('class="figure-block"', 1)[0]
    assert 'data-spec="spec-sources_by_category"' not in block
    assert "Rien à tracer" in block and "couple source et catégorie" in block


def test_a_failed_build_job_names_no_server_folder(home):
    from benefice.errors import BeneficeError

    root = services.editions_root()
    raw = BeneficeError(f"an edition for 2026 already exists in {root}/2026; choose another", path=str(root))
    shown = services._without_server_paths(raw)
    assert str(home) not in str(shown) and "2026; choose another" in str(shown)


def test_the_french_edition_page_says_nothing_in_english(edition, people):
    """Issue 19, item 6: the sentences of the page (comments, captions, help, disclosures, key figures) are
    French; names of sources and custodians and texts marked with another ``lang`` are left out of the check."""
    import re

    page = client_for(people["viewer"]).get(reverse("barometer:edition", args=[edition.pk])).content.decode()
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    main = re.sub(r'<(\w+)[^>]*\slang="(?!fr)[^"]*"[^>]*>.*?</\1>', "", main, flags=re.S)
    sentences = re.findall(
        r'<(?:p|figcaption|summary|h2|h3|caption|dt|legend)\b[^>]*>(.*?)</(?:p|figcaption|summary|h2|h3|caption|dt|legend)>',
        main,
        flags=re.S,
    )
    text = html.unescape(re.sub(r"<[^>]+>", " ", " ".join(sentences)))
    english = re.findall(r"\b(the|of|and|with|from|which|cases|publications using|by year)\b", text)
    assert len(text) > 3000 and not english, english
    assert not re.search(r"\w [:;!?]", text.replace("\u00a0", "~").replace("\u202f", "~"))  # no-break spaces


def test_a_chart_an_older_edition_cannot_feed_is_a_sentence_not_an_error(edition, people):
    results = dict(services.results(edition))
    del results["sources_by_year"]  # a figure an edition built before it existed lacks
    built = {c.id: c for c in services.charts_for(results, "fr")}
    assert built["sources_by_year"].empty and "version antérieure" in built["sources_by_year"].empty_text
    assert not built["publications_by_year"].empty  # the others are drawn as usual
