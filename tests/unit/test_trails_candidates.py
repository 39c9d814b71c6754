"""Trails judge only the candidates that may match (issue 19, item 6): the quote's speaker's utterances,
those of its story, and another speaker's only when a long quote has about as many words. Narrowing them
must change no grouping. Every quote here is fictional."""

from __future__ import annotations

import random
from datetime import date

from newstrace.link.trails import QuoteInput, TrailGrouper, Utterance, canonical_rendering, describe

VOCABULARY = [
    "harbour",
    "tolls",
    "rise",
    "spring",
    "shipping",
    "firms",
    "prepare",
    "ferry",
    "routes",
    "bridge",
    "repairs",
    "budget",
    "council",
    "winter",
    "storms",
    "fishing",
    "quotas",
    "tariffs",
    "exports",
    "grain",
    "ports",
    "cranes",
    "dockers",
    "strike",
    "wages",
    "pension",
]


class _JudgesEveryCandidate(TrailGrouper):
    """The grouping as it was before the narrowing: every utterance found is judged in full."""

    def _candidates(self, quote: QuoteInput, keys: set[str]) -> list[Utterance]:
        found: dict[str, None] = {}
        if quote.speaker_id is not None:
            found.update(dict.fromkeys(reversed(self._by_speaker.get(quote.speaker_id, ()))))
        for key in sorted(keys):
            found.update(dict.fromkeys(reversed(self._by_key.get(key, ()))))
        return [self.utterances[utterance_id] for utterance_id in found]


def _fictional_quotes(seed: int, count: int) -> list[QuoteInput]:
    rng = random.Random(seed)
    quotes = []
    for number in range(count):
        kind = rng.choice(["direct", "direct", "partial", "indirect"])
        content = " ".join(rng.sample(VOCABULARY, rng.randint(2, 12)))
        speaker = rng.choice([1, 2, 3, 4, None])
        quotes.append(
            QuoteInput(
                f"q{number:03}",
                f"a{number % 40}",
                f"outlet{number % 5}",
                date(2025, 3, 1 + number % 25),
                speaker,
                f"Speaker {speaker}" if speaker else None,
                kind,
                f"“{content}”" if kind == "direct" else content,
                story_id=f"s{number % 7}" if number % 3 else None,
                language=rng.choice(["en"] * 9 + ["de"]),
            )
        )
    return quotes


def _grouped(grouper: TrailGrouper, quotes: list[QuoteInput]) -> dict[str, object]:
    for quote in quotes:
        grouper.add(quote)
    result: dict[str, object] = {}
    for utterance_id, utterance in sorted(grouper.utterances.items()):
        canonical = canonical_rendering(utterance)
        reports = [describe(rendering, canonical, utterance) for rendering in utterance.renderings]
        result[utterance_id] = (utterance.recurs_from, [(report.quote_id, report.flags) for report in reports])
    return result


def test_narrowing_the_candidates_changes_no_grouping() -> None:
    for seed in (1, 2, 3):
        quotes = _fictional_quotes(seed, 200)
        narrowed = _grouped(TrailGrouper(), quotes)
        assert len(narrowed) < len(quotes)  # some quotes joined: there is something to agree on
        assert narrowed == _grouped(_JudgesEveryCandidate(), quotes), f"seed {seed}"


def test_another_speakers_short_quote_in_another_story_is_not_judged() -> None:
    grouper = TrailGrouper()
    said = QuoteInput(
        "q1", "a1", "outlet", date(2025, 3, 1), 1, "Ada", "direct", "“harbour tolls rise in spring”", "s1"
    )
    grouper.add(said)
    other = QuoteInput("q2", "a2", "outlet", date(2025, 3, 2), 2, "Bo", "direct", "“harbour tolls rise”", "s2")
    same_story = QuoteInput("q3", "a3", "outlet", date(2025, 3, 2), None, None, "direct", "“harbour tolls”", "s1")
    assert grouper._candidates(other, {"harbou", "toll", "rise"}) == []
    assert [utterance.id for utterance in grouper._candidates(same_story, {"harbou", "toll"})] == ["u_q1"]
