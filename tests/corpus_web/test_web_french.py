"""The corpus pages in French (issue 19): errors said in the reader's language and naming the uploaded file,
never a server path; a file without records refused; codes shown by their labels; titles and abstracts
marked with their language (RGAA 8.7)."""

from __future__ import annotations

import lxml.html
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from benefice.core import jobs
from benefice.corpus import services
from benefice.corpus.models import ImportBatch, MergeEvent, Publication, RawRecord
from benefice.errors import BeneficeError
from support.french import problems

from .conftest import CORPUS, ris_text

NBSP = "\u00a0"
SKIP = {"script", "style", "code", "pre", "kbd", "samp", "title", "svg"}


@pytest.fixture(autouse=True)
def job_home(settings, tmp_path):
    settings.HOME = tmp_path / "home"
    settings.MEDIA_ROOT = tmp_path / "home" / "uploads"
    return settings.HOME


def runs(html: str) -> list[dict]:
    """Each element's own text with the language in force, as the browser check reads it."""
    root = lxml.html.fromstring(html)
    body = root.find("body") if root.find("body") is not None else root
    out = []
    for el in body.iter():
        if not isinstance(el.tag, str) or any(a.tag in SKIP for a in [el, *el.iterancestors()]):
            continue
        own = " ".join(t for t in [el.text, *(c.tail for c in el)] if t)
        text = " ".join(own.split())
        if text:
            lang = next((a.get("lang") for a in [el, *el.iterancestors()] if a.get("lang")), "")
            out.append({"text": text, "lang": lang, "tag": el.tag})
    return out


def french(client: Client, url: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    return response.content.decode()


def upload(client: Client, name: str, text: str, fmt: str = "auto"):
    data = {"file": SimpleUploadedFile(name, text.encode()), "format": fmt}
    return client.post(reverse("corpus:import"), data, HTTP_ACCEPT_LANGUAGE="fr")


@pytest.mark.django_db
def test_a_garbage_file_imported_as_ris_fails_naming_the_file(editor: Client, job_home) -> None:
    response = upload(editor, "notes de réunion.txt", "Bonjour,\nceci est un compte rendu, pas une bibliographie.\n", "ris")
    job = jobs.read_job(response["Location"].rstrip("/").rsplit("/", 1)[-1])
    assert job["status"] == jobs.FAILED
    assert Publication.objects.count() == 0 and RawRecord.objects.count() == 0  # nothing half-written
    assert ImportBatch.objects.get(pk=job["batch_id"]).status == ImportBatch.Status.FAILED
    page = french(editor, response["Location"])
    assert f"notes_de_réunion.txt{NBSP}: aucune notice lue{NBSP}: " in page
    assert str(job_home) not in page
    english = editor.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "notes_de_réunion.txt: no record read: nothing in this file is a RIS record" in english
    batches = french(editor, reverse("corpus:batches"))
    assert "aucune notice lue" in batches and str(job_home) not in batches


@pytest.mark.django_db
def test_an_import_error_reads_in_french_on_the_job_page(editor: Client, job_home) -> None:
    response = upload(editor, "tronqué.ris", "TY  - JOUR\nTI  - Un titre\n")
    page = french(editor, response["Location"])
    assert f"tronqué.ris, ligne 1, notice 1{NBSP}: le fichier se termine au milieu de la notice 1" in page
    assert "file ends inside record" not in page and str(job_home) not in page


@pytest.mark.django_db
def test_batches_show_file_names_not_server_paths(editor: Client, tmp_path) -> None:
    folder = tmp_path / "srv" / "benefice" / "incoming"
    folder.mkdir(parents=True)
    good = folder / "deux études.ris"
    good.write_text("\n".join(ris_text(d) for d in CORPUS[:2]), encoding="utf-8")
    services.import_file(good)
    bad = folder / "vide.ris"
    bad.write_text("rien ici\n", encoding="utf-8")
    with pytest.raises(BeneficeError):
        services.import_file(bad, "ris")
    assert ImportBatch.objects.filter(origin=str(good)).exists()  # the full path stays for the CLI and admin
    page = french(editor, reverse("corpus:batches"))
    assert "deux études.ris" in page and "vide.ris" in page
    assert str(folder) not in page
    assert f"vide.ris{NBSP}: aucune notice lue" in page
    assert ">fichier ·" in page or "fichier · " in page  # the batch kind by its label, not the code "file"
    assert problems(runs(page)) == []


@pytest.mark.django_db
def test_titles_and_abstracts_carry_their_language(viewer: Client, corpus) -> None:
    pub = corpus["benfluorex"]  # an English record with an abstract
    detail = french(viewer, reverse("corpus:detail", args=[pub.pk]))
    doc = lxml.html.fromstring(detail)
    assert doc.get_element_by_id("pub-title").get("lang") == "en"
    assert doc.find_class("abstract")[0].get("lang") == "en"
    listing = lxml.html.fromstring(french(viewer, reverse("corpus:list")))
    links = {a.text_content().strip(): a.get("lang") for a in listing.xpath('//li[@class="result"]/h3/a')}
    assert links[pub.title] == "en"
    assert links[corpus["snds"].title] == "fr"


@pytest.mark.django_db
def test_merge_reasons_are_said_in_the_readers_language(viewer: Client, corpus) -> None:
    event = MergeEvent.objects.get(publication=corpus["benfluorex"])
    assert event.reason == "same DOI 10.1002/pds.2044"  # the English kept for the admin and logs
    url = reverse("corpus:detail", args=[corpus["benfluorex"].pk])
    assert "même DOI 10.1002/pds.2044" in french(viewer, url)
    assert "same DOI 10.1002/pds.2044" in viewer.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    MergeEvent.objects.filter(pk=event.pk).update(reason_data=[], reason="a note typed by a curator")
    assert "a note typed by a curator" in french(viewer, url)  # a reason kept as text is shown as written


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["corpus:list", "corpus:batches", "corpus:import"])
def test_corpus_pages_in_french_have_no_english_sentence(editor: Client, corpus, page) -> None:
    assert problems(runs(french(editor, reverse(page)))) == []


@pytest.mark.django_db
def test_the_detail_page_in_french_has_no_english_sentence(editor: Client, corpus) -> None:
    html = french(editor, reverse("corpus:detail", args=[corpus["benfluorex"].pk]))
    assert problems(runs(html)) == []


@pytest.mark.django_db
def test_batch_counts_use_french_thousands(editor: Client) -> None:
    ImportBatch.objects.create(kind="file", origin="/srv/x/gros.ris", format="ris", records_read=12345, status="done")
    page = french(editor, reverse("corpus:batches"))
    assert '<td class="num">12\u00a0345</td>' in page  # Django's French thousands separator
    assert "/srv/x" not in page and "gros.ris" in page
