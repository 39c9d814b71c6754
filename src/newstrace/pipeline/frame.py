"""`frame`: find framing markers in every article the current lexicon has not seen.

It runs at the end of `analyze` (after speakers are linked, so attribution markers name the speaker
across articles) and on its own as `newstrace frame`. The stage's version joins its number and the
lexicon's digest (`pipeline.stages`): editing the lexicon makes the next run frame every article again,
and a re-run with the same lexicon changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from newstrace.framing.lexicon import Lexicon, load_lexicon
from newstrace.framing.markers import MarkerMention, QuoteCue, attribution_markers, find_markers
from newstrace.pipeline.stages import record
from newstrace.store.base import FramingInput, FramingRow, PipelineStore

BATCH_SIZE = 200


@dataclass
class FramingSummary:
    articles: int = 0
    markers: int = 0

    def to_dict(self) -> dict[str, int]:
        return {"articles_framed": self.articles, "markers": self.markers}


def frame_articles(store: PipelineStore, lexicon: Lexicon | None = None) -> FramingSummary:
    """Find the markers of every article not yet framed with this lexicon, and store them."""
    lexicon = lexicon or load_lexicon()
    done = record("framing", lexicon.digest)
    summary = FramingSummary()
    for batch in _batches(store.articles_to_frame(done.version), BATCH_SIZE):
        rows = [(item.article_id, [_row(mention) for mention in article_markers(item, lexicon)]) for item in batch]
        store.save_framing(rows, done)
        summary.articles += len(rows)
        summary.markers += sum(len(markers) for _, markers in rows)
    return summary


def article_markers(item: FramingInput, lexicon: Lexicon) -> list[MarkerMention]:
    quotes = [QuoteCue(*quote) for quote in item.quotes]
    return find_markers(item.text, lexicon, item.language) + attribution_markers(quotes, lexicon, item.language)


def _row(mention: MarkerMention) -> FramingRow:
    return FramingRow(
        mention.marker, mention.referent, mention.category, mention.text, mention.start, mention.end, mention.quote_id
    )


def _batches(items: Iterable[FramingInput], size: int) -> Iterator[list[FramingInput]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
