"""The trails of a long stream: speakers quoted every day for months, each statement retold days or weeks
later by other outlets (its words, or a cut of them), grouped in one run in date order as `build_trails`
groups them. How many retellings found their statement (a retelling that opens an utterance of its own
splits the trail), and the CPU seconds per quote, as the stream grows.

The statements are fictional: twelve words drawn from a small made-up vocabulary (`--words`), so that
every word is in many statements, as a campaign's are; no text of any corpus. One speaker makes `--busy`
statements a day, the others two.

    python benchmarks/trails_stream.py --days 40 --busy 30 --speakers 100 --words 150
"""

from __future__ import annotations

import argparse
import random
import string
import time
from datetime import date, timedelta

from newstrace.link.trails import QuoteInput, TrailGrouper, rendering_age


def vocabulary(size: int, rng: random.Random) -> list[str]:
    """Made-up words, distinct in their first six letters (a content key's length)."""
    words: dict[str, str] = {}
    while len(words) < size:
        word = "".join(rng.choice(string.ascii_lowercase) for _ in range(8))
        words.setdefault(word[:6], word)
    return list(words.values())


def stream(days: int, busy: int, speakers: int, size: int, seed: int) -> tuple[list[QuoteInput], dict[str, str]]:
    """The statements (speaker 1 makes `busy` a day, the others 2) and their retellings; each retelling's
    quote id -> the quote id of the statement it retells."""
    rng = random.Random(seed)
    words = vocabulary(size, rng)
    start = date(2025, 1, 1)
    quotes: list[QuoteInput] = []
    retells: dict[str, str] = {}
    for day in range(days):
        for speaker in range(1, speakers + 1):
            for number in range(busy if speaker == 1 else 2):
                said = rng.sample(words, 12)
                quote_id = f"s{day:04}-{speaker:03}-{number:03}"
                published = start + timedelta(days=day)
                quotes.append(_quote(quote_id, published, speaker, " ".join(said)))
                later = published + timedelta(days=rng.randint(1, 25))
                cut = said[rng.randint(0, 3) :][: rng.randint(6, 12)]
                retold = f"r{quote_id}"
                quotes.append(_quote(retold, later, speaker, " ".join(cut)))
                retells[retold] = quote_id
    return sorted(quotes, key=rendering_age), retells


def _quote(quote_id: str, published: date, speaker: int, words: str) -> QuoteInput:
    return QuoteInput(
        quote_id, f"a_{quote_id}", f"outlet {quote_id[-1]}", published, speaker, f"Speaker {speaker}", "direct",
        f"“{words.capitalize()}.”", f"story {quote_id}",
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=40)
    parser.add_argument("--busy", type=int, default=30, help="statements a day of the busiest speaker")
    parser.add_argument("--speakers", type=int, default=100)
    parser.add_argument("--words", type=int, default=150, help="the vocabulary's size")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    quotes, retells = stream(args.days, args.busy, args.speakers, args.words, args.seed)
    grouper = TrailGrouper()
    placed: dict[str, str] = {}
    started = time.process_time()
    for quote in quotes:
        placed[quote.quote_id] = grouper.add(quote).id
    spent = time.process_time() - started
    split = [retold for retold, said in retells.items() if placed[retold] != placed[said]]
    busy = [retold for retold in split if retold.split("-")[1] == "001"]
    print(
        f"{len(quotes)} quotes over {args.days} days ({len(retells)} retellings): {len(split)} split "
        f"({len(busy)} of the busiest speaker's), {len(grouper.utterances)} utterances; "
        f"CPU {spent:.2f} s, {spent / len(quotes) * 1e6:.0f} µs a quote"
    )


if __name__ == "__main__":
    main()
