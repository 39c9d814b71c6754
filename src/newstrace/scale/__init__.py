"""Runners: execute the document stages over batches of articles without knowing what they do.

`LocalRunner` uses this machine's processes; a Dask runner for clusters is planned as an extra.
"""

from newstrace.scale.local import LocalRunner

__all__ = ["LocalRunner"]
