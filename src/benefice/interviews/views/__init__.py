"""Interview workspace pages. Thin: ``services`` does the work; here we check who may see what.

Every view starts from ``_project`` which answers 404 to anyone who is not a member of the project (the
project's existence is itself confidential), and transcripts come only from ``visible_transcripts`` so a
coder never reaches a transcript that is not yet pseudonymised or whose participant is for leads only.

One module per page group; this package re-exports every view, so ``urls.py`` keeps
``from benefice.interviews import views`` then ``views.project_list``.
"""


from benefice.interviews.views.codebooks import (
    agreement_view,
    codebook,
    codebook_history,
)
from benefice.interviews.views.coding import (
    coding_create,
    coding_delete,
    codings_data,
    transcript_view,
)
from benefice.interviews.views.findings import (
    analysis,
    export_segments,
    grounding,
    suggestions,
)
from benefice.interviews.views.imports import (
    import_job,
    import_job_status,
)
from benefice.interviews.views.projects import (
    participants,
    project_detail,
    project_list,
)
from benefice.interviews.views.qda import (
    export_refi,
    import_refi,
)
from benefice.interviews.views.transcripts import (
    transcript_import,
    transcript_review,
)

__all__ = [
    "agreement_view",
    "analysis",
    "codebook",
    "codebook_history",
    "coding_create",
    "coding_delete",
    "codings_data",
    "export_refi",
    "export_segments",
    "grounding",
    "import_job",
    "import_job_status",
    "import_refi",
    "participants",
    "project_detail",
    "project_list",
    "suggestions",
    "transcript_import",
    "transcript_review",
    "transcript_view",
]
