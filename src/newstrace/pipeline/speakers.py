"""Speakers across the database: the automatic resolution (`link.speakers`) with the user's corrections
(`newstrace speakers merge|split|rename`) applied on top, stored in one transaction."""

from __future__ import annotations

from newstrace.link.speakers import apply_corrections, link_speakers
from newstrace.store.base import Store


def link_stored_speakers(store: Store) -> int:
    """Link every stored quote's speaker, apply the corrections, store the result; return the speakers."""
    speakers, canonical = link_speakers(store.speaker_mentions())
    speakers, canonical = apply_corrections(speakers, canonical, store.speaker_corrections())
    used = set(canonical.values())
    speakers = [speaker for speaker in speakers if speaker.name in used]
    store.save_speakers(speakers, canonical)
    return len(speakers)
