"""Speakers across the database: the automatic resolution (`link.speakers`) with the user's corrections
(`newstrace speakers merge|split|rename`) applied on top, stored in one transaction.

The resolution of a name depends only on a few sums over its mentions (how often it is named, the
roles and the other names its sources give: `link.speakers.names_of_mentions`), on the sums of the names
that share its resolution key (its loosened surname, `link.speakers.name_key`) and on the corrections
tying keys together. The stage keeps those sums per name (`speaker_names`), so a run that takes in new
articles reads only their quotes, adds them to the sums of their names, resolves again the keys of those
names (closed under the corrections) from the kept sums, and writes only the new quotes, the quotes of
names whose speaker changed and the speakers of those keys. The result is the one a resolution of the
whole corpus gives. The whole corpus is resolved again only when the stage is outdated (a new version,
or an upstream stage redid an article, whose old quotes are gone) or kept no sums (a database resolved
before `speaker_names` existed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from newstrace.link.speakers import (
    apply_corrections,
    corrections_within,
    keys_to_resolve,
    link_names,
    name_key,
    names_of_mentions,
    with_more_mentions,
)
from newstrace.pipeline.stages import (
    downstream,
    pending_or_reset,
    record,
    stale_when_a_speaker_is_retold,
    stale_when_quotes_move,
)
from newstrace.records import Speaker, SpeakerCorrection, SpeakerName
from newstrace.store import StoreError
from newstrace.store.base import PipelineStore, StageRecord

_TRIES = 20  # resolutions of new articles in a row that another process's write may send back


def resolve_speakers(store: PipelineStore) -> int:
    """The speakers stage: take in the articles it has not taken in, re-resolving the names they touch
    (or every name, when its runs were outdated); return how many articles were new to it (0: nothing
    was pending, nothing was done)."""
    done = record("speakers")
    pending: list[str] = []
    forgotten: list[bool] = []

    def forget() -> None:
        store.forget_stage("speakers")
        forgotten.append(True)

    def in_part() -> bool | None:
        pending[:] = pending_or_reset(store, done, forget)
        if not pending:
            return True  # nothing to take in
        return None if forgotten else take_in_speakers(store, pending, replace(done, article_ids=tuple(pending)))

    _resolve_until_written(
        in_part,
        lambda: link_stored_speakers(store, replace(done, article_ids=tuple(pending))),
        lambda: f"the speakers of {len(pending)} new articles",
    )
    return len(pending)


def correct_speakers(store: PipelineStore, correction: SpeakerCorrection) -> None:
    """After the user stored a `correction`: re-resolve the keys it ties together (the whole corpus when
    the stage is outdated or kept no sums). Articles the stage has not taken in wait for its next run."""
    keys = {name_key(correction.name), name_key(correction.target)}
    done = record("speakers")
    outdated = store.stage_outdated(done.stage, done.version)
    _resolve_until_written(
        lambda: None if outdated else take_in_speakers(store, [], keys=keys),
        lambda: link_stored_speakers(store),
        lambda: f"the speakers of {correction.name!r}",
    )


def _resolve_until_written(
    in_part: Callable[[], bool | None], whole: Callable[[], object], resolving: Callable[[], str]
) -> None:
    """Resolve part of the corpus from the kept sums (`in_part`: True once written, None when it cannot:
    no sums kept, or the stage outdated) or else the whole corpus (`whole`); when another process changed
    the sums between the resolution's reads and its write (`in_part` False: nothing written), read and
    resolve again, up to `_TRIES` times. `resolving` names what was resolved, for the error."""
    for _ in range(_TRIES):
        written = in_part()
        if written is None:
            whole()
        if written is not False:
            return
    raise StoreError(f"{resolving()} were changed by another process {_TRIES} times")


def take_in_speakers(
    store: PipelineStore, article_ids: list[str], done: StageRecord | None = None, keys: set[str] | None = None
) -> bool | None:
    """Add the quotes of these articles to the kept sums of their names, re-resolve those names' keys and
    the other `keys` (with the keys the corrections tie to them) and store what changed, with the run's
    record. None (nothing done) when the store kept no sums; False when another process changed the sums
    read before they were written (nothing written: read and resolve again)."""
    corrections = store.speaker_corrections()
    new = names_of_mentions(store.speaker_mentions(article_ids)) if article_ids else {}
    keys = keys_to_resolve({name.key for name in new.values()} | (keys or set()), corrections)
    kept = store.speaker_names_keyed(sorted(keys))
    if kept is None:
        return None
    before = {name.name: name for name in kept}
    summed = dict(before)
    for name, more in new.items():
        summed[name] = with_more_mentions(summed[name], more) if name in summed else more
    speakers, canonical = link_names(summed.values())
    speakers, canonical = apply_corrections(speakers, canonical, corrections_within(keys, corrections))
    names = [replace(summed[name], speaker=canonical[name]) for name in sorted(summed)]
    moved = [name.name for name in names if name.name in before and before[name.name].speaker != name.speaker]
    changed = [name for name in names if before.get(name.name) != name]
    used = _used(speakers, canonical)
    return store.update_speakers(
        used,
        changed,
        moved,
        article_ids,
        done,
        (sorted(keys), kept),
        moved_stale=stale_when_quotes_move(),
        retold_stale=stale_when_a_speaker_is_retold(),
    )


def link_stored_speakers(store: PipelineStore, done: StageRecord | None = None) -> int:
    """Link every stored quote's speaker, apply the corrections and store the result. With the run's
    record (`done`), the sums of every name are kept, and the record takes in every pending article
    whose quotes were read (one another process stored since the pending ones were listed too); without,
    no sums are kept (the next run resolves the whole corpus), since quotes of articles not yet taken in
    were read. Either way the stages after the speakers become stale on the articles with a quote whose
    speaker changed (and only there: a new speakers version that changes nobody's speaker redoes nothing
    after it). Return the speakers."""
    mentions = store.article_speaker_mentions()
    summed = names_of_mentions((name, source) for _, name, source in mentions)
    speakers, canonical = link_names(summed.values())
    speakers, canonical = apply_corrections(speakers, canonical, store.speaker_corrections())
    speakers = _used(speakers, canonical)
    names: list[SpeakerName] = []
    if done:
        names = [replace(summed[name], speaker=canonical[name]) for name in sorted(summed)]
        read = {article_id for article_id, _, _ in mentions} - set(done.article_ids)
        if read:
            stored_since = read & set(store.pending_articles(done.stage, done.version))
            done = replace(done, article_ids=tuple(sorted(stored_since | set(done.article_ids))))
    # A whole resolution may point any quote at another speaker, or change the speaker a quote names: the
    # stages after it become stale on the articles with such a quote only, not on every article it read.
    recorded = replace(done, downstream=()) if done else None
    store.save_speakers(speakers, canonical, recorded, names, moved_stale=downstream("speakers"))
    return len(speakers)


def _used(speakers: list[Speaker], canonical: dict[str, str]) -> list[Speaker]:
    """The speakers some name resolves to (a correction can leave one nobody names)."""
    used = set(canonical.values())
    return [speaker for speaker in speakers if speaker.name in used]
