"""Turn a small HTML fragment (a feed entry's content) into plain text with paragraph breaks."""

from __future__ import annotations

import re

_BLOCK_TAGS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "section"}
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def fragment_to_text(fragment: str) -> str:
    """Return the fragment's text, one paragraph per block element, separated by blank lines."""
    if "<" not in fragment:
        return fragment.strip()
    import lxml.html

    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    for element in root.iter("script", "style"):
        element.drop_tree()
    for element in root.iter(*_BLOCK_TAGS):
        element.tail = "\n\n" + (element.tail or "")
    text = _SPACES.sub(" ", root.text_content())
    return _BLANK_LINES.sub("\n\n", text).strip()
