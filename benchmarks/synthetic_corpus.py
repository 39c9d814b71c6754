"""A synthetic newstrace database of any size, written straight into the store: no text is read and no
NLP runs. For load tests of the web app (benchmarks/serve_load.py) at sizes analysis could not reach
on a development machine.

Everything is invented: words are made of syllables, speakers and outlets are numbered. Proportions
are chosen to look like a multi-year news collection:

- 200 outlets of very unequal size (Zipf), each writing in one of 8 languages (English the most);
- articles spread over three years, grouped into stories: half the stories hold one article, the
  rest a few to a few dozen articles within days of each other, across outlets;
- each story has one to three claims (utterances) by speakers drawn from 50,000 (Zipf: a few are
  quoted constantly); each article quotes 0-4 of its story's claims, so a claim's renderings are
  spread over outlets and days; 3 % of renderings alter the words, 1 % change the speaker and a
  rendering in another language than the first is marked translated;
- article texts are about 120 words from a 20,000-word vocabulary (Zipf), shorter than real news
  (which keeps the file near 1 GB for a million articles);
- a framing marker (naming or attribution verb) for about half the articles.

Rows go in with `executemany`, 20,000 articles per transaction, foreign keys off during the load.
"""

from __future__ import annotations

import json
import random
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

OUTLETS = 200
SPEAKERS = 50_000
VOCABULARY = 20_000
LANGUAGES = (
    ("en", 0.55),
    ("de", 0.1),
    ("fr", 0.1),
    ("es", 0.08),
    ("ru", 0.06),
    ("uk", 0.05),
    ("it", 0.04),
    ("nl", 0.02),
)
FIRST_DAY = date(2023, 1, 1)
DAYS = 3 * 365
ARTICLE_WORDS = 120
BATCH_ARTICLES = 20_000
FLAGS = (("altered_direct_quote", 0.03), ("speaker_changed", 0.01))
NAMING = (("Kiev", "Kyiv"), ("Bombay", "Mumbai"), ("Burma", "Myanmar"))
VERBS = (("said", "neutral"), ("claimed", "distancing"), ("insisted", "distancing"), ("noted", "neutral"),
         ("confirmed", "endorsing"), ("alleged", "distancing"), ("told", "neutral"))  # fmt: skip
_SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "de", "ba", "po", "ze", "li", "ma", "ko", "ta")


def _zipf_weights(n: int, exponent: float = 1.0) -> list[float]:
    return list(accumulate(1 / (rank**exponent) for rank in range(1, n + 1)))


def word(rank: int) -> str:
    """The vocabulary's word of this frequency rank (0 the commonest)."""
    return _word(rank + 17)


def _word(number: int) -> str:
    syllables = []
    while True:
        syllables.append(_SYLLABLES[number % len(_SYLLABLES)])
        number //= len(_SYLLABLES)
        if number == 0:
            break
    return "".join(syllables) + ("n" if len(syllables) < 3 else "")


@dataclass
class _Claim:
    id: str
    speaker: int
    words: str
    first: tuple[str, str, str, str] | None = None  # quote id, article id, day, outlet
    renderings: list[tuple[str, str, str, str, list[str]]] = field(default_factory=list)
    languages: set[str] = field(default_factory=set)


_Story = tuple[dict[str, object], list[dict[str, object]], list[_Claim]]


