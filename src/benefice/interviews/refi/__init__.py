"""REFI-QDA exchange: projects (``.qdpx``) and codebooks (``.qdc``) shared with NVivo, ATLAS.ti, MAXQDA,
QualCoder and Taguette.

What we support (and so keep through import → export → import): users; the code hierarchy with colours,
descriptions and note references; sets of codes and sources; text sources with their plain text (inline
or in ``sources/``) and their plain-text selections; codings (code and coder) on selections and on whole
sources; notes (memos) with their text. Picture, PDF, audio and video sources are kept with their
selections (positions as given) and codings, without their media files, and so are the text sources
nested in them (a PDF's ``Representation`` and a PDF selection's, a picture's ``TextDescription``, the
``Transcript`` of an audio or video source with its sync points and ``TranscriptSelection``), with
their own selections and codings: a round trip through another tool must not lose a coding because we
cannot display its medium (issue 17). Variables, cases, links and graphs are counted in
``Project.ignored`` and not written back.

Reading is defensive because a ``.qdpx`` comes from anyone: the zip is checked for path traversal and
zip bombs before anything is read (``benefice.safezip``), members are read with a size cap, the XML parser
resolves no entity, loads no DTD and touches no network, and a document with a DOCTYPE (the vehicle of
"billion laughs" and external-entity attacks) is refused. Structural errors (missing required attribute,
bad GUID, position not an integer, selection outside its text, coding to an unknown code) raise
``BeneficeError`` with the XML line. ``read_qdpx(path, schema=...)`` also validates against the REFI XSD.

Three modules: ``model`` (the dataclasses and the format's names), ``reading``, ``writing``; pure (lxml, no
Django). This package re-exports every name callers use.
"""


from benefice.interviews.refi.model import (
    AUDIT_ATTRIBUTES,
    CODEBOOK_NS,
    GUID_POSITIONS,
    GUID_RE,
    MAX_QDPX_TOTAL_BYTES,
    MAX_SOURCE_BYTES,
    NESTED_KINDS,
    POSITION_ATTRIBUTES,
    PROJECT_NS,
    RGB_RE,
    SOURCE_KINDS,
    SOURCE_PATH_ATTRIBUTES,
    TEXT_KINDS,
    Code,
    Codebook,
    CodeSet,
    Coding,
    Note,
    Project,
    QdaSource,
    Selection,
    User,
    new_guid,
)
from benefice.interviews.refi.reading import (
    parse_codebook,
    parse_project,
    read_qdc,
    read_qdpx,
)
from benefice.interviews.refi.writing import (
    codebook_xml,
    project_xml,
    write_qdc,
    write_qdpx,
    xml_safe,
)

__all__ = [
    "AUDIT_ATTRIBUTES",
    "CODEBOOK_NS",
    "Code",
    "CodeSet",
    "Codebook",
    "Coding",
    "GUID_POSITIONS",
    "GUID_RE",
    "MAX_QDPX_TOTAL_BYTES",
    "MAX_SOURCE_BYTES",
    "NESTED_KINDS",
    "Note",
    "POSITION_ATTRIBUTES",
    "PROJECT_NS",
    "Project",
    "RGB_RE",
    "SOURCE_KINDS",
    "SOURCE_PATH_ATTRIBUTES",
    "Selection",
    "QdaSource",
    "TEXT_KINDS",
    "User",
    "codebook_xml",
    "new_guid",
    "parse_codebook",
    "parse_project",
    "project_xml",
    "read_qdc",
    "read_qdpx",
    "write_qdc",
    "write_qdpx",
    "xml_safe",
]
