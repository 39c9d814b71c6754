"""The versioned document-level stages that run on spaCy `Doc`s, and the function workers call.

Each `DocStage` turns the `Doc` of one chunk of an article into rows for the tables it owns. Raising a
stage's `version` makes the next `analyze` run redo that stage on every stored article. Very long
articles are cut into chunks at paragraph breaks, so memory stays bounded whatever the article size.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from newstrace.nlp.events import EVENTS_STAGE_VERSION, extract_event_mentions
from newstrace.nlp.multilingual import analyse_other_language, supports
from newstrace.nlp.parse_cache import ParseCache, parse
from newstrace.nlp.quotes import FoundQuote, extract_quotes
from newstrace.nlp.spans import document_text, remember_text
from newstrace.records import AnalysisRequest, Entity, Quote, Sentence, StageOutput

DEFAULT_CHUNK_CHARS = 100_000

Rows = dict[str, list[object]]


@dataclass(frozen=True)
class DocStage:
    """A named, versioned analysis of one `Doc`; `extract(doc, article_id, offset)` returns its rows."""

    name: str
    version: int
    tables: tuple[str, ...]
    extract: Callable[[Any, str, int], Rows]


def _sentences_and_entities(doc: Any, article_id: str, offset: int) -> Rows:
    sentences: list[object] = [
        Sentence(article_id, offset + sent.start_char, offset + sent.end_char) for sent in doc.sents
    ]
    entities: list[object] = [
        Entity(article_id, ent.label_, ent.text, offset + ent.start_char, offset + ent.end_char)
        for ent in doc.ents
        if "\n" not in ent.text  # a name across a line break is a misreading, often of a masked dateline
    ]
    return {"sentences": sentences, "entities": entities}


def _quotes(doc: Any, article_id: str, offset: int) -> Rows:
    return {"quotes": quote_rows(extract_quotes(doc), document_text(doc), article_id, offset)}


def quote_rows(found_quotes: Sequence[FoundQuote], text: str, article_id: str, offset: int) -> list[object]:
    """The `Quote` records of the attributions found in one chunk of an article."""
    rows: list[object] = []
    for found in found_quotes:
        source = found.source
        rows.append(
            Quote(
                id=f"{article_id}-{offset + found.cue.start}",
                article_id=article_id,
                kind=found.kind,
                source_text=text[source.start : source.end] if source else None,
                source_start=offset + source.start if source else None,
                source_end=offset + source.end if source else None,
                speaker=found.speaker,
                cue_text=text[found.cue.start : found.cue.end],
                cue_start=offset + found.cue.start,
                cue_end=offset + found.cue.end,
                content_text=text[found.content.start : found.content.end],
                content_start=offset + found.content.start,
                content_end=offset + found.content.end,
                confidence=found.confidence,
                content_fragments=tuple(
                    (offset + piece.start, offset + piece.end) for piece in found.content_fragments
                ),
            )
        )
    return rows


def _events(doc: Any, article_id: str, offset: int) -> Rows:
    return {"event_mentions": list(extract_event_mentions(doc, article_id, offset))}


# nlp 2: articles in ru, uk, de, fr, es, it and pl get sentences, names and quotes (`nlp.multilingual`)
# quotes 9: names without glued headline verbs, namesakes told apart by title, a singular party word no speaker
# quotes 10: `he`/`she` skip a person of the other known gender, sources keep their relative clause, names
# lose a lower-case article, a quoted title is no quotation, no name grows by words before its given name
# quotes 11: `it` never speaks for a person; a person named inside a plural source (`advisers to Holm`) does not speak
# quotes 12: an honorific and surname (`Mrs. Clinton`) is no person of the other gender (by the article's honorifics or
# the given name), and keeps its honorific when the article names nobody of that surname who fits; a title before
# `and` is not the next name's (`Mr. Obama and Hillary Clinton`)
# quotes 13: a relative pronoun (`which`, `who`, `that`) speaks for its antecedent or for nobody, never for the
# previous speaker as `he` does (`the alliance, which has declared`)
# quotes 15: a passive cue's agent speaks and the one addressed (`X was asked`) does not; an expletive `it` and a
# count (`Majorities of voters`) speak for nobody; one of a person's staff unnamed (`One Holm spokesman`) speaks for
# the person's campaign or team; `he`/`she` also know a person's gender by the pronouns after the person's mentions
# quotes 16: a title genders only the name right after it (`Mr. Dorn attacked Holm` genders no Holm); the bare
# surname counts for the article's one person of it; a middle name joins a name's forms (`Hillary Rodham Clinton`);
# a lone `Supporters` or `Aides` names nobody, and the person named as whose staff (`another Holm aide`) does not speak
# quotes 17: `he`/`she` go past a last speaker of unknown gender to a person of theirs named since, and past the last
# speaker only to a person of theirs named shortly before (else nobody); more gender evidence (a possessive `her`, a
# pronoun past a name of the other gender, `Mrs.` by elimination, `widow`); a document speaks for its one issuer
# (quotes27, same version) contents of punctuation or function words alone are found again or dropped, and a cue in a
# headline-cased line needs a higher score (`trusted_quotes`)
DOC_STAGES: tuple[DocStage, ...] = (
    DocStage("nlp", 2, ("sentences", "entities"), _sentences_and_entities),
    DocStage("quotes", 17, ("quotes",), _quotes),
    DocStage("events", EVENTS_STAGE_VERSION, ("event_mentions",), _events),
)


def stage_versions() -> dict[str, int]:
    """The current version of every document stage, to compare with what the store has done."""
    return {stage.name: stage.version for stage in DOC_STAGES}


def analyse_texts(
    nlp: Any,
    requests: Sequence[AnalysisRequest],
    batch_size: int = 32,
    chunk_chars: int = DEFAULT_CHUNK_CHARS,
    parse_cache: ParseCache | None = None,
) -> list[list[StageOutput]]:
    """Run every document stage over each request; the result lists line up with `requests`. With a
    `parse_cache`, a chunk parsed before is read back from it, and the others are added to it."""
    chunks: list[tuple[int, int, str]] = []  # (request index, offset, chunk text)
    skipped: dict[int, str] = {}
    other_language: list[int] = []
    for index, request in enumerate(requests):
        if request.language and request.language != nlp.lang:
            if supports(request.language):
                other_language.append(index)
            else:
                skipped[index] = f"skipped: language {request.language} is not the pipeline's ({nlp.lang})"
            continue
        text = mask_spans(request.text, request.header_spans)
        chunks.extend((index, offset, piece) for offset, piece in split_into_chunks(text, chunk_chars))
    rows: list[dict[str, Rows]] = [{stage.name: _empty_rows(stage) for stage in DOC_STAGES} for _ in requests]
    docs = parse(nlp, (piece for _, _, piece in chunks), parse_cache, batch_size=batch_size)
    for (index, offset, piece), doc in zip(chunks, docs, strict=True):
        remember_text(doc, piece)
        for stage in DOC_STAGES:
            for table, new_rows in stage.extract(doc, requests[index].article_id, offset).items():
                rows[index][stage.name][table].extend(new_rows)
    statuses: list[dict[str, str]] = [{} for _ in requests]
    for index in other_language:
        rows[index].update(_other_language_rows(requests[index], chunk_chars))
        statuses[index] = {"events": f"skipped: events are read in English only, not {requests[index].language}"}
    return [
        [
            StageOutput(
                stage.name,
                stage.version,
                rows[index][stage.name],
                statuses[index].get(stage.name, skipped.get(index, "done")),
            )
            for stage in DOC_STAGES
        ]
        for index in range(len(requests))
    ]


def _other_language_rows(request: AnalysisRequest, chunk_chars: int) -> dict[str, Rows]:
    """The `nlp` and `quotes` rows of an article in a language the multilingual path reads."""
    language = request.language or ""
    sentences: list[object] = []
    entities: list[object] = []
    quotes: list[object] = []
    text = mask_spans(request.text, request.header_spans)
    for offset, piece in split_into_chunks(text, chunk_chars):
        found = analyse_other_language(language, piece)
        sentences.extend(Sentence(request.article_id, offset + s.start, offset + s.end) for s in found.sentences)
        entities.extend(
            Entity(request.article_id, name.label, piece[name.start : name.end], offset + name.start, offset + name.end)
            for name in found.names
        )
        quotes.extend(quote_rows(found.quotes, piece, request.article_id, offset))
    return {"nlp": {"sentences": sentences, "entities": entities}, "quotes": {"quotes": quotes}}


def mask_spans(text: str, spans: tuple[tuple[int, int], ...]) -> str:
    """Replace datelines and headers with line breaks, so the parser skips them and offsets stay the same."""
    for start, end in spans:
        text = text[:start] + "\n" * (end - start) + text[end:]
    return text


def _empty_rows(stage: DocStage) -> Rows:
    return {table: [] for table in stage.tables}


def split_into_chunks(text: str, chunk_chars: int) -> list[tuple[int, str]]:
    """Cut `text` into pieces of at most `chunk_chars`, at paragraph breaks where possible.

    Returns (offset, piece) pairs whose pieces concatenate back to `text`.
    """
    if len(text) <= chunk_chars:
        return [(0, text)]
    pieces: list[tuple[int, str]] = []
    start = 0
    while start < len(text):
        end = min(start + chunk_chars, len(text))
        if end < len(text):
            end = _best_cut(text, start, end)
        pieces.append((start, text[start:end]))
        start = end
    return pieces


def _best_cut(text: str, start: int, end: int) -> int:
    """The latest paragraph break, else sentence end, else space, in the second half of the window."""
    floor = start + (end - start) // 2
    for separator in ("\n\n", "\n", ". ", " "):
        cut = text.rfind(separator, floor, end)
        if cut != -1:
            return cut + len(separator)
    return end
