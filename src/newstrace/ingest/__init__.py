"""Reading articles from files, folders, feeds and archives: one module per input format.

`discover` turns the user's paths into `Source`s; `read_source` yields `ArticleDraft`s and
`IngestProblem`s for one of them; `complete_draft` fills the outlet and language.
"""

from newstrace.ingest.base import ReadOptions, complete_draft
from newstrace.ingest.discover import FORMATS, Source, discover, read_source

__all__ = ["FORMATS", "ReadOptions", "Source", "complete_draft", "discover", "read_source"]
