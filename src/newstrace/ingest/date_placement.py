"""Whether a full date found in an article's lead can be its publication date, judged by where it stands.

A date in the lead is the article's own when it stands on a date line, in a byline or in a dateline. It
is another text's or another event's when it closes a photo caption ("..., October 4, 2017." over
"REUTERS/..."), labels an embedded post ("(@handle) December 1, 2017"), introduces a citation of another
article ("..., KGO, March 23, 2018:") or a link to one ("See, earlier ... by ..., May 3, 2016"). A date
in running text ("the shooting on July 1, 2015, ...") is the day of an event, often the news's own or
days from it, and is kept unless the text names a year two or more years after it (a 1964 report
quoted in a 2012 column). A lead that tells the news by another day ("a jury on Thursday acquitted ...
of the July 1, 2015, shooting") shows an earlier event's day too, but passing such dates over costs
ECB+'s dense check more than its floor allows (docs/linking.md, "dates from the body"), so it is not
used.
"""

from __future__ import annotations

import re

_WEEKDAY = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"

# A post embedded in the page: "— Name (@handle) December 1, 2017", `<tweet datetime="2016-06-29">` (the
# page's own `<time datetime=...>` is no post).
_EMBEDDED_POST_BEFORE = re.compile(r"(?:\(@\w{1,30}\)|<(?:tweet|blockquote)\b[^>\n]*=\s*[\"'])\s*$", re.IGNORECASE)
# A line that points to another article: "See, earlier: <title> by <name>, <date>", "Related: ...".
_LINK_LINE = re.compile(r"\s*(?:see(?:\s+also)?|read\s+more|related|earlier|previously)\b\s*[,:]?", re.IGNORECASE)
# A caption's line names a picture first ("Photo: Elections staff load ballots ... on Nov. 11, 2018, ...").
_CAPTION_LINE = re.compile(r"\s*(?:photo|picture|image|caption|pictured|file\s+photo)\s*[:(-]", re.IGNORECASE)
# The credit under a caption: "REUTERS/Chris Wattie", "(AP file photo)", "AP Photo/Jane Doe", "Getty Images".
_CREDIT_LINE = re.compile(
    r"\s*\((?:[\w.]+\s+){0,2}(?:file\s+)?(?:[Pp]hoto|[Pp]icture|[Ii]mage)s?\)"  # "(AP file photo)"
    r"|\s*(?:[A-Z]{2,}\s+)?(?:[Pp]hoto(?:graph)?|PHOTO|[Pp]icture|[Ii]mage)s?\s*(?:/|:|by\b)"  # "AP Photo/..."
    r"|\s*[A-Z][A-Z.]{1,15}(?:\s[A-Z.]+)?\s*/\s*[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+)+\s*$"  # "REUTERS/Chris Wattie"
    r"|.{0,40}\b(?:Getty Images|Shutterstock)\b"
)
_CREDIT_MAX_CHARS = 80
# A date that opens a quoted citation: "“<title>,” KGO, March 23, 2018:" then the quoted text.
_OPENS_A_CITATION = re.compile(r"\s*:\s*(?:\n|$)")

# Running text around a date: a lower-case word right before it (with the date's own weekday between),
# or the sentence going on after it (a full stop, or a comma and a word: "2005, that stunned ...").
_WORD_BEFORE = re.compile(rf"\b[a-z][\w'’]*\s+(?:(?i:{_WEEKDAY})\s*,?\s*)?$")
_SENTENCE_AFTER = re.compile(r"\s*(?:[.;](?!\d)|,\s+(?:[A-Z][\w'’-]*\s+)?[a-z])")
_YEAR = re.compile(r"(?<![\d$£€/.,-])((?:19|20)\d{2})(?![\d%]|[.,]\d)")
YEARS_AFTER = 2  # a year named this far after a date in running text shows the date is an earlier event's


def stands_in_another_piece(text: str, start: int, end: int) -> bool:
    """Whether the date at `start:end` belongs to a caption, an embedded post, a citation or a link to
    another article rather than to the article itself."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = _line_end(text, end)
    if _EMBEDDED_POST_BEFORE.search(text, line_start, start) or _OPENS_A_CITATION.match(text, end):
        return True
    if _LINK_LINE.match(text, line_start, start) or _CAPTION_LINE.match(text, line_start, start):
        return True
    return not text[end:line_end].strip(" .") and _credit_follows(text, line_end)


def _line_end(text: str, position: int) -> int:
    found = text.find("\n", position)
    return len(text) if found < 0 else found


def _credit_follows(text: str, line_end: int) -> bool:
    """Whether the line after `line_end` is a photo credit, which makes the line above it a caption."""
    if line_end >= len(text):
        return False
    next_line = text[line_end + 1 : _line_end(text, line_end + 1)]
    return len(next_line) <= _CREDIT_MAX_CHARS and _CREDIT_LINE.match(next_line) is not None


def in_running_text(text: str, start: int, end: int) -> bool:
    """Whether the date at `start:end` is part of a sentence rather than a date line or dateline."""
    line_start = text.rfind("\n", 0, start) + 1
    return bool(_WORD_BEFORE.search(text, line_start, start) or _SENTENCE_AFTER.match(text, end))


def dates_an_earlier_event(text: str, iso: str) -> bool:
    """Whether a date in running text is shown to be an earlier event's than the article's own day: the
    text names a year at least `YEARS_AFTER` years later (a 1964 report quoted in a 2012 column)."""
    year = int(iso[:4])
    return any(int(found) >= year + YEARS_AFTER for found in _YEAR.findall(text))
