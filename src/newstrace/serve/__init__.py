"""The local web app (`newstrace serve`): pages and a JSON API over a newstrace database, read-only."""

from newstrace.serve.app import create_app

__all__ = ["create_app"]
