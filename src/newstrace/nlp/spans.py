"""Character spans of a document's text, shared by the attribution rules and the learned boundaries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """A character span of the document."""

    start: int
    end: int


def is_inside(position: int, quotations: Sequence[Span]) -> bool:
    """`position` falls strictly inside one of the quotations (not on its opening or closing mark)."""
    return any(quotation.start < position < quotation.end for quotation in quotations)
