"""Speakers across the database: the automatic resolution (`link.speakers`) with the user's corrections
(`newstrace speakers merge|split|rename`) applied on top, stored in one transaction.

The resolution weighs every stored mention against every other (a name's aliases and roles come from
all the articles that use it), so it cannot take in new articles alone: the stage runs only when
articles arrived since its last run (or it is outdated), and then resolves the whole corpus again.
"""

from __future__ import annotations

from dataclasses import replace

from newstrace.link.speakers import apply_corrections, link_speakers
from newstrace.pipeline.stages import pending_or_reset, record
from newstrace.store.base import PipelineStore, StageRecord


def resolve_speakers(store: PipelineStore) -> int:
    """The speakers stage: resolve them again when some article has not been taken in; return how many
    articles were new to it (0: nothing was pending, nothing was done)."""
    done = record("speakers")
    pending = pending_or_reset(store, done, lambda: store.forget_stage("speakers"))
    if pending:
        link_stored_speakers(store, replace(done, article_ids=tuple(pending)))
    return len(pending)


def link_stored_speakers(store: PipelineStore, done: StageRecord | None = None) -> int:
    """Link every stored quote's speaker, apply the corrections, store the result (with the run's
    record, when the stage runs); return the speakers."""
    speakers, canonical = link_speakers(store.speaker_mentions())
    speakers, canonical = apply_corrections(speakers, canonical, store.speaker_corrections())
    used = set(canonical.values())
    speakers = [speaker for speaker in speakers if speaker.name in used]
    store.save_speakers(speakers, canonical, done)
    return len(speakers)
