"""`trails`: put every quote not yet in an utterance into one, and describe the touched utterances.

Runs at the end of `analyze`, after speakers are linked. The utterances already stored are loaded
with their renderings; new quotes are grouped in article date order (`link.trails`); then every
utterance that gained a rendering gets its canonical text, first appearance, and each rendering's diff,
fidelity and flags recomputed, and is written in one transaction. A quote already in an utterance is
not moved, so a re-run changes nothing; but when an utterance lost a rendering (a new quotes version
dropped the quote), its other quotes are grouped again, so nothing computed from the lost one survives.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from newstrace.link.trails import (
    QuoteInput,
    TrailGrouper,
    TrailSettings,
    Utterance,
    canonical_rendering,
    describe,
    prefetch_translations,
    rendering_age,
    same_passage_repeats,
)
from newstrace.store.base import Store


@dataclass
class TrailSummary:
    quotes: int = 0
    utterances_opened: int = 0
    utterances_updated: int = 0

    def to_dict(self) -> dict[str, int]:
        return {
            "quotes_grouped": self.quotes,
            "utterances_opened": self.utterances_opened,
            "utterances_updated": self.utterances_updated,
        }


def build_trails(store: Store, settings: TrailSettings | None = None) -> TrailSummary:
    """Group the quotes that are in no utterance yet (and those of utterances that lost a rendering), and
    store what changed."""
    intact, regroup = _stored_utterances(store)
    grouper = TrailGrouper(settings, intact)
    known = set(grouper.utterances)
    summary = TrailSummary()
    ungrouped = [_quote(row) for row in store.trail_quotes(grouped=False)]
    prefetch_translations(grouper, ungrouped + regroup)  # one embedding call, not one per quote
    for quote in sorted(ungrouped + regroup, key=rendering_age):
        grouper.add(quote)
        summary.quotes += 1
    changed = [grouper.utterances[utterance_id] for utterance_id in sorted(grouper.changed)]
    summary.utterances_opened = sum(1 for utterance in changed if utterance.id not in known)
    summary.utterances_updated = len(changed) - summary.utterances_opened
    utterances, renderings = [], []
    for utterance in changed:
        row, rendering_rows = _describe(utterance)
        utterances.append(row)
        renderings += rendering_rows
    store.save_trails(utterances, renderings)
    return summary


def _stored_utterances(store: Store) -> tuple[list[Utterance], list[QuoteInput]]:
    """The stored utterances that still hold every rendering they were described with, and the quotes of
    those that lost one (a new quotes version dropped it): those are grouped again, so no count, canonical
    text or flag computed with the lost quote survives, and no rendering stays joined through it."""
    grouped = _group_rows(store.trail_quotes(grouped=True))
    stored = {str(row["id"]): row for row in store.utterances_by_id(sorted(grouped))}
    intact: list[Utterance] = []
    regroup: list[QuoteInput] = []
    for utterance_id in sorted(grouped):
        utterance, row = grouped[utterance_id], stored.get(utterance_id)
        renderings = {rendering.quote_id for rendering in utterance.renderings}
        if row and row["n_renderings"] == len(renderings) and row["canonical_quote_id"] in renderings:
            intact.append(utterance)
        else:
            regroup += utterance.renderings
    return intact, regroup


def _group_rows(rows: list[dict[str, object]]) -> dict[str, Utterance]:
    grouped: dict[str, Utterance] = {}
    for row in rows:
        utterance_id = str(row["utterance_id"])
        quote = _quote(row)
        if utterance_id not in grouped:
            recurs = str(row["recurs_from"]) if row["recurs_from"] else None
            grouped[utterance_id] = Utterance(utterance_id, quote.speaker_id, quote.speaker, recurs_from=recurs)
        utterance = grouped[utterance_id]
        utterance.renderings.append(quote)
        if utterance.speaker_id is None and quote.speaker_id is not None:
            utterance.speaker_id, utterance.speaker = quote.speaker_id, quote.speaker
    return grouped


def _quote(row: dict[str, object]) -> QuoteInput:
    published = date.fromisoformat(str(row["published"])) if row["published"] else None
    speaker_id = int(str(row["speaker_id"])) if row["speaker_id"] is not None else None
    return QuoteInput(
        str(row["quote_id"]),
        str(row["article_id"]),
        str(row["outlet"]) if row["outlet"] else None,
        published,
        speaker_id,
        str(row["speaker"]) if row["speaker"] else None,
        str(row["kind"]),
        _content(row),
        str(row["story_id"]) if row.get("story_id") else None,
        _span(row),
        str(row["duplicate_of"]) if row.get("duplicate_of") else None,
        str(row["language"]) if row.get("language") else None,
    )


def _span(row: dict[str, object]) -> tuple[int, int] | None:
    pieces = json.loads(str(row.get("content_fragments") or "[]"))
    return (min(start for start, _ in pieces), max(end for _, end in pieces)) if pieces else None


def _content(row: dict[str, object]) -> str:
    """The quote's words: its content pieces joined in text order (`"A," she said, "B."` renders `A B`,
    as another outlet quoting it in one piece would), or its one content span."""
    text = row.get("article_text")
    if not text:
        return str(row["content_text"])
    pieces = sorted(json.loads(str(row["content_fragments"])))
    return " ".join(str(text)[start:end].strip() for start, end in pieces)


def _describe(utterance: Utterance) -> tuple[dict[str, object], list[dict[str, object]]]:
    canonical = canonical_rendering(utterance)
    repeats = same_passage_repeats(utterance, canonical)
    first = min(utterance.renderings, key=rendering_age)
    outlets = {rendering.outlet for rendering in utterance.renderings if rendering.outlet}
    row: dict[str, object] = {
        "id": utterance.id,
        "speaker_id": utterance.speaker_id,
        "speaker": utterance.speaker,
        "canonical_quote_id": canonical.quote_id,
        "canonical_text": canonical.content,
        "first_article_id": first.article_id,
        "first_seen": first.published.isoformat() if first.published else None,
        "first_outlet": first.outlet,
        "n_renderings": len(utterance.renderings),
        "n_outlets": len(outlets),
        "recurs_from": utterance.recurs_from,
    }
    renderings: list[dict[str, object]] = []
    for rendering in utterance.renderings:
        report = describe(rendering, canonical, utterance, repeats=repeats)
        renderings.append(
            {
                "quote_id": rendering.quote_id,
                "utterance_id": utterance.id,
                "article_id": rendering.article_id,
                "outlet": rendering.outlet,
                "fidelity": report.fidelity,
                "diff": json.dumps(report.diff, ensure_ascii=False),
                "flags": json.dumps(list(report.flags)),
            }
        )
    return row, renderings
