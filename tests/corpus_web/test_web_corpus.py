"""The corpus pages through Django's test client: permissions, search, facets, detail, undo, export, batches."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from benefice.core.users import ensure_user
from benefice.corpus import services
from benefice.corpus.models import ImportBatch, MergeEvent, Publication
from benefice.corpus.record import Record
from benefice.corpus.views import stream_export
from benefice.errors import BeneficeError

pytestmark = pytest.mark.django_db

LIST = reverse("corpus:list")


def result_titles(html: str) -> list[str]:
    """Titles of the results list, in order (the links inside <li class="result"><h3>)."""
    return re.findall(r'<li class="result">\s*<h3><a href="/corpus/\d+/"(?: lang="[a-z]+")?>([^<]*)</a>', html)


# --- access -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        LIST,
        reverse("corpus:detail", args=[1]),
        reverse("corpus:import"),
        reverse("corpus:batches"),
        reverse("corpus:export", args=["csv"]),
        reverse("corpus:import_job", args=["0" * 32]),
    ],
)
def test_anonymous_is_sent_to_sign_in_and_back(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    assert url in response["Location"].replace("%2F", "/")


def test_sign_in_page_and_sign_in(client: Client) -> None:
    ensure_user("alice", "s3cret-pass", "viewer")
    page = client.get(reverse("login"), {"next": LIST})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'for="id_username"' in html and 'for="id_password"' in html
    bad = client.post(reverse("login"), {"username": "alice", "password": "wrong", "next": LIST})
    assert bad.status_code == 200 and 'role="alert"' in bad.content.decode()
    good = client.post(reverse("login"), {"username": "alice", "password": "s3cret-pass", "next": LIST})
    assert good.status_code == 302 and good["Location"] == LIST


def test_sign_out_needs_post_and_signs_out(viewer: Client) -> None:
    assert viewer.post(reverse("logout")).status_code == 302
    assert viewer.get(LIST).status_code == 302


def test_signed_in_user_without_role_gets_403_not_a_login_loop(client: Client) -> None:
    from django.contrib.auth.models import User

    User.objects.create_user("nobody", password="pw-nobody-1")
    client.login(username="nobody", password="pw-nobody-1")
    response = client.get(LIST)
    assert response.status_code == 403
    assert "demandez-en un à un administrateur" in response.content.decode()  # says what to do


def test_viewer_cannot_import_nor_undo(viewer: Client, corpus) -> None:
    assert viewer.get(reverse("corpus:import")).status_code == 403
    assert viewer.post(reverse("corpus:import"), {"format": "auto"}).status_code == 403
    event = MergeEvent.objects.get()
    assert viewer.post(reverse("corpus:undo_merge", args=[event.pk])).status_code == 403
    event.refresh_from_db()
    assert event.undone_at is None
    page = viewer.get(reverse("corpus:detail", args=[corpus["benfluorex"].pk])).content.decode()
    assert "undo_merge" not in page and f"/corpus/merges/{event.pk}/undo/" not in page
    nav = viewer.get(LIST).content.decode()
    assert reverse("corpus:import") not in nav  # no Import entry in the menu for viewers


def test_header_names_user_role_and_languages(editor: Client) -> None:
    html = editor.get(LIST).content.decode()
    assert '<html lang="fr">' in html
    assert 'class="role-badge"' in html
    assert 'href="#main"' in html and 'id="main"' in html  # skip link and its target
    assert 'name="language" value="en"' in html and 'name="language" value="fr"' in html


def test_language_switch_to_english(editor: Client) -> None:
    response = editor.post(reverse("set_language"), {"language": "en", "next": LIST})
    assert response.status_code == 302
    html = editor.get(LIST).content.decode()
    assert '<html lang="en">' in html
    assert "Search the corpus" in html


def test_interface_is_french_by_default(editor: Client) -> None:
    html = editor.get(LIST).content.decode()
    assert "Rechercher dans le corpus" in html
    assert "Search the corpus" not in html


# --- search, facets, sort, pagination -------------------------------------------------------------------


def test_list_shows_every_publication_with_count(viewer: Client, corpus) -> None:
    response = viewer.get(LIST, {"sort": "oldest"})
    html = response.content.decode()
    assert len(result_titles(html)) == 4
    assert result_titles(html)[0].startswith("Benfluorex")
    assert 'id="result-status"' in html and "4" in re.search(r'id="result-status"[^>]*>([^<]*)', html).group(
        1
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("benfluorex", ["Benfluorex"]),
        ("pioglit", ["Pioglitazone"]),  # prefix match on the last word
        ("epidemiologie", ["Le Système"]),  # accents ignored (journal name is "Épidémiologie")
        ("Weill meningioma", ["Use of cyproterone"]),  # every word must match
        ("short abstract", ["Benfluorex"]),  # abstract from the merged MEDLINE record is searchable
        ("10.1136/bmj.n37", ["Use of cyproterone"]),
        ("nothing-like-this", []),
    ],
)
def test_full_text_search(viewer: Client, corpus, query: str, expected: list[str]) -> None:
    titles = result_titles(viewer.get(LIST, {"q": query}).content.decode())
    assert len(titles) == len(expected)
    for title, start in zip(titles, expected, strict=True):
        assert title.startswith(start)


def test_odd_queries_do_not_break_the_page(viewer: Client, corpus) -> None:
    for query in ['"', "AND OR NOT", "*", "title:x", "'); DROP TABLE x; --", "ü" * 600]:
        assert viewer.get(LIST, {"q": query}).status_code == 200
    for bad in ({"year": "abc"}, {"size": "7"}, {"sort": "nope"}, {"page": "999"}):
        assert viewer.get(LIST, bad).status_code == 200


def test_relevance_puts_title_matches_first(viewer: Client, corpus) -> None:
    batch = ImportBatch.objects.create(origin="extra")
    services.import_records(
        [
            Record(
                source_format="test",
                position=1,
                raw="x",
                year=2023,
                doi="10.1/x",
                title="Antidiabetic drugs in France",
                abstract="A cohort of patients followed in the SNDS.",
            )
        ],
        batch,
        origin="x",
    )
    newest = result_titles(viewer.get(LIST, {"q": "cohort", "sort": "newest"}).content.decode())
    assert [t[:12] for t in newest] == ["Antidiabetic", "Benfluorex a"]
    ranked = viewer.get(LIST, {"q": "cohort"}).content.decode()
    assert 'value="relevance" selected' in ranked  # the default sort of a search
    assert [t[:12] for t in result_titles(ranked)] == ["Benfluorex a", "Antidiabetic"]  # title match first


def facet_counts(html: str, param: str) -> dict[str, int]:
    """{link label: count} of one facet, read from the links ``?…param=value``."""
    block = re.search(rf'<h3 id="facet-{param}">.*?</ul>', html, re.S).group(0)
    return {
        label.strip(): int(count)
        for label, count in re.findall(
            r"<a [^>]*><span>([^<]*)(?:<span[^>]*>[^<]*</span>)?</span>\s*"
            r'<span class="count">(\d+)</span>',
            block,
        )
    }


def test_facets_count_each_value(viewer: Client, corpus) -> None:
    html = viewer.get(LIST).content.decode()
    assert facet_counts(html, "year") == {"2021": 1, "2017": 1, "2012": 1, "2010": 1}
    assert facet_counts(html, "lang") == {"Anglais": 3, "Français": 1}
    assert facet_counts(html, "type") == {"Article": 3, "Revue de la littérature": 1}
    # publications having at least one record of each format: the merged one counts for both
    assert facet_counts(html, "source") == {"RIS": 4, "MEDLINE / nbib": 1}


def test_facets_combine_with_the_query_and_each_other(viewer: Client, corpus) -> None:
    html = viewer.get(LIST, {"q": "weill", "lang": "en"}).content.decode()
    assert facet_counts(html, "year") == {"2021": 1, "2012": 1, "2010": 1}
    html = viewer.get(LIST, {"q": "weill", "lang": "en", "year": 2012}).content.decode()
    assert [t[:12] for t in result_titles(html)] == ["Pioglitazone"]
    # the chosen facet still lists its other values (counted without its own filter) …
    assert facet_counts(html, "year") == {"2021": 1, "2012": 1, "2010": 1}
    # … and links keep the query and the other filters
    assert (
        re.search(r'href="\?q=weill&amp;lang=en&amp;year=2010"', html)
        or re.search(r'href="\?[^"]*year=2010[^"]*"', html).group(0).count("q=weill") == 1
    )
    html = viewer.get(LIST, {"source": "medline"}).content.decode()
    assert [t[:10] for t in result_titles(html)] == ["Benfluorex"]


def test_sorts(viewer: Client, corpus) -> None:
    years = lambda html: [int(y) for y in re.findall(r"· (\d{4})\s*</p>", html)]  # noqa: E731
    assert years(viewer.get(LIST, {"sort": "newest"}).content.decode()) == [2021, 2017, 2012, 2010]
    assert years(viewer.get(LIST, {"sort": "oldest"}).content.decode()) == [2010, 2012, 2017, 2021]
    titles = result_titles(viewer.get(LIST, {"sort": "title"}).content.decode())
    assert titles == sorted(titles)


def test_pagination_keeps_the_search(viewer: Client, db) -> None:
    batch = ImportBatch.objects.create(origin="many")
    services.import_records(
        [
            Record(
                source_format="test",
                position=n,
                raw=f"r{n}",
                title=f"Cohort number {n:03d} of the SNDS",
                year=2000 + n % 20,
                doi=f"10.1234/test.{n}",
            )
            for n in range(1, 31)
        ],
        batch,
        origin="many",
    )
    first = viewer.get(LIST, {"q": "cohort", "size": 10, "sort": "title"}).content.decode()
    assert result_titles(first)[0] == "Cohort number 001 of the SNDS"
    assert re.search(r'href="\?q=cohort&amp;size=10&amp;sort=title&amp;page=2"', first)
    second = viewer.get(LIST, {"q": "cohort", "size": 10, "sort": "title", "page": 2}).content.decode()
    assert result_titles(second)[0] == "Cohort number 011 of the SNDS"
    assert '<ol start="11">' in second


def test_htmx_request_gets_only_the_results_fragment(viewer: Client, corpus) -> None:
    response = viewer.get(LIST, {"q": "weill"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html and 'id="results"' in html
    assert 'hx-swap-oob="innerHTML"' in html  # the result count outside the fragment is updated too
    assert "HX-Request" in response["Vary"]
    restore = viewer.get(LIST, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.content.decode()


# --- publication page ---------------------------------------------------------------------------------


def test_publication_page_shows_fields_provenance_and_raw_records(viewer: Client, corpus) -> None:
    pub = corpus["benfluorex"]
    html = viewer.get(reverse("corpus:detail", args=[pub.pk])).content.decode()
    assert "https://doi.org/10.1002/pds.2044" in html
    assert "https://pubmed.ncbi.nlm.nih.gov/20681016/" in html
    assert "https://orcid.org/0000-0002-1825-0097" in html
    assert "CNAMTS, Paris, France" in html
    medline = pub.raw_records.get(source_format="medline")
    ris = pub.raw_records.get(source_format="ris")
    assert f'id="raw-{medline.pk}"' in html and f'id="raw-{ris.pk}"' in html
    assert "PMID- 20681016" in html  # verbatim
    # the PMID row says it came from the MEDLINE record, the title from the RIS one
    pmid_row = re.search(r"<th scope=\"row\">PMID</th>.*?</tr>", html, re.S).group(0)
    assert f'href="#raw-{medline.pk}"' in pmid_row
    assert f'href="#raw-{ris.pk}"' in re.search(r"Titre tiré de.*?</p>", html, re.S).group(0)
    assert "même doi 10.1002/pds.2044" in html.lower()  # merge reason, in the page's language


def test_unknown_publication_is_404(viewer: Client, db) -> None:
    assert viewer.get(reverse("corpus:detail", args=[999999])).status_code == 404


def test_editor_undoes_a_merge(editor: Client, corpus) -> None:
    pub = corpus["benfluorex"]
    event = MergeEvent.objects.get()
    page = editor.get(reverse("corpus:detail", args=[pub.pk])).content.decode()
    assert f'action="/corpus/merges/{event.pk}/undo/"' in page and "csrfmiddlewaretoken" in page
    assert editor.get(reverse("corpus:undo_merge", args=[event.pk])).status_code == 405  # POST only
    response = editor.post(reverse("corpus:undo_merge", args=[event.pk]), follow=True)
    assert response.status_code == 200
    event.refresh_from_db()
    assert event.undone_at is not None and event.split_into is not None
    pub.refresh_from_db()
    assert pub.pmid == "" and pub.raw_records.count() == 1
    assert event.split_into.pmid == "20681016"
    html = response.content.decode()
    assert f'href="/corpus/{event.split_into.pk}/"' in html  # message and history link to the split
    again = editor.post(reverse("corpus:undo_merge", args=[event.pk]), follow=True)
    assert again.status_code == 200 and 'role="alert"' in again.content.decode()
    split_page = editor.get(reverse("corpus:detail", args=[event.split_into.pk])).content.decode()
    assert f'href="/corpus/{pub.pk}/"' in split_page


def test_undo_is_csrf_protected(corpus) -> None:
    ensure_user("ed", "pw-editor-1", "editor")
    client = Client(enforce_csrf_checks=True)
    client.login(username="ed", password="pw-editor-1")
    event = MergeEvent.objects.get()
    assert client.post(reverse("corpus:undo_merge", args=[event.pk])).status_code == 403
    event.refresh_from_db()
    assert event.undone_at is None


# --- export -------------------------------------------------------------------------------------------


def body(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def test_export_of_the_current_search(viewer: Client, corpus) -> None:
    response = viewer.get(reverse("corpus:export", args=["csv"]), {"q": "weill", "lang": "en"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"] and ".csv" in response["Content-Disposition"]
    lines = body(response).splitlines()
    assert lines[0].startswith("title,") and len(lines) == 4  # header + 3 matches
    ris = body(viewer.get(reverse("corpus:export", args=["ris"]), {"year": 2012}))
    assert ris.count("ER  -") == 1 and "10.1007/s00125-012-2538-9" in ris
    jsonl = body(viewer.get(reverse("corpus:export", args=["jsonl"])))
    rows = [json.loads(line) for line in jsonl.splitlines()]
    assert {row["doi"] for row in rows} == {p.doi for p in corpus.values()}
    assert viewer.get(reverse("corpus:export", args=["docx"])).status_code == 404


def test_stream_export_streams_large_results_in_order(db) -> None:
    pubs = [Publication(pk=n, title=f"Study {n}", year=2020, doi=f"10.1/{n}") for n in range(1, 1201)]
    chunks = list(stream_export(iter(pubs), "jsonl", batch=50))
    assert len(chunks) > 1  # written while reading, not in one piece at the end
    rows = [json.loads(line) for line in b"".join(chunks).decode().splitlines()]
    assert [row["title"] for row in rows] == [f"Study {n}" for n in range(1, 1201)]


def test_stream_export_raises_the_writer_error(db) -> None:
    with pytest.raises(BeneficeError, match="unknown export format"):
        list(stream_export(iter([Publication(pk=1, title="x")] * 500), "docx", batch=10))


def test_stream_export_stops_when_the_client_goes_away(db) -> None:
    import threading

    before = threading.active_count()
    gen = stream_export(iter(Publication(pk=n, title=f"t{n}") for n in range(1, 100_000)), "csv", batch=10)
    next(gen)
    gen.close()
    for thread in threading.enumerate():
        if thread.name == "export":
            thread.join(timeout=5)
            assert not thread.is_alive()
    assert threading.active_count() <= before


# --- batches ------------------------------------------------------------------------------------------


def test_batch_list_shows_counts_and_errors(viewer: Client, corpus) -> None:
    ImportBatch.objects.create(
        origin="/tmp/bad.ris",
        format="ris",
        status=ImportBatch.Status.FAILED,
        errors=["bad.ris, line 3: unexpected tag"],
    )
    html = viewer.get(reverse("corpus:batches")).content.decode()
    assert "bad.ris, line 3: unexpected tag" in html
    ris_batch = ImportBatch.objects.get(origin="corpus.ris")
    row = re.search(rf'<tr id="batch-{ris_batch.pk}">.*?</tr>', html, re.S).group(0)
    assert [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', row)] == [0, 0, 0, 0]  # not finished
    failed = viewer.get(reverse("corpus:batches"), {"status": "failed"}).content.decode()
    assert "bad.ris" in failed and f'id="batch-{ris_batch.pk}"' not in failed


# --- admin --------------------------------------------------------------------------------------------


def test_admin_lists_corpus_models_and_keeps_provenance_read_only(admin_client_: Client, corpus) -> None:
    from benefice.corpus.models import RawRecord

    pub = corpus["benfluorex"]
    for name in ("publication", "rawrecord", "importbatch", "mergeevent"):
        assert admin_client_.get(reverse(f"admin:corpus_{name}_changelist")).status_code == 200
    assert admin_client_.get(reverse("admin:corpus_publication_change", args=[pub.pk])).status_code == 200
    raw = RawRecord.objects.filter(publication=pub).first()
    assert (
        admin_client_.post(
            reverse("admin:corpus_rawrecord_delete", args=[raw.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert RawRecord.objects.filter(pk=raw.pk).exists()
