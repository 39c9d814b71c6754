"""spaCy components newstrace adds, usable in anyone's pipeline once this module is imported.

* `newstrace_paragraph_breaks` starts a sentence after every line break, so a headline without a full
  stop is not glued to the first paragraph.
* `newstrace_quotes` finds attributions and sets `doc._.quotes` (a list of `FoundQuote`).

    import spacy, newstrace.nlp.components
    nlp = spacy.load("en_core_web_sm")
    nlp.add_pipe("newstrace_quotes")
    for quote in nlp(text)._.quotes: ...
"""

from __future__ import annotations

from typing import Any

from spacy.errors import Errors
from spacy.language import Language
from spacy.tokens import Doc

from newstrace.nlp.quotes import extract_quotes

PARAGRAPH_BREAKS = "newstrace_paragraph_breaks"
# Raise when `paragraph_breaks` changes what it marks: cached parses (`nlp.parse_cache`) are kept by it.
PARAGRAPH_BREAKS_VERSION = 1
QUOTES = "newstrace_quotes"

if not Doc.has_extension("quotes"):
    Doc.set_extension("quotes", default=None)


@Language.component(PARAGRAPH_BREAKS)
def paragraph_breaks(doc: Any) -> Any:
    """Mark the token after any whitespace token holding a line break as a sentence start."""
    after_breaks = [token.i + 1 for token in doc[:-1] if token.is_space and "\n" in token.text]
    if not after_breaks:
        return doc
    # All marks are written at once: `Token.is_sent_start`'s setter first checks that the doc has no
    # parse, a pass over every token, so one setter call per line break made long articles quadratic
    # (a 100,000-character chunk with 2,000 paragraphs took 2,000 passes over its ~25,000 tokens).
    if doc.has_annotation("DEP"):
        raise ValueError(Errors.E043)  # what the setter raises: sentence starts cannot be set after parsing
    starts = doc.to_array("SENT_START")
    starts[after_breaks] = 1
    doc.from_array("SENT_START", starts)
    return doc


@Language.component(QUOTES)
def quotes(doc: Any) -> Any:
    """Set `doc._.quotes` to the attributions found in the parsed document."""
    doc._.quotes = extract_quotes(doc)
    return doc
