"""What the web's event views show (issue 21): an actor's page (what it did, what was done to it, over
time) and a story's events as a who-did-what-to-whom timeline; each event with its reports, each report
with its sentence and the trigger, source, target and object highlighted. The HTML pages and their JSON
twins (`/api/actors/{code}`, `/api/stories/{id}` and its `events`) read the same functions.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta

from newstrace.events.records import EventReport
from newstrace.link.features import parse_date
from newstrace.records import as_json
from newstrace.serve import data
from newstrace.serve.data import PageNotFound, day_axis_range, segments
from newstrace.store import Store

# A story's timeline spans its reports' days and the events dated within this many days of them; an event
# dated further away (a date the text gave to something else, or long past) is listed under the chart
# instead of stretching it over years.
TIMELINE_MARGIN_DAYS = 31
MAX_EVENTS_SHOWN = 200  # an actor's latest events on its page; the counts cover them all
_ROLES = ("source", "trigger", "target", "object")


def actor(store: Store, code: str) -> dict[str, object]:
    """An actor (a country's or organisation's code) with the events it did and underwent, over time."""
    code = code.strip().upper()
    events = [as_json(event) for event in store.events_where(actor=code)]
    if not events:
        raise PageNotFound(f"no events with the actor {code!r}")
    did = [event for event in events if event["source_code"] == code]
    underwent = [event for event in events if event["target_code"] == code and event["source_code"] != code]
    shown = events[-MAX_EVENTS_SHOWN:]
    return {
        "actor": {"code": code, "name": _name_of(code, events), "n_did": len(did), "n_underwent": len(underwent)},
        "did": _counts(did),
        "underwent": _counts(underwent),
        "events": _with_reports(store, shown),
        "n_events": len(events),
        "chart": _over_time(did, underwent),
    }


def story_with_events(store: Store, story_id: str) -> dict[str, object]:
    """A story's page data (`data.story`) with its events."""
    return {**data.story(store, story_id), **story_events(store, story_id)}


def story_events(store: Store, story_id: str) -> dict[str, object]:
    """A story's events, earliest first, as a timeline of who did what to whom, with their reports."""
    events = _with_reports(store, [as_json(event) for event in store.events_where(story_id=story_id)])
    shown, outside = _within_reports_span(events)
    return {
        "events": events,
        "events_chart": {
            "kind": "timeline",
            "x": [_when(event) for event in shown],
            "y": [_row(event) for event in shown],
            "text": [_summary(event) for event in shown],
            "x_range": day_axis_range(_when(event) for event in shown),
        },
        "events_outside_chart": [
            {"id": event["id"], "date": _when(event), "row": _row(event), "summary": _summary(event)}
            for event in outside
        ],
    }


def _within_reports_span(events: list[dict[str, object]]) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """The events dated within TIMELINE_MARGIN_DAYS of the days they were reported (or undated), and the
    others; all of them when no event has a day it was reported."""
    reported = sorted(
        day for event in events for key in ("first_reported", "last_reported") if (day := _day_of(event.get(key)))
    )
    if not reported:
        return events, []
    margin = timedelta(days=TIMELINE_MARGIN_DAYS)
    earliest, latest = reported[0] - margin, reported[-1] + margin
    far = {event["id"] for event in events if (day := _day_of(event.get("date"))) and not earliest <= day <= latest}
    return [event for event in events if event["id"] not in far], [event for event in events if event["id"] in far]


def _day_of(value: object) -> date | None:
    return parse_date(str(value)) if value else None


def _row(event: dict[str, object]) -> str:
    """The event's row on a story's timeline: who → whom, or who alone for a domestic event (the reports
    name no recipient, and the actor's own country stands in: "UKR → UKR" read as a self-event); one
    "unnamed" when the reports name neither (not "unnamed → unnamed")."""
    source, target = _label(event, "source"), _label(event, "target")
    if event.get("domestic"):
        return f"{source} (domestic)"
    if source == target == NO_ACTOR:
        return NO_ACTOR
    return f"{source} → {target}"


def _name_of(code: str, events: list[dict[str, object]]) -> str:
    for event in events:
        for role in ("source", "target"):
            if event[f"{role}_code"] == code and event[f"{role}_name"]:
                return str(event[f"{role}_name"])
    return code


def _counts(events: list[dict[str, object]]) -> list[dict[str, object]]:
    """Events by type, most first."""
    counted = Counter(str(event["event_type"]) for event in events)
    return [{"event_type": name, "n": n} for name, n in sorted(counted.items(), key=lambda item: (-item[1], item[0]))]


