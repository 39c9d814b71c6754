"""The versioned document-level stages that run on spaCy `Doc`s, and the function workers call.

Each `DocStage` turns the `Doc` of one chunk of an article into rows for the tables it owns. Raising a
stage's `version` makes the next `analyze` run redo that stage on every stored article. Very long
articles are cut into chunks at paragraph breaks, so memory stays bounded whatever the article size.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from newstrace.records import AnalysisRequest, Entity, Sentence, StageOutput

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
        Entity(article_id, ent.label_, ent.text, offset + ent.start_char, offset + ent.end_char) for ent in doc.ents
    ]
    return {"sentences": sentences, "entities": entities}


DOC_STAGES: tuple[DocStage, ...] = (DocStage("nlp", 1, ("sentences", "entities"), _sentences_and_entities),)


def stage_versions() -> dict[str, int]:
    """The current version of every document stage, to compare with what the store has done."""
    return {stage.name: stage.version for stage in DOC_STAGES}


def analyse_texts(
    nlp: Any, requests: Sequence[AnalysisRequest], batch_size: int = 32, chunk_chars: int = DEFAULT_CHUNK_CHARS
) -> list[list[StageOutput]]:
    """Run every document stage over each request; the result lists line up with `requests`."""
    chunks: list[tuple[int, int, str]] = []  # (request index, offset, chunk text)
    skipped: dict[int, str] = {}
    for index, request in enumerate(requests):
        if request.language and request.language != nlp.lang:
            skipped[index] = f"skipped: language {request.language} is not the pipeline's ({nlp.lang})"
            continue
        chunks.extend((index, offset, piece) for offset, piece in split_into_chunks(request.text, chunk_chars))
    rows: list[dict[str, Rows]] = [{stage.name: _empty_rows(stage) for stage in DOC_STAGES} for _ in requests]
    docs = nlp.pipe((piece for _, _, piece in chunks), batch_size=batch_size)
    for (index, offset, _), doc in zip(chunks, docs, strict=True):
        for stage in DOC_STAGES:
            for table, new_rows in stage.extract(doc, requests[index].article_id, offset).items():
                rows[index][stage.name][table].extend(new_rows)
    return [
        [
            StageOutput(stage.name, stage.version, rows[index][stage.name], skipped.get(index, "done"))
            for stage in DOC_STAGES
        ]
        for index in range(len(requests))
    ]


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
