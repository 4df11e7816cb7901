"""Interviews: the pure core of the qualitative workspace (issue #7).

No Django here: ``transcripts`` (txt, docx, odt, WebVTT, SRT → speaker turns), ``pseudonymise``
(detection and consistent replacement of personal data), ``agreement`` (inter-coder agreement at
character level) and ``refi`` (REFI-QDA ``.qdpx``/``.qdc`` exchange). The web workspace builds on these.
"""
