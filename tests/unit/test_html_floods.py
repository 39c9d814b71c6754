"""A hostile HTML page with a flood of attributes on one element: stripped before libxml2 parses it.

libxml2 compares every attribute of an element with the element's earlier ones, so a 10 MB page with a
million attributes on one `div` parsed for hours. Pages here are fictional.
"""

from __future__ import annotations

import pytest

from newstrace.ingest.html import MAX_ATTRIBUTES, html_to_drafts, without_attribute_floods
from newstrace.records import ArticleDraft

ARTICLE = "<p>" + "Minister Anneke Holm said that the ferry would run daily from the spring. " * 10 + "</p>"

# The ways libxml2 reads attributes: quoted values, bare names, no space after a quote, junk between them.
FLOODS = {
    "quoted": lambda count: " ".join(f'a{i}="x"' for i in range(count)),
    "bare": lambda count: " ".join(f"a{i}" for i in range(count)),
    "no space": lambda count: "".join(f"a{i}='x'" for i in range(count)),
    "junk between": lambda count: " ".join(f'a{i}=1 "' for i in range(count)),
}


def _page(attributes: str) -> bytes:
    return f'<html><body><div class="story" {attributes}>{ARTICLE}</div></body></html>'.encode()


@pytest.mark.parametrize("flood", FLOODS)
def test_an_element_with_too_many_attributes_loses_them_all(flood: str) -> None:
    stripped = without_attribute_floods(_page(FLOODS[flood](MAX_ATTRIBUTES + 1)))
    assert stripped == f"<html><body><div>{ARTICLE}</div></body></html>".encode()


@pytest.mark.parametrize("flood", ["quoted", "bare", "no space"])  # junk counts towards the limit too
def test_an_element_with_as_many_attributes_as_allowed_keeps_them(flood: str) -> None:
    page = _page(FLOODS[flood](MAX_ATTRIBUTES - 1))  # with `class`, exactly the limit
    assert without_attribute_floods(page) == page


def test_a_page_with_a_million_attributes_on_one_element_still_gives_its_article() -> None:
    [draft] = html_to_drafts(_page(FLOODS["quoted"](1_000_000)), "flood.html", path="flood.html", url=None)
    assert isinstance(draft, ArticleDraft)
    assert draft.text.startswith("Minister Anneke Holm said that the ferry would run daily")
