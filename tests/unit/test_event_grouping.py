"""Grouping event mentions of one story into events (issue 21, item 3): which mentions are one occurrence.
The mentions here are fictional rows written for the test."""

from __future__ import annotations

from pathlib import Path

from newstrace.events.grouping import event_row, group_events, group_mentions, object_words
from newstrace.events.records import EventMention, MentionToGroup
from newstrace.link.speakers import link_speakers
from newstrace.records import Article, ArticleLink, LinkBatch, Quote, StageOutput, Story
from newstrace.store import open_store
from newstrace.store.base import StageRecord


def _mention(number: int, **values: object) -> MentionToGroup:
    base: dict[str, object] = {
        "id": f"m{number}", "article_id": f"a{number}", "event_type": "AID", "mode": None, "auxiliary": "future",
        "source_code": "FJI", "source_text": "Fiji", "target_code": "TON", "target_text": "Tonga",
        "object_text": "medical supplies", "date": None, "published": f"2024-07-1{number}",
        "outlet": f"Outlet {number}", "confidence": 0.9 - number / 10, "story_id": "story",
        "sentence_start": 0, "sentence_end": 40, "trigger_text": "send", "trigger_start": 5, "trigger_end": 9,
    }  # fmt: skip
    return MentionToGroup(**(base | values))


def _sizes(mentions: list[MentionToGroup]) -> list[list[str]]:
    return [[m.id for m in group] for group in group_mentions(mentions)]


def test_reports_of_the_same_shipment_are_one_event() -> None:
    mentions = [_mention(1), _mention(2, object_text="the supplies"), _mention(3, object_text=None)]
    assert _sizes(mentions) == [["m1", "m2", "m3"]]
    event = event_row("story", mentions)
    assert (event.n_mentions, event.n_articles, event.n_outlets, event.first_article_id) == (3, 3, 3, "a1")
    assert (event.first_reported, event.last_reported, event.confidence) == ("2024-07-11", "2024-07-13", 0.8)


def test_another_type_mode_actor_object_or_week_is_another_event() -> None:
    first = _mention(1, date="2024-07-01")
    others = [
        _mention(2, event_type="AGREE"),
        _mention(3, auxiliary=None),  # the delivery, not the pledge
        _mention(4, target_code="SAM"),
        _mention(5, object_text="two patrol boats"),
        _mention(6, date="2024-07-09"),
    ]
    assert _sizes([first, *others]) == [["m1"], ["m2"], ["m3"], ["m4"], ["m5"], ["m6"]]
    assert _sizes([first, _mention(2, date="2024-07-03")]) == [["m1", "m2"]]  # within the window


def test_mentions_naming_no_actor_are_never_merged() -> None:
    blank = {"source_code": None, "source_text": None, "target_code": None, "target_text": None}
    assert _sizes([_mention(1, **blank), _mention(2, **blank)]) == [["m1"], ["m2"]]
    we = {"source_code": None, "source_text": "we"}
    speakers = [
        _mention(1, **we, speaker_id=1, speaker_is_source=1),
        _mention(2, **we, speaker_id=2, speaker_is_source=1),
    ]
    assert _sizes(speakers) == [["m1"], ["m2"]]
    uncoded = {"source_code": None, "source_text": "The Rebels"}
    assert _sizes([_mention(1, **uncoded), _mention(2, source_code=None, source_text="the rebels")]) == [["m1", "m2"]]


def test_an_uncoded_actor_is_named_by_its_words() -> None:
    uncoded = {"source_code": None, "source_name": None, "source_text": "the rebels"}
    event = event_row("story", [_mention(1, **uncoded), _mention(2, **uncoded)])
    assert (event.source_code, event.source_name, event.target_code) == (None, "the rebels", "TON")


def test_the_event_date_is_the_one_most_mentions_give() -> None:
    mentions = [_mention(1, date="2024-07-02"), _mention(2, date="2024-07-01"), _mention(3, date="2024-07-01")]
    assert event_row("story", mentions).date == "2024-07-01"


