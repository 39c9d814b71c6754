"""Everything that touches spaCy: loading a pipeline and the document-level analysis stages.

This package is the only place in newstrace that imports spaCy; everything it returns is a plain
record from `newstrace.records`.
"""

from newstrace.nlp.model import DEFAULT_PIPELINE, ModelNotInstalled, ensure_installed, load_pipeline
from newstrace.nlp.stages import DOC_STAGES, DocStage, analyse_texts, stage_versions

__all__ = [
    "DEFAULT_PIPELINE",
    "DOC_STAGES",
    "DocStage",
    "ModelNotInstalled",
    "analyse_texts",
    "ensure_installed",
    "load_pipeline",
    "stage_versions",
]