def _over_time(did: list[dict[str, object]], underwent: list[dict[str, object]]) -> dict[str, object]:
    """Events per day it did and underwent, as the stacked bars of the attention chart."""
    traces = []
    for name, events in (("did", did), ("was done to it", underwent)):
        per_day = Counter(day for event in events if (day := _when(event)))
        days = sorted(per_day)
        traces.append({"name": name, "x": days, "y": [per_day[day] for day in days]})
    every_day = [day for trace in traces for day in trace["x"]]
    return {
        "kind": "attention", "bucket": "day", "traces": traces, "x_range": day_axis_range(every_day),
        "y_title": "events",
    }  # fmt: skip


def _when(event: dict[str, object]) -> str | None:
    """The event's date, else the day it was first reported."""
    value = event.get("date") or event.get("first_reported")
    return str(value) if value else None


NO_ACTOR = "unnamed"  # a timeline row's actor or recipient when the reports name none
LABEL_CHARS = 24  # an actor's words longer than this are cut at a word boundary on the timeline's rows


def _label(event: dict[str, object], role: str) -> str:
    """The actor's code, else its name, else its words in the reports (an actor no dictionary knows),
    those cut at a word boundary when long ("a radical Islamic terrorist" → "a radical Islamic…")."""
    return str(event[f"{role}_code"] or _cut(event[f"{role}_name"] or event.get(f"{role}_words")) or NO_ACTOR)


def _cut(words: object) -> str | None:
    """`words` whole when short, else up to the last word boundary within LABEL_CHARS, marked with "…"."""
    if not words:
        return None
    text = " ".join(str(words).split())
    if len(text) <= LABEL_CHARS:
        return text
    window = text[: LABEL_CHARS + 1]  # a word ending right at the limit is kept whole
    head = window.rsplit(" ", 1)[0] if " " in window else text[:LABEL_CHARS]  # one long word: cut it
    return head.rstrip(" ,;:") + "…"


def _words_of(reports: list[dict[str, object]], role: str) -> str | None:
    """The words the first report that names the `role` ("source", "target") names it with."""
    return next((str(words) for report in reports if (words := report.get(f"{role}_text"))), None)


def _summary(event: dict[str, object]) -> str:
    mode = f" ({event['auxiliary']})" if event["auxiliary"] else ""
    thing = f": {event['object_text']}" if event["object_text"] else ""
    reports = int(str(event["n_articles"]))
    told = f", first on {event['reported']}" if event.get("reported") else ""
    return f"{event['event_type']}{mode}{thing} · {reports} report{'' if reports == 1 else 's'}{told}"


def _reported_apart(event: dict[str, object]) -> str | None:
    """The day the event was first reported when its own date is another day ("on Monday", "last week"
    in a later article): a story's event may well predate the story's first article, and the page says
    whose date it shows."""
    own, first = _day_of(event.get("date")), _day_of(event.get("first_reported"))
    return first.isoformat() if own and first and own != first else None


def _with_reports(store: Store, events: list[dict[str, object]]) -> list[dict[str, object]]:
    """Each event with its outlets decoded and its reports, each report's sentence cut into highlighted
    segments (offsets relative to the sentence; `start` and `end` in each segment are the article's)."""
    mentions = store.mentions_of_events([str(event["id"]) for event in events])
    texts: dict[str, str] = {}
    reports: dict[str, list[dict[str, object]]] = {}
    for mention in mentions:
        article_id = mention.article_id
        if article_id not in texts:
            texts[article_id] = store.article_text(article_id) or ""
        reports.setdefault(str(mention.event_id), []).append(_report(mention, texts[article_id]))
    return [_with_its_reports(event, reports.get(str(event["id"]), [])) for event in events]


def _with_its_reports(event: dict[str, object], reports: list[dict[str, object]]) -> dict[str, object]:
    """The event with its outlets decoded, its reports, and the words the reports name its source and
    target with (shown where neither is a known actor)."""
    words = {f"{role}_words": _words_of(reports, role) for role in ("source", "target")}
    domestic = bool(event["target_code"]) and event["target_code"] == event["source_code"] and not words["target_words"]
    decoded = {**event, "outlets": json.loads(str(event["outlets"])), "reports": reports, **words, "domestic": domestic}
    return {**decoded, "reported": _reported_apart(event)}


def _report(mention: EventReport, text: str) -> dict[str, object]:
    start, end = mention.sentence_start, mention.sentence_end
    spans = []
    for role in _ROLES:
        first, last = getattr(mention, f"{role}_start"), getattr(mention, f"{role}_end")
        if isinstance(first, int) and isinstance(last, int) and start <= first < last <= end:
            spans.append((first - start, last - start, f"event-{role}"))
    pieces = [
        {**piece, "start": int(str(piece["start"])) + start, "end": int(str(piece["end"])) + start}
        for piece in segments(text[start:end], spans)
    ]
    keys = ("id", "article_id", "title", "outlet", "published", "trigger_text", "quote_id", "speaker_id", "date",
            "source_text", "target_text")  # fmt: skip
    return {**{key: getattr(mention, key) for key in keys}, "evidence": pieces}
