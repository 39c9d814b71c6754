"""Scoring newstrace against gold data: readers for annotated corpora and span metrics."""