def test_object_words_leave_out_articles_and_fillers() -> None:
    assert object_words("a new Patriot battery") == {"patriot", "battery"} and object_words(None) == set()
    assert object_words("humanitarian aid") == {"humanitarian"} and object_words("aid") == set()


def test_a_report_naming_one_actor_fewer_joins_the_one_event_that_names_both() -> None:
    headline = _mention(1, target_code=None, target_text=None, object_text="aid")
    body = [_mention(2), _mention(3, object_text="the medical supplies")]
    assert _sizes([headline, *body]) == [["m1", "m2", "m3"]]
    other = _mention(4, target_code="SAM", target_text="Samoa")
    assert _sizes([headline, _mention(2), other]) == [["m1"], ["m2"], ["m4"]]  # which one is unclear: left apart


def test_a_statement_in_a_quote_is_its_speakers_coded_through_the_speakers_country(tmp_path: Path) -> None:
    """ "We will send doctors to Tonga," said Fijian health minister Ana Vale (fictional): the "we" who send
    is the speaker, coded FJI through her phrase; Samoa, named inside the same quote, stays Samoa."""
    text = '"We will send doctors to Tonga and Samoa will help," said Fijian health minister Ana Vale.'
    store = open_store(str(tmp_path / "news.db"))
    article = Article(
        id="a1", text=text, source_format="text", path="a1.txt", url=None, title=None, published="2024-07-10",
        outlet="Harbour Wire", author=None, dateline=None, language="en", n_words=15, field_sources={},
        header_spans=((0, 0),),
    )  # fmt: skip
    phrase = "Fijian health minister Ana Vale"
    quote = Quote(
        id="q1", article_id="a1", kind="direct", source_text=phrase, source_start=text.index(phrase),
        source_end=len(text) - 1, speaker="Ana Vale", cue_text="said", cue_start=text.index("said"),
        cue_end=text.index("said") + 4, content_text=text[1:50], content_start=1, content_end=50, confidence=0.9,
        content_fragments=((1, 50),),
    )  # fmt: skip
    send, helps = text.index("send"), text.index("help")
    common = {"article_id": "a1", "mode": None, "auxiliary": "future", "confidence": 0.6, "sentence_start": 0}
    mentions = [
        EventMention(id="m1", event_type="AID", trigger_text="send", trigger_start=send, trigger_end=send + 4,
                     source_text="We", target_text="Tonga", target_code="TON", sentence_end=len(text), **common),
        EventMention(id="m2", event_type="AID", trigger_text="help", trigger_start=helps, trigger_end=helps + 4,
                     source_text="Samoa", source_code="WSM", sentence_end=len(text), **common),
    ]  # fmt: skip
    outputs = [StageOutput("quotes", 1, {"quotes": [quote]}), StageOutput("events", 1, {"event_mentions": mentions})]
    store.save_article(article, outputs, store.begin_run("test"))
    story = Story("st1", None, "2024-07-10", "2024-07-10", "{}")
    store.save_links(
        LinkBatch(articles=[ArticleLink("a1", "st1", None, None, b"1")], stories=[story]),
        StageRecord("link", "1", (), ("a1",)),
    )
    speakers, canonical = link_speakers(store.speaker_mentions())
    store.save_speakers(speakers, canonical)
    group_events(store)
    rows = {str(row["id"]): row for row in store.iter_rows("event_mentions")}
    assert (rows["m1"]["source_code"], rows["m1"]["quote_id"], rows["m1"]["speaker_is_source"]) == ("FJI", "q1", 1)
    assert (rows["m2"]["source_code"], rows["m2"]["quote_id"], rows["m2"]["speaker_is_source"]) == ("WSM", "q1", 0)
    assert rows["m1"]["speaker_id"] == rows["m2"]["speaker_id"] is not None
    assert rows["m1"]["source_text"] == "We"  # the words of the text stay as written
