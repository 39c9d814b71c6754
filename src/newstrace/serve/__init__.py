"""The local web app (`newstrace serve`): pages and a JSON API over a newstrace database, read-only.

`create_app` (FastAPI, Starlette, Jinja) is imported on first use, so `newstrace search`, which reads
the query helpers in `newstrace.serve.data`, does not import the web framework.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newstrace.serve.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    """`create_app`, imported on first use (PEP 562)."""
    if name == "create_app":
        from newstrace.serve.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
