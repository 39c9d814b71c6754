"""Run every stage that is pending on the stored articles, in dependency order (`pipeline.stages`).

The document stages run earlier, while the articles are read (`pipeline.analyze`); this runs the stages
over stored rows after them. Each stage finds its own pending articles in `stage_runs` and records what
it finished in the transaction that writes it, so a run stopped half-way resumes where it stopped, and a
run with nothing pending writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from newstrace.events.grouping import group_events
from newstrace.framing.lexicon import Lexicon
from newstrace.pipeline.frame import frame_articles
from newstrace.pipeline.link import LinkListener, LinkSettings, link_articles
from newstrace.pipeline.speakers import resolve_speakers
from newstrace.pipeline.stages import in_order
from newstrace.pipeline.trails import build_trails
from newstrace.store.base import Store


@dataclass(frozen=True)
class StoredStageSettings:
    """What the stages over stored rows take: the link settings, the framing lexicon (None: the
    default), and the stages to leave for a later run (`analyze` without linking skips `link`)."""

    link: LinkSettings = field(default_factory=LinkSettings)
    lexicon: Lexicon | None = None
    skip: frozenset[str] = frozenset()


StageRunner = Callable[[Store, StoredStageSettings, LinkListener], Mapping[str, float]]

# How each stage over stored rows runs; a new stage adds its declaration (`pipeline.stages`) and a line here.
RUNNERS: dict[str, StageRunner] = {
    "speakers": lambda store, settings, listener: {"articles_resolved": resolve_speakers(store)},
    "link": lambda store, settings, listener: link_articles(store, settings.link, listener).to_dict(),
    "trails": lambda store, settings, listener: build_trails(store).to_dict(),
    "event_groups": lambda store, settings, listener: group_events(store).to_dict(),
    "framing": lambda store, settings, listener: frame_articles(store, settings.lexicon).to_dict(),
}


def run_stored_stages(
    store: Store, settings: StoredStageSettings, listener: LinkListener
) -> dict[str, Mapping[str, float]]:
    """Run each stage over stored rows, in dependency order; return each one's summary by name."""
    summaries: dict[str, Mapping[str, float]] = {}
    for declared in in_order():
        if declared.kind != "document" and declared.name not in settings.skip:
            summaries[declared.name] = RUNNERS[declared.name](store, settings, listener)
    return summaries
