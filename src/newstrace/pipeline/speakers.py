"""Speakers across the database: the automatic resolution (`link.speakers`) with the user's corrections
(`newstrace speakers merge|split|rename`) applied on top, stored in one transaction.

The resolution of a name depends only on the mentions of the names that share its resolution key (its
loosened surname, `link.speakers.name_key`) and on the corrections tying keys together. So a run that
takes in new articles re-resolves only those keys: the keys of the names the new articles' quotes give,
closed under the corrections, with every stored mention of every name of those keys (found through the
`speaker_names` table the stage keeps), and writes those names' speakers and quotes alone. The result is
the one a resolution of the whole corpus gives. The whole corpus is resolved again only when the stage
is outdated (a new version, or an upstream stage redid an article, whose old names are gone) or its
names were never kept (a database resolved before `speaker_names` existed).
"""

from __future__ import annotations

from dataclasses import replace

from newstrace.link.speakers import (
    apply_corrections,
    corrections_within,
    keys_to_resolve,
    link_speakers,
    name_key,
)
from newstrace.pipeline.stages import pending_or_reset, record
from newstrace.records import Speaker, SpeakerCorrection
from newstrace.store.base import PipelineStore, StageRecord


def resolve_speakers(store: PipelineStore) -> int:
    """The speakers stage: take in the articles it has not taken in, re-resolving the names they touch
    (or every name, when its runs were outdated); return how many articles were new to it (0: nothing
    was pending, nothing was done)."""
    done = record("speakers")
    forgotten: list[bool] = []

    def forget() -> None:
        store.forget_stage("speakers")
        forgotten.append(True)

    pending = pending_or_reset(store, done, forget)
    if not pending:
        return 0
    done = replace(done, article_ids=tuple(pending))
    if forgotten or not take_in_speakers(store, store.speaker_names_of(pending), done):
        link_stored_speakers(store, done)
    return len(pending)


def correct_speakers(store: PipelineStore, correction: SpeakerCorrection) -> None:
    """After the user stored a `correction`: re-resolve the keys it ties together (the whole corpus when
    the stage is outdated or kept no names). Articles the stage has not taken in wait for its next run."""
    keys = {name_key(correction.name), name_key(correction.target)}
    done = record("speakers")
    if store.stage_outdated(done.stage, done.version) or not take_in_speakers(store, [], keys=keys):
        link_stored_speakers(store)


def take_in_speakers(
    store: PipelineStore, names: list[str], done: StageRecord | None = None, keys: set[str] | None = None
) -> bool:
    """Re-resolve the keys of these new `names` and the other `keys` (with the keys the corrections tie
    to them) from every stored mention of those keys, and store the result with the run's record; False
    (nothing done) when the store kept no names to find those mentions by."""
    corrections = store.speaker_corrections()
    keys = keys_to_resolve({name_key(name) for name in names} | (keys or set()), corrections)
    known = store.speaker_names_keyed(sorted(keys))
    if known is None:
        return False
    touched = sorted(set(known) | set(names))
    speakers, canonical = link_speakers(store.speaker_mentions(touched) if touched else [])
    speakers, canonical = apply_corrections(speakers, canonical, corrections_within(keys, corrections))
    name_keys = [(name, name_key(name)) for name in sorted(set(names) - set(known))]
    store.save_speakers(_used(speakers, canonical), canonical, done, name_keys, whole=False)
    return True


def link_stored_speakers(store: PipelineStore, done: StageRecord | None = None) -> int:
    """Link every stored quote's speaker, apply the corrections, store the result (with the run's
    record, when the stage runs) and the names taken in; return the speakers."""
    speakers, canonical = link_speakers(store.speaker_mentions())
    speakers, canonical = apply_corrections(speakers, canonical, store.speaker_corrections())
    speakers = _used(speakers, canonical)
    store.save_speakers(speakers, canonical, done, [(name, name_key(name)) for name in sorted(canonical)])
    return len(speakers)


def _used(speakers: list[Speaker], canonical: dict[str, str]) -> list[Speaker]:
    """The speakers some name resolves to (a correction can leave one nobody names)."""
    used = set(canonical.values())
    return [speaker for speaker in speakers if speaker.name in used]