class Generator:
    """Rows of every table, story by story, from one seeded random source."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.words = [word(rank) for rank in range(VOCABULARY)]
        self.word_weights = _zipf_weights(VOCABULARY)
        self.outlet_weights = _zipf_weights(OUTLETS, 0.8)
        self.speaker_weights = _zipf_weights(SPEAKERS, 0.9)
        languages = [name for name, _ in LANGUAGES]
        self.outlet_language = self.rng.choices(languages, [share for _, share in LANGUAGES], k=OUTLETS)
        names: dict[str, None] = {}
        while len(names) < SPEAKERS:
            names[f"{self._name()} {self._name()}"] = None
        self.speaker_names = list(names)

    def _name(self) -> str:
        return self.rng.choice(self.words[200:3000]).capitalize()

    def _phrase(self, n: int) -> str:
        return " ".join(self.rng.choices(self.words, cum_weights=self.word_weights, k=n))

    def stories(self, articles: int) -> Iterator[_Story]:
        """(story, its articles, its claims) until `articles` articles are made."""
        made = 0
        number = 0
        while made < articles:
            size = 1 if self.rng.random() < 0.5 else min(60, int(self.rng.paretovariate(1.1)) + 1)
            size = min(size, articles - made)
            number += 1
            yield self._story(number, size)
            made += size

    def _story(self, number: int, size: int) -> _Story:
        story_id = f"st_{number:016x}"
        start = FIRST_DAY + timedelta(days=self.rng.randrange(DAYS))
        title = self._phrase(7).capitalize()
        claims = [
            _Claim(f"u_{story_id}_{n}", self.rng.choices(range(SPEAKERS), cum_weights=self.speaker_weights)[0] + 1,
                   self._phrase(self.rng.randint(8, 20)))
            for n in range(self.rng.randint(1, 3))
        ]  # fmt: skip
        members: list[dict[str, object]] = []
        for position in range(size):
            day = start + timedelta(days=min(DAYS, int(self.rng.expovariate(0.5)))) if position else start
            first_outlet = int(str(members[0]["outlet_number"])) if members else None
            outlet = self._outlet(language=self.outlet_language[first_outlet] if first_outlet is not None else None)
            members.append(self._article(story_id, f"a{number:09d}{position:03d}", title, day, outlet, claims))
        dated = sorted(str(member["published"]) for member in members)
        story = {
            "id": story_id, "title": title, "first_seen": dated[0][:10], "last_seen": dated[-1][:10],
            "n_articles": size, "n_outlets": len({member["outlet"] for member in members}), "state": "{}",
        }  # fmt: skip
        return story, members, claims

    def _outlet(self, language: str | None) -> int:
        """Any outlet (Zipf); for a story's later articles, mostly one writing in its first one's language."""
        outlet = self.rng.choices(range(OUTLETS), cum_weights=self.outlet_weights)[0]
        while language and self.outlet_language[outlet] != language and self.rng.random() < 0.9:
            outlet = self.rng.choices(range(OUTLETS), cum_weights=self.outlet_weights)[0]
        return outlet

    def _article(
        self, story_id: str, article_id: str, title: str, day: date, outlet: int, claims: list[_Claim]
    ) -> dict[str, object]:
        language = self.outlet_language[outlet]
        outlet_name = f"outlet-{outlet:03d}.example"
        published = day.isoformat()  # newstrace stores ISO dates
        parts = [self._phrase(ARTICLE_WORDS // 2) + "."]
        quotes = []
        for claim in self.rng.sample(claims, self.rng.randint(0, len(claims))):
            words, flags = self._rendered(claim, language)
            speaker = claim.speaker if "speaker_changed" not in flags else claim.speaker % SPEAKERS + 1
            verb = self.rng.choice(VERBS)[0]
            lead = f"{self.speaker_names[speaker - 1]} {verb}: "
            start = sum(len(part) + 1 for part in parts)
            quote_id = f"{article_id}-{start}"
            quotes.append((quote_id, speaker, lead, verb, start, words, flags, claim))
            parts.append(f'{lead}"{words}".')
        parts.append(self._phrase(ARTICLE_WORDS // 2) + ".")
        if self.rng.random() < 0.2:
            old, new = self.rng.choice(NAMING)
            parts.append(f"{new if day.year > 2023 or self.rng.random() < 0.3 else old} {self._phrase(5)}.")
        return {
            "id": article_id, "outlet": outlet_name, "language": language, "published": published,
            "title": title, "story_id": story_id, "text": " ".join(parts), "quotes": quotes,
            "outlet_number": outlet,
        }  # fmt: skip

    def _rendered(self, claim: _Claim, language: str) -> tuple[str, list[str]]:
        flags = [name for name, share in FLAGS if self.rng.random() < share]
        if claim.languages and language not in claim.languages:
            flags.append("translated")
        claim.languages.add(language)
        words = claim.words
        if "altered_direct_quote" in flags:
            cut = words.split()
            cut[self.rng.randrange(len(cut))] = self.rng.choice(self.words[:500])
            words = " ".join(cut)
        return words, flags


def build(db: Path, articles: int, seed: int = 5) -> None:
    """Write a synthetic database of `articles` articles at `db` (which must not exist)."""
    from newstrace.store import SQLiteStore

    SQLiteStore(db).close()  # the schema, by the store's own migrations
    connection = sqlite3.connect(db, isolation_level=None)
    connection.execute("PRAGMA foreign_keys = OFF")
    connection.execute("PRAGMA synchronous = OFF")
    connection.execute("PRAGMA cache_size = -262144")
    generator = Generator(seed)
    connection.executemany(
        "INSERT INTO speakers(id, name, aliases, roles, kind) VALUES (?, ?, '[]', '[]', 'person')",
        list(enumerate(generator.speaker_names, start=1)),
    )
    started = time.perf_counter()
    pending: list[_Story] = []
    made = 0
    for story in generator.stories(articles):
        pending.append(story)
        made += len(story[1])
        if sum(len(members) for _, members, _ in pending) >= BATCH_ARTICLES:
            _write(connection, pending, generator)
            pending = []
            print(f"  {made:,} articles ({time.perf_counter() - started:.0f} s)", flush=True)
    _write(connection, pending, generator)
    connection.execute("PRAGMA optimize")
    connection.close()


def _write(connection: sqlite3.Connection, stories: list[_Story], generator: Generator) -> None:
    """Every row of these stories, in one transaction."""
    rows: dict[str, list[tuple[object, ...]]] = {name: [] for name in _INSERTS}
    for story, members, claims in stories:
        rows["stories"].append(tuple(story.values()))
        for article in sorted(members, key=lambda member: str(member["published"])):
            _article_rows(article, generator, rows)
        for claim in claims:
            _claim_rows(claim, generator, rows)
    connection.execute("BEGIN")
    for name, sql in _INSERTS.items():
        connection.executemany(sql, rows[name])
    connection.execute("COMMIT")


def _article_rows(article: dict[str, object], generator: Generator, rows: dict[str, list[tuple[object, ...]]]) -> None:
    text = str(article["text"])
    article_id = article["id"]
    rows["articles"].append((article_id, article["outlet"], article["title"], article["published"],
                             article["language"], len(text.split()), article["story_id"], text))  # fmt: skip
    quotes = article["quotes"]
    assert isinstance(quotes, list)
    for quote_id, speaker, lead, verb, start, words, flags, claim in quotes:
        name = generator.speaker_names[speaker - 1]
        cue_start = start + len(name) + 1
        content_start = start + len(lead) + 1
        content_end = content_start + len(words)
        rows["quotes"].append((quote_id, article_id, name, start, start + len(name), name, speaker, verb, cue_start,
                               cue_start + len(verb), words, content_start, content_end,
                               json.dumps([[content_start, content_end]])))  # fmt: skip
        if claim.first is None:
            claim.first = (quote_id, str(article_id), str(article["published"]), str(article["outlet"]))
        claim.renderings.append((quote_id, str(article_id), str(article["outlet"]), words, flags))
        if generator.rng.random() < 0.5:
            category = dict(VERBS)[verb]
            rows["markers"].append((article_id, verb, name, category, verb, cue_start, cue_start + len(verb), quote_id))
    for old, new in NAMING:
        for marker in (old, new):
            at = text.rfind(marker + " ")
            if at >= 0:
                rows["markers"].append((article_id, marker, new, "naming", marker, at, at + len(marker), None))


def _claim_rows(claim: _Claim, generator: Generator, rows: dict[str, list[tuple[object, ...]]]) -> None:
    if claim.first is None:
        return  # no article of its story quoted it
    quote_id, article_id, day, outlet = claim.first
    outlets = {rendering[2] for rendering in claim.renderings}
    rows["utterances"].append((claim.id, claim.speaker, generator.speaker_names[claim.speaker - 1], quote_id,
                               claim.words, article_id, day, outlet, len(claim.renderings), len(outlets)))  # fmt: skip
    for quote_id, article_id, outlet, words, flags in claim.renderings:
        same = words == claim.words
        diff = [] if same else [{"op": "substituted", "canonical": claim.words, "rendering": words}]
        rows["renderings"].append(
            (quote_id, claim.id, article_id, outlet, 1.0 if same else 0.9, json.dumps(diff), json.dumps(flags))
        )


_INSERTS = {
    "articles": "INSERT INTO articles(id, outlet, title, published, language, n_words, story_id, text, "
    "source_format, revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'synthetic', 0)",
    "stories": "INSERT INTO stories(id, title, first_seen, last_seen, n_articles, n_outlets, state) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)",
    "quotes": "INSERT INTO quotes(id, article_id, kind, source_text, source_start, source_end, speaker, speaker_id, "
    "cue_text, cue_start, cue_end, content_text, content_start, content_end, confidence, content_fragments) "
    "VALUES (?, ?, 'direct', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0.9, ?)",
    "utterances": "INSERT INTO utterances(id, speaker_id, speaker, canonical_quote_id, canonical_text, "
    "first_article_id, first_seen, first_outlet, n_renderings, n_outlets) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "renderings": "INSERT INTO renderings(quote_id, utterance_id, article_id, outlet, fidelity, diff, flags) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)",
    "markers": 'INSERT INTO framing_markers(article_id, marker, referent, category, text, start, "end", quote_id) '
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
}
