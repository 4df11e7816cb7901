"""The interviews' pure modules say their errors in the reader's language (issue 19): each error keeps its
English template and its parameters apart, the French comes from the interviews catalogue, and a parameter
taken from the input (an element's namespace, a cell of a CSV, a subtitle file) never breaks the rendering,
whatever characters it holds (``%`` included)."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benefice.errors import BeneficeError, FormatError
from benefice.interviews import agreement, pseudonymise, refi, transcripts
from benefice.interviews.refi.model import CODEBOOK_NS

NBSP = "\u00a0"


def test_refi_errors_in_french() -> None:
    with pytest.raises(FormatError) as caught:
        refi.parse_codebook(b"<CodeBook", "livre.qdc")
    error = caught.value
    assert str(error).startswith("livre.qdc, line 1: invalid XML: ")  # the English is as it was
    assert error.localized("fr").startswith(f"livre.qdc, ligne 1{NBSP}: XML invalide{NBSP}: ")

    with pytest.raises(FormatError) as caught:
        refi.parse_codebook(b'<!DOCTYPE x [<!ENTITY a "b">]><CodeBook/>', "bombe.qdc")
    assert "DOCTYPE" in caught.value.localized("fr") and "XML refusé" in caught.value.localized("fr")

    with pytest.raises(BeneficeError) as caught:
        refi.codebook_xml(refi.Codebook(codes=[], sets=[]))
    assert caught.value.localized("fr") == "un livre de codes REFI-QDA doit contenir au moins un code"


def test_transcript_errors_in_french(tmp_path) -> None:
    path = tmp_path / "entretien.pdf"
    path.write_bytes(b"%PDF")
    with pytest.raises(FormatError) as caught:
        transcripts.read_transcript(path)
    assert str(caught.value).endswith("unsupported transcript format 'pdf' (txt, docx, odt, vtt, srt)")
    assert caught.value.localized("fr", name_only=True) == (
        f"entretien.pdf{NBSP}: format de transcription non pris en charge «{NBSP}pdf{NBSP}» "
        "(txt, docx, odt, vtt, srt)"
    )

    with pytest.raises(FormatError) as caught:
        transcripts.parse_srt("1\nnot a time\nbonjour\n", "sous-titres.srt")
    assert caught.value.localized("fr").startswith(f"sous-titres.srt{NBSP}: SRT mal formé{NBSP}: ")


def test_agreement_errors_in_french() -> None:
    with pytest.raises(BeneficeError) as caught:
        agreement.read_lengths(io.StringIO("document,length\nA,-3\n"))
    assert str(caught.value).endswith("line 2, field 'length': negative length -3")
    assert caught.value.localized("fr").endswith(f"longueur négative{NBSP}: -3")

    with pytest.raises(BeneficeError) as caught:
        agreement.read_codings(io.StringIO(""))
    french = caught.value.localized("fr")
    assert "fichier des codages vide" in french and "coder,document,start,end,code" in french
    assert "empty codings file" in str(caught.value)


def test_pseudonymise_errors_in_french(tmp_path) -> None:
    with pytest.raises(BeneficeError) as caught:
        pseudonymise.load_model("de")
    assert str(caught.value) == "unsupported language 'de' (fr or en)"
    assert caught.value.localized("fr") == f"langue non prise en charge «{NBSP}de{NBSP}» (fr ou en)"

    names = tmp_path / "noms.tsv"
    names.write_text("Dupont\tANIMAL\n", encoding="utf-8")
    with pytest.raises(BeneficeError) as caught:
        pseudonymise.read_names(names)
    assert caught.value.localized("fr", name_only=True) == (
        f"noms.tsv, ligne 1{NBSP}: type inconnu «{NBSP}ANIMAL{NBSP}» (PERSON, PLACE ou ORG)"
    )


# a namespace URI and a tag written by whoever made the file: any text an attribute can hold
_URI = st.text(st.characters(blacklist_characters='"&<', blacklist_categories=("Cs", "Cc")), max_size=40)
_NAME = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.-]{0,15}", fullmatch=True)


@settings(max_examples=60, deadline=None)
@given(namespace=_URI, tag=_NAME)
def test_refi_error_params_from_input_never_break_rendering(namespace: str, tag: str) -> None:
    data = f'<{tag} xmlns="{namespace}"/>'.encode()
    try:
        refi.parse_codebook(data, "hostile%(x)s.qdc")
    except FormatError as exc:
        french, english = exc.localized("fr"), exc.localized("en")
        assert french.startswith("hostile%(x)s.qdc") and english.startswith("hostile%(x)s.qdc")
        if exc.template.startswith("root element"):  # the root's name, as the file wrote it, in French
            assert f"l'élément racine est {exc.params['tag']}, alors qu'un CodeBook REFI-QDA" in french
            assert f"root element is {exc.params['tag']!r}, expected" in english
        else:
            assert exc.template in (
                "invalid XML: %(reason)s",
                "does not validate against the REFI-QDA schema: %(reason)s",
            )
            assert french != english
    else:
        assert namespace == CODEBOOK_NS and tag == "CodeBook"


@settings(max_examples=60, deadline=None)
@given(content=st.text(max_size=200), document=st.text(max_size=20), length=st.text(max_size=12))
def test_transcript_and_agreement_params_from_input_never_break_rendering(
    content: str, document: str, length: str
) -> None:
    try:
        transcripts.parse_srt(content, "cues.srt")
    except FormatError as exc:
        assert exc.localized("fr").startswith(f"cues.srt{NBSP}: SRT mal formé{NBSP}: ")
        assert exc.localized("en").startswith("cues.srt: malformed SRT: ")
    cell = document.replace('"', '""')
    rows = f'document,length\n"{cell}","{length.replace(chr(34), "")}"\n'
    try:
        agreement.read_lengths(io.StringIO(rows, newline=""))
    except BeneficeError as exc:
        french, english = exc.localized("fr"), exc.localized("en")
        assert french != english
        if exc.template.startswith("%(field)s must be an integer"):
            assert french.endswith(
                f"length doit être un nombre entier, reçu «{NBSP}{exc.params['value']}{NBSP}»"
            )
            assert english.endswith(f"length must be an integer, got {exc.params['value']!r}")


def test_analysis_errors_in_french() -> None:
    from benefice.interviews.services import analysis

    with pytest.raises(BeneficeError) as caught:
        analysis.export_segments([], "pdf", "Segments")
    assert str(caught.value) == "unknown export format 'pdf' (csv, xlsx, docx)"
    assert caught.value.localized("fr") == f"format d'export inconnu «{NBSP}pdf{NBSP}» (csv, xlsx, docx)"
