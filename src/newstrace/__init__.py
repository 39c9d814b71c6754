"""newstrace: who said what, which articles tell the same story, and how quotes travel between outlets."""

__version__ = "0.1.0"
