"""The pipeline: `analyze` drives ingest, identity, the stages and the store for one run."""

from newstrace.pipeline.analyze import AnalyzeSettings, ProgressListener, SilentProgress, analyze

__all__ = ["AnalyzeSettings", "ProgressListener", "SilentProgress", "analyze"]
