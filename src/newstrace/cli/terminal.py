"""Make text from the input safe to print: rich markup and control characters are shown, not obeyed.

A file name or a headline can hold an ESC sequence (which would recolour, move or clear the terminal) or
a newline (which would forge a line such as `skipped ...`). Each control character is printed as a
visible escape instead (`\\x1b`, `\\n`), and `[` is escaped so rich does not read it as markup.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rich.cells import cell_len
from rich.markup import escape as escape_markup
from rich.text import Text

# C0 and C1 controls and DEL; `escape` keeps newline and tab, which multi-line cells use on purpose.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape(text: str) -> str:
    """`text` for a rich table cell or message: markup escaped, controls other than newline and tab shown."""
    return escape_markup(_CONTROLS.sub(_visible, text))


def escape_line(text: str) -> str:
    """`text` that must stay on one line, such as a file name: every control character shown, newline too."""
    return escape_markup(_LINE_CONTROLS.sub(_visible, text))


def one_line_table_width(headings: Sequence[str], rows: Sequence[Sequence[str]]) -> int:
    """The width a rich table (default box, a space of padding each side) takes to show `rows` of markup
    cells under `headings` with no cell wrapped: each column's widest line in terminal cells (a CJK character
    takes two, markup none), and a border and two spaces a column, plus the last border."""
    widest = [cell_len(heading) for heading in headings]
    for row in rows:
        for at, cell in enumerate(row[: len(headings)]):
            widest[at] = max(widest[at], *(cell_len(line) for line in Text.from_markup(cell).plain.split("\n")))
    return sum(widest) + 3 * len(widest) + 1


def _visible(match: re.Match[str]) -> str:
    character = match.group()
    return _NAMED.get(character, f"\\x{ord(character):02x}")
