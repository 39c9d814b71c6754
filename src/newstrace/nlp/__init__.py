"""Everything that touches spaCy: loading a pipeline and the document-level analysis stages.

This package is the only place in newstrace that imports spaCy; everything it returns is a plain
record from `newstrace.records`. The stages are imported when first asked for, so a command that only
names the default pipeline (every CLI command does) does not import them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from newstrace.nlp.model import DEFAULT_PIPELINE, ModelNotInstalled, ensure_installed, load_pipeline

if TYPE_CHECKING:
    from newstrace.nlp.stages import DOC_STAGES, DocStage, analyse_texts, stage_versions

_FROM_STAGES = frozenset({"DOC_STAGES", "DocStage", "analyse_texts", "stage_versions"})

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


def __getattr__(name: str) -> Any:
    """The stages' names, imported on first use (PEP 562)."""
    if name in _FROM_STAGES:
        from newstrace.nlp import stages

        return getattr(stages, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
