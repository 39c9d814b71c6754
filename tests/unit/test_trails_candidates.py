"""Trails judge only the candidates that may match (issue 19, item 6): the quote's speaker's utterances,
those of its story, and another speaker's only when a long quote has about as many words. Narrowing them
must change no grouping. Every quote here is fictional."""

from __future__ import annotations

import random
from collections.abc import Set as AbstractSet
from dataclasses import replace
from datetime import date

from newstrace.link.trails import (
    QuoteInput,
    TrailGrouper,
    Utterance,
    canonical_rendering,
    content_keys,
    describe,
    prefetch_translations,
)

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
    """The grouping as it was before the narrowing: every utterance listed is judged in full."""

    def _candidates(self, quote: QuoteInput, keys: set[str]) -> list[Utterance]:
        found: dict[str, None] = dict.fromkeys(reversed(self._speaker_listed(quote)))
        for key in sorted(keys):
            found.update(dict.fromkeys(reversed(self._key_listed(quote, key))))
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
    # As build_trails does: the translations' embeddings in one batch, not one model call per quote.
    prefetch_translations(grouper, quotes)
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
    assert [utterance.id for utterance in grouper._candidates(same_story, {"harbou", "toll"})] == ["u_2025-03-01_q1"]


class _ScoresEveryCandidate(_JudgesEveryCandidate):
    """The straightforward reference: every utterance found is scored in full, no bound rules one out."""

    def _within_bounds(self, quote: QuoteInput, keys: AbstractSet[str], candidates: list[Utterance]) -> list[Utterance]:
        return candidates

    def _may_match(self, quote: QuoteInput, keys: AbstractSet[str], utterance: Utterance) -> bool:
        return True


def _fictional_retellings(seed: int, count: int) -> list[QuoteInput]:
    """Fictional quotes, many retelling an earlier one: a run of its words (a fragment), its words in two
    sentences, or its words with one swapped, by its speaker, another or none, in its story or another."""
    rng = random.Random(seed)
    quotes = _fictional_quotes(seed, count)
    for number in range(1, count):
        if rng.random() < 0.5:
            source = quotes[rng.randrange(number)]
            said = source.content.strip("“”").split()
            start = rng.randrange(len(said))
            run = said[start : start + rng.randint(1, len(said))]
            variant = rng.choice(["run", "sentences", "swap"])
            if variant == "sentences" and len(said) > 3:
                run = [*said[: len(said) // 2], ".", said[len(said) // 2].capitalize(), *said[len(said) // 2 + 1 :]]
            elif variant == "swap":
                run = [*said[:-1], rng.choice(VOCABULARY)]
            text = " ".join(run).replace(" .", ".")
            quote = quotes[number]
            quotes[number] = replace(
                quote,
                speaker_id=rng.choice([source.speaker_id, source.speaker_id, quote.speaker_id]),
                content=f"“{text}”" if quote.kind == "direct" else text,
                story_id=rng.choice([source.story_id, quote.story_id]),
                article_id=rng.choice([source.article_id, quote.article_id]),
                span=rng.choice([None, (number, number + 5)]),
            )
    return quotes


def test_the_exact_bounds_change_no_grouping_against_scoring_every_candidate() -> None:
    for seed in (4, 5, 6, 7):
        quotes = _fictional_retellings(seed, 250)
        bounded = _grouped(TrailGrouper(), quotes)
        assert len(bounded) < len(quotes) - 20  # many quotes joined: there is something to agree on
        assert bounded == _grouped(_ScoresEveryCandidate(), quotes), f"seed {seed}"


def test_another_speakers_long_quote_is_judged_only_against_near_identical_texts() -> None:
    grouper = TrailGrouper()
    common = "harbour tolls rise spring shipping"  # fictional: many of one speaker's statements share these
    for number, extra in enumerate(["ferry routes bridge", "budget council winter", "storms fishing quotas"]):
        said = f"“{common.split()[number]} {extra} grain ports cranes”"
        grouper.add(QuoteInput(f"q{number}", f"a{number}", "outlet", date(2025, 3, 1), 1, "Ada", "direct", said, "s1"))
    near = "“tariffs exports dockers strike wages pension”"
    grouper.add(QuoteInput("q9", "a9", "outlet", date(2025, 3, 1), 1, "Ada", "direct", near, "s1"))
    retold = QuoteInput("q10", "a10", "outlet", date(2025, 3, 2), 2, "Bo", "direct", near, "s2")
    candidates = grouper._candidates(retold, content_keys(retold.content) | {"grain"})
    assert [utterance.id for utterance in candidates] == ["u_2025-03-01_q9"]
