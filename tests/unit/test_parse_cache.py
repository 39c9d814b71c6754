"""The parse cache (`nlp.parse_cache`): a cached parse is the parse, another text or pipeline misses, a
damaged entry is parsed again with a warning, and `analyze --parse-cache` stores the same rows."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from spacy.attrs import IDS

from newstrace.nlp import load_pipeline
from newstrace.nlp.parse_cache import ENTRY_SUFFIX, ParseCache, parse
from newstrace.store import SQLiteStore

from ..conftest import CORPUS, run_analyze

TEXTS = (
    "Mayor Ilse Brandt said on Tuesday that the bridge would reopen in May.\n\nThe council disagreed.",
    '"We will not pay," the union\'s leader told reporters in Corvale.',
)
ATTRIBUTES = [IDS[name] for name in ("ORTH", "SPACY", "NORM", "TAG", "POS", "MORPH", "LEMMA", "HEAD", "DEP")]
ATTRIBUTES += [IDS[name] for name in ("ENT_IOB", "ENT_TYPE", "SENT_START")]


class CountingPipeline:
    """A real pipeline that counts the texts it is asked to parse, under another `meta` if given."""

    def __init__(self, nlp: Any, meta: dict[str, Any] | None = None) -> None:
        self.nlp = nlp
        self.meta = meta if meta is not None else nlp.meta
        self.parsed: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.nlp, name)

    def pipe(self, texts: Iterable[str], **options: Any) -> Iterator[Any]:
        texts = list(texts)
        self.parsed.extend(texts)
        return iter(self.nlp.pipe(texts, **options))


def _same_parse(one: Any, other: Any) -> bool:
    return (
        one.text == other.text
        and (one.to_array(ATTRIBUTES) == other.to_array(ATTRIBUTES)).all()
        and [(sent.start, sent.end) for sent in one.sents] == [(sent.start, sent.end) for sent in other.sents]
        and [(ent.start, ent.end, ent.label_) for ent in one.ents]
        == [(ent.start, ent.end, ent.label_) for ent in other.ents]
    )


def test_a_cached_parse_is_read_back_equal_and_the_pipeline_is_not_run_again(tmp_path: Path) -> None:
    pipeline = CountingPipeline(load_pipeline())
    cache = ParseCache(tmp_path, pipeline)
    first = list(parse(pipeline, TEXTS, cache))
    assert pipeline.parsed == list(TEXTS)
    again = list(parse(pipeline, TEXTS, cache))
    assert pipeline.parsed == list(TEXTS), "the second pass parsed again"
    assert all(_same_parse(one, other) for one, other in zip(first, again, strict=True))
    assert all(_same_parse(parsed, fresh) for parsed, fresh in zip(again, load_pipeline().pipe(TEXTS), strict=True))


def test_another_text_or_another_pipeline_version_misses(tmp_path: Path) -> None:
    nlp = load_pipeline()
    list(parse(nlp, TEXTS, ParseCache(tmp_path, nlp)))
    assert ParseCache(tmp_path, nlp).get(TEXTS[0]) is not None
    assert ParseCache(tmp_path, nlp).get(TEXTS[0] + " ") is None
    newer = CountingPipeline(nlp, meta={**nlp.meta, "version": nlp.meta["version"] + ".post1"})
    assert ParseCache(tmp_path, newer).get(TEXTS[0]) is None
    list(parse(newer, TEXTS[:1], ParseCache(tmp_path, newer)))
    assert newer.parsed == [TEXTS[0]]
    assert len(list(tmp_path.iterdir())) == 2, "each pipeline keeps its parses in a folder of its own"


@pytest.mark.parametrize("damage", ["torn", "garbage", "another text"])
def test_a_damaged_entry_is_parsed_again_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: str
) -> None:
    pipeline = CountingPipeline(load_pipeline())
    cache = ParseCache(tmp_path, pipeline)
    list(parse(pipeline, TEXTS, cache))
    entry = cache.path(TEXTS[0])
    if damage == "torn":
        entry.write_bytes(entry.read_bytes()[: entry.stat().st_size // 2])
    elif damage == "garbage":
        entry.write_bytes(b"\x00not a DocBin")
    else:
        entry.write_bytes(cache.path(TEXTS[1]).read_bytes())
    with caplog.at_level(logging.WARNING, logger="newstrace.nlp.parse_cache"):
        [doc] = parse(pipeline, TEXTS[:1], cache)
    assert doc.text == TEXTS[0] and pipeline.parsed[-1] == TEXTS[0]
    assert str(entry) in caplog.text and "parsing the text again" in caplog.text
    assert cache.get(TEXTS[0]) is not None, "the entry is written again"
    assert not [path for path in entry.parent.iterdir() if not path.name.endswith(ENTRY_SUFFIX)], "a temporary left"


def test_analyze_with_a_parse_cache_stores_the_same_rows_and_reads_it_the_second_time(tmp_path: Path) -> None:
    inputs = CORPUS / "text"
    plain, filling, reading = (SQLiteStore(tmp_path / f"{name}.db") for name in ("plain", "filling", "reading"))
    run_analyze(plain, inputs, workers=1)
    run_analyze(filling, inputs, workers=2, batch_size=3, parse_cache=str(tmp_path / "parses"))
    entries = sorted((tmp_path / "parses").rglob(f"*{ENTRY_SUFFIX}"))
    assert len(entries) == len(list(inputs.glob("*.txt")))
    stamps = [entry.stat().st_mtime_ns for entry in entries]
    run_analyze(reading, inputs, workers=1, parse_cache=str(tmp_path / "parses"))
    assert [entry.stat().st_mtime_ns for entry in entries] == stamps, "an entry was parsed and written again"
    for table in ("articles", "entities", "sentences", "quotes"):
        rows = list(plain.iter_rows(table))
        assert rows and rows == list(filling.iter_rows(table)) == list(reading.iter_rows(table)), table
