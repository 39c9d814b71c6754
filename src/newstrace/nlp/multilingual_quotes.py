"""Quotes in languages without a parser: quotation marks, reporting verbs and names, per language.

The rules read the text, not a parse. A quotation (between the language's marks, or a paragraph of
dash-introduced speech) is attributed by a reporting verb right after it (`«…», — заявил Песков`,
`„…“, sagte Scholz`, `« … », a déclaré Macron`) or before it and a colon (`Песков заявил: «…»`). A
reporting verb followed by its complementizer (`заявил, что…`, `sagte, dass…`) gives indirect or
partial speech to the sentence's end, one after a comma (`…, заявил X.`, `…, sagte X.`) the words
before the comma, and `по словам X, …` / `selon X, …` gives the rest of the
sentence to X; `Об этом заявил X.` gives X the sentence before. Speakers are the names the entity
recogniser found inside the source, else the capitalised name next to the verb without its title; a
bare title (`генсека НАТО`) is the person named earlier with that title, and a pronoun the last speaker.
The word lists live in `nlp/data/languages.json`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from importlib import resources

from newstrace.nlp.quotes import FoundQuote, quote_kind
from newstrace.nlp.spans import Span

_WORD = re.compile(r"[\w][\w'’.\-]*")
_CLAUSE_BREAK = re.compile(r"[,;:!?()\n]|[.…](?=\s|$)")
_BEFORE_CUE = re.compile(r"[\s,.!?…]*(?:[—–-]\s*)?")
_SOURCE_WORDS = 8


@dataclass(frozen=True)
class Name:
    """A named entity found by a model: a label (`PERSON`, `ORG`, `LOC`, `MISC`), offsets and base form."""

    label: str
    start: int
    end: int
    normal: str


@dataclass(frozen=True)
class LanguageRules:
    """What the quote rules need to know about one language."""

    marks: dict[str, str]  # opening mark -> the marks that close it
    cue: re.Pattern[str]
    according_to: re.Pattern[str]
    this_said: re.Pattern[str] | None  # `Об этом заявил X.`: the sentence before is X's (None: no such words)
    complementizers: frozenset[str]
    comma_speech: bool  # `Peskow sagte, Moskau beobachte …`: reported speech may follow a comma alone
    pronouns: frozenset[str]
    connectors: frozenset[str]
    roles: frozenset[str]
    genitive_endings: tuple[tuple[str, str], ...] = ()  # pl `według Bidena`: (ending, nominative ending)


def _alternatives(forms: Sequence[str]) -> str:
    return "|".join(re.escape(form) for form in sorted(forms, key=len, reverse=True))


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, dict[str, object]]:
    data = resources.files("newstrace.nlp").joinpath("data/languages.json").read_text(encoding="utf-8")
    return {key: value for key, value in json.loads(data).items() if not key.startswith("_")}


def rule_languages() -> frozenset[str]:
    """The languages the quote rules have word lists for."""
    return frozenset(_lexicon())


@cache
def rules_for(language: str) -> LanguageRules:
    """The compiled rules of `language` (one of `rule_languages()`)."""
    entry = _lexicon()[language]

    def words(key: str) -> list[str]:
        value = entry.get(key, [])
        return [str(item) for item in value] if isinstance(value, list) else []

    cues = words("cues") + [f"{aux} {part}" for aux in words("auxiliaries") for part in words("participles")]
    this_said = words("this_said")
    marks = entry["marks"]
    return LanguageRules(
        marks={str(opening): str(closing) for opening, closing in marks.items()} if isinstance(marks, dict) else {},
        cue=re.compile(rf"(?<!\w)(?:{_alternatives(cues)})(?!\w)", re.IGNORECASE),
        according_to=re.compile(rf"(?<!\w)(?:{_alternatives(words('according_to'))})(?!\w)", re.IGNORECASE),
        this_said=re.compile(rf"(?<!\w)(?:{_alternatives(this_said)})(?!\w)", re.IGNORECASE) if this_said else None,
        complementizers=frozenset(words("complementizers")),
        comma_speech=entry.get("comma_speech") is True,
        pronouns=frozenset(words("pronouns")),
        connectors=frozenset(words("connectors")),
        roles=frozenset(words("roles")),
        genitive_endings=tuple((str(pair[0]), str(pair[1])) for pair in _pairs(entry.get("genitive_endings"))),
    )


def _pairs(value: object) -> list[list[object]]:
    return [pair for pair in value if isinstance(pair, list) and len(pair) == 2] if isinstance(value, list) else []


# -- quotations --------------------------------------------------------------------------------------


def find_marked_quotations(text: str, marks: dict[str, str]) -> list[Span]:
    """Outermost spans between matching marks (nested marks of other kinds allowed), within a paragraph."""
    spans: list[Span] = []
    start = 0
    for line in text.split("\n"):
        spans.extend(_quotations_in_line(line, start, marks))
        start += len(line) + 1
    return spans


def _quotations_in_line(line: str, offset: int, marks: dict[str, str]) -> list[Span]:
    spans: list[Span] = []
    open_marks: list[tuple[int, str]] = []  # (index, closing marks)
    for index, char in enumerate(line):
        if open_marks and char in open_marks[-1][1]:
            opened_at, _ = open_marks.pop()
            if not open_marks:
                spans.append(Span(offset + opened_at, offset + index + 1))
        elif char in marks and not (char == "‚" and index and line[index - 1].isdigit()):
            open_marks.append((index, marks[char]))
    return spans


def find_dash_speech(text: str) -> list[Span]:
    """Paragraphs of speech opened by a dash (`— Это так, — сказал он.`): the spoken words up to the dash
    that hands over to the narrator, or the whole paragraph when no narrator follows."""
    spans: list[Span] = []
    start = 0
    for line in text.split("\n"):
        opening = re.match(r"\s*[—–]\s+", line)
        if opening:
            handover = re.search(r"([,.!?…]?)\s+[—–]\s", line[opening.end() :])
            end = opening.end() + (handover.start() + len(handover.group(1)) if handover else len(line.rstrip()))
            spans.append(Span(start + opening.end(), start + end))
        start += len(line) + 1
    return spans


# -- names next to a reporting verb ------------------------------------------------------------------


@dataclass(frozen=True)
class _Word:
    text: str
    start: int
    end: int

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()


def _words(text: str, start: int, end: int) -> list[_Word]:
    return [_Word(m.group().rstrip(".") or m.group(), m.start(), m.start() + len(m.group().rstrip(".") or m.group()))
            for m in _WORD.finditer(text, start, end)]  # fmt: skip


def _clause_end(text: str, position: int) -> int:
    found = _CLAUSE_BREAK.search(text, position)
    return found.start() if found else len(text)


def _clause_start(text: str, position: int) -> int:
    starts = [m.end() for m in _CLAUSE_BREAK.finditer(text, max(0, position - 300), position)]
    return starts[-1] if starts else max(0, position - 300)


def _capital_run(words: list[_Word], rules: LanguageRules) -> list[_Word]:
    """The first run of capitalised words, with connectors between them (`Ursula von der Leyen`)."""
    run: list[_Word] = []
    for word in words:
        if word.capitalised or (run and word.text.lower() in rules.connectors):
            run.append(word)
        elif run:
            break
    while run and not run[-1].capitalised:
        run.pop()
    return run


def source_after(text: str, position: int, rules: LanguageRules) -> Span | None:
    """The speaker phrase right after a cue: a pronoun, or words up to the end of the first name."""
    words = _words(text, position, _clause_end(text, position))[:_SOURCE_WORDS]
    if not words:
        return None
    if words[0].text.lower() in rules.pronouns:
        return Span(words[0].start, words[0].end)
    run = _capital_run(words, rules)
    while len(run) > 1 and run[-1].text.isupper() and not run[-2].text.isupper() and run[-2].text not in rules.roles:
        run.pop()  # `цитирует Пескова ТАСС`: the agency after the name is not the speaker
    if not run:
        return None
    source = Span(words[0].start, run[-1].end)
    return _with_apposition(text, source, rules, named=name_in(text, source, rules) is not None)


def _with_apposition(text: str, source: Span, rules: LanguageRules, *, named: bool) -> Span:
    """`el secretario general de la OTAN, Jens Stoltenberg,`: a title before a comma, the name after it.
    After a source that already holds a capitalised word (`o ministro da Defesa, João Ferreira`), only a
    name of two words or more that ends its clause is taken."""
    comma = re.match(r",\s*", text[source.end :])
    if comma is None:
        return source
    after = source.end + comma.end()
    clause_end = _clause_end(text, after)
    run = _capital_run(_words(text, after, clause_end)[:3], rules)
    if not run or run[0].start != after:
        return source
    if named and (len(run) < 2 or text[run[-1].end : clause_end].strip()):
        return source
    return Span(source.start, run[-1].end)


def source_before(text: str, position: int, rules: LanguageRules) -> Span | None:
    """The speaker phrase ending right before a cue: a pronoun or a run of capitalised words."""
    words = _words(text, _clause_start(text, position), position)
    if not words and text[:position].rstrip().endswith(","):  # `O porta-voz do Kremlin, Dmitri Peskov, disse`
        end = len(text[:position].rstrip()) - 1
        words = _words(text, _clause_start(text, end), end)
        if not words or text[words[-1].end : end].strip() or _clause_start(text, end) == 0:
            return None
        if text[_clause_start(text, end) - 1] != ",":
            return None  # an apposition sits between two commas
    elif not words or text[words[-1].end : position].strip():
        return None
    if words[-1].text.lower() in rules.pronouns:
        return Span(words[-1].start, words[-1].end)
    run: list[_Word] = []
    for word in reversed(words):
        if word.capitalised or (run and word.text.lower() in rules.connectors):
            run.insert(0, word)
        else:
            break
    while run and not run[0].capitalised:
        run.pop(0)
    return Span(run[0].start, run[-1].end) if run else None


def name_in(text: str, source: Span, rules: LanguageRules) -> Span | None:
    """The person's name inside a source phrase: its last two capitalised words (and the connectors
    between them), leaving out titles and acronyms (`НАТО`, `Bundeskanzler`); None for a pronoun or title."""
    words = [
        word for word in _words(text, source.start, source.end)
        if not (word.capitalised and (word.text in rules.roles or word.text.isupper() or "-" in word.text))
        and word.text.lower() not in rules.pronouns  # `Er sagte, …` opening a sentence
    ]  # fmt: skip
    capitalised = [index for index, word in enumerate(words) if word.capitalised]
    if not capitalised:
        return None
    first = capitalised[-2] if len(capitalised) > 1 and capitalised[-1] - capitalised[-2] <= 3 else capitalised[-1]
    return Span(words[first].start, words[capitalised[-1]].end)


# -- attributions ------------------------------------------------------------------------------------


def _after_quotation(text: str, quotation: Span, rules: LanguageRules) -> tuple[Span, Span | None] | None:
    """`«…», — заявил X` / `„…“, sagte X`: the cue and source after a quotation."""
    gap = _BEFORE_CUE.match(text, quotation.end)
    cue = rules.cue.match(text, gap.end()) if gap else None
    if cue is None or "\n" in text[quotation.end : cue.start()]:
        return None
    cue_span = Span(cue.start(), cue.end())
    return cue_span, _pronoun_in_cue(text, cue_span, rules) or source_after(text, cue.end(), rules)


def _pronoun_in_cue(text: str, cue: Span, rules: LanguageRules) -> Span | None:
    """The subject pronoun inside an inverted cue (`a-t-il ajouté` -> `il`), or None."""
    inner = [w for w in _words(text, cue.start, cue.end) if w.text.lower().split("-")[-1] in rules.pronouns]
    return next((Span(w.end - len(w.text.split("-")[-1]), w.end) for w in inner), None)


def _before_quotation(text: str, quotation: Span, rules: LanguageRules) -> tuple[Span, Span | None] | None:
    """`X заявил: «…»` / `Dazu sagte X: „…“`: a cue in the clause before a colon that opens the quotation."""
    lead = text[: quotation.start].rstrip()
    if not lead.endswith(":"):
        return None
    line_start = lead.rfind("\n") + 1
    cues = list(rules.cue.finditer(text, line_start, len(lead) - 1))
    if not cues:
        return None
    cue = cues[-1]
    source = source_before(text, cue.start(), rules) or source_after(text, cue.end(), rules)
    return Span(cue.start(), cue.end()), source


def quotes_at_quotations(
    text: str, quotations: list[Span], dashed: list[Span], rules: LanguageRules
) -> list[FoundQuote]:
    """Direct (and dash-introduced) quotations attributed by a cue right after or before them."""
    found = []
    for quotation in sorted(quotations + dashed, key=lambda span: span.start):
        attribution = _after_quotation(text, quotation, rules) or _before_quotation(text, quotation, rules)
        if attribution is None:
            continue
        cue, source = attribution
        kind = "direct" if quotation in dashed else quote_kind(text, quotation, quotations)
        found.append(FoundQuote(source, cue, quotation, kind, 0.8 if source else 0.5, None))
    return found


def quotes_with_complementizer(
    text: str, sentences: list[Span], quotations: list[Span], rules: LanguageRules, taken: set[int]
) -> list[FoundQuote]:
    """`X заявил, что …` / `X sagte, dass …`: reported speech from the complementizer to the sentence end."""
    found = []
    for cue in rules.cue.finditer(text):
        if cue.start() in taken or any(q.start < cue.start() < q.end for q in quotations):
            continue
        attribution = _complementizer_after(text, cue.end(), rules)
        source = source_before(text, cue.start(), rules)
        if attribution is None or (source is None and attribution[0] is None):
            continue
        content = _to_sentence_end(text, attribution[1], sentences, quotations)
        kind = quote_kind(text, content, quotations)
        found.append(FoundQuote(source or attribution[0], Span(cue.start(), cue.end()), content, kind, 0.6, None))
    return found


def quotes_before_comma_cue(
    text: str, sentences: list[Span], quotations: list[Span], rules: LanguageRules, taken: set[int]
) -> list[FoundQuote]:
    """`Москва не получала предложений, заявил Песков.` / `…, sagte Peskow.` / `…, a déclaré Macron.`:
    reported speech without quotation marks, from the sentence's start to the comma before the cue."""
    found = []
    for cue in rules.cue.finditer(text):
        if cue.start() in taken or any(q.start < cue.start() < q.end for q in quotations):
            continue
        comma = re.search(r",\s*(?:[—–]\s*)?$", text[max(0, cue.start() - 5) : cue.start()])
        sentence = next((span for span in sentences if span.start <= cue.start() < span.end), None)
        source = _pronoun_in_cue(text, Span(cue.start(), cue.end()), rules) or source_after(text, cue.end(), rules)
        following = re.match(r"\s*(\w+)", text[cue.end() :])
        if following is not None and following.group(1).lower() in rules.complementizers:
            continue  # `…, Dmitri Peskov, disse que …`: the comma closes an apposition
        if comma is None or sentence is None or source is None:
            continue
        end = text.rindex(",", sentence.start, cue.start())
        content = Span(sentence.start, end)
        if len(_words(text, content.start, content.end)) < _MIN_REPORTED_WORDS:
            continue
        kind = quote_kind(text, content, quotations)
        found.append(FoundQuote(source, Span(cue.start(), cue.end()), content, kind, 0.6, None))
    return found


_MIN_REPORTED_WORDS = 3


def _complementizer_after(text: str, position: int, rules: LanguageRules) -> tuple[Span | None, int] | None:
    """Where reported speech starts after a cue (`, что`), with the source between them (`sagte Scholz, dass`)."""
    inverted = source_after(text, position, rules)
    for source, start in ((None, position), (inverted, inverted.end if inverted else None)):
        if start is None:
            continue
        after = re.match(r",?\s*(\w+)", text[start:])
        if after is not None and after.group(1).lower() in rules.complementizers:
            return source, start + after.start(1)
        if source is None and after is not None and rules.comma_speech and text[start:].startswith(","):
            return None, start + after.start(1)  # the speaker before the verb: `Peskow sagte, Moskau …`
    return None


def quotes_according_to(
    text: str, sentences: list[Span], quotations: list[Span], rules: LanguageRules
) -> list[FoundQuote]:
    """`По словам X, …` / `Selon X, …` / `Laut X …`: the rest of the sentence, attributed to X."""
    found = []
    for cue in rules.according_to.finditer(text):
        if any(q.start < cue.start() < q.end for q in quotations):
            continue
        source = source_after(text, cue.end(), rules)
        if source is None:
            continue
        comma = re.match(r"[^,\n]{0,3},\s*|\s*", text[source.end :])
        content_start = source.end + (comma.end() if comma else 0)
        content = _to_sentence_end(text, content_start, sentences, quotations)
        if content.end - content.start < 3:
            continue
        found.append(
            FoundQuote(source, Span(cue.start(), cue.end()), content, quote_kind(text, content, quotations), 0.6, None)
        )
    return found


def quotes_of_this_said(
    text: str, sentences: list[Span], quotations: list[Span], rules: LanguageRules
) -> list[FoundQuote]:
    """`… . Об этом заявил X.` / `…, о чём сообщил X.`: what comes before is X's. Opening a sentence, the
    phrase gives X the sentence before it, in the same paragraph or the one before, the title never;
    after a comma, the sentence's words up to that comma. The cue must follow within a few words."""
    if rules.this_said is None:
        return []
    found = []
    for phrase in rules.this_said.finditer(text):
        cue = rules.cue.search(text, phrase.end(), _clause_end(text, phrase.end()))
        if cue is None or len(_words(text, phrase.end(), cue.start())) > 3:
            continue
        source = source_after(text, cue.end(), rules)
        content = _said_before(text, phrase.start(), sentences)
        if source is None or content is None or any(q.start < phrase.start() < q.end for q in quotations):
            continue
        kind = quote_kind(text, content, quotations)
        found.append(FoundQuote(source, Span(cue.start(), cue.end()), content, kind, 0.6, None))
    return found


def _said_before(text: str, position: int, sentences: list[Span]) -> Span | None:
    """What a `this_said` phrase at `position` points back to (see `quotes_of_this_said`), or None."""
    here = next((index for index, s in enumerate(sentences) if s.start <= position < s.end), None)
    if here is None:
        return None
    before = text[sentences[here].start : position].rstrip()
    if before.endswith(","):
        start, end = sentences[here].start, sentences[here].start + len(before) - 1
    elif not before and here > 0 and "\n\n\n" not in text[sentences[here - 1].end : position]:
        start, end = sentences[here - 1].start, sentences[here - 1].end
        if "\n" not in text[:start].strip():  # the first line: the title
            return None
    else:
        return None
    while end > start and text[end - 1] in " .…":
        end -= 1
    return Span(start, end) if end - start >= 3 else None


def _to_sentence_end(text: str, start: int, sentences: list[Span], quotations: list[Span]) -> Span:
    sentence_end = next((s.end for s in sentences if s.start <= start < s.end), len(text))
    end = max([sentence_end] + [q.end for q in quotations if q.start < sentence_end < q.end])
    while end > start and text[end - 1] in " \n.…":
        end -= 1
    return Span(start, end)


# -- speakers ----------------------------------------------------------------------------------------


def resolve_speakers(
    text: str, quotes: list[FoundQuote], names: Sequence[Name], rules: LanguageRules
) -> list[FoundQuote]:
    """Name each quote's speaker: a person found in its source, else the name next to the cue; a pronoun
    or bare title speaks for the last speaker (or the last person named before it)."""
    people = [name for name in names if name.label == "PERSON"]
    places = [name for name in names if name.label != "PERSON"]
    titled = people + _names_after_titles(text, people, rules)  # the people a bare title may stand for
    resolved: list[FoundQuote] = []
    last: str | None = None
    for quote in sorted(quotes, key=lambda q: q.cue.start):
        speaker = _speaker_of(text, quote, people, places, rules)
        if speaker is None and quote.source is not None:
            before = [p.normal for p in sorted(titled, key=lambda p: p.end) if p.end <= quote.source.start]
            speaker = _titled_person(text, quote.source, titled, rules) or last or (before[-1] if before else None)
        if speaker is not None:
            if rules.according_to.fullmatch(text[quote.cue.start : quote.cue.end]):
                speaker = _nominative(speaker, rules)  # `według Bidena`: the name is in the genitive
            speaker = _fullest_form(speaker, [p.normal for p in titled] + [q.speaker or "" for q in resolved])
            last = speaker
        resolved.append(replace(quote, speaker=speaker))
    return resolved


def _speaker_of(
    text: str, quote: FoundQuote, people: list[Name], places: list[Name], rules: LanguageRules
) -> str | None:
    source = quote.source
    if source is None or text[source.start : source.end].lower() in rules.pronouns:
        return None
    inside = [p for p in people if p.start < source.end and p.end > source.start]
    if inside:
        return max(inside, key=lambda p: p.end - p.start).normal
    name = name_in(text, source, rules)
    if name is None:
        return None
    if _has_role(text, source, rules) and any(p.start == name.start and name.end <= p.end for p in places):
        return None  # `речника Кремля`: a title whose capitalised word is a place (`пресс-служба Кремля` stays)
    return text[name.start : name.end]


def _has_role(text: str, source: Span, rules: LanguageRules) -> bool:
    """Whether a source holds a title word (`генсека`, `Kremlsprecher`), in any case and inflection."""
    roles = tuple(role.lower() for role in rules.roles)
    return any(word.text.lower().startswith(roles) for word in _words(text, source.start, source.end))


def _titled_person(text: str, source: Span, people: list[Name], rules: LanguageRules) -> str | None:
    """The person a bare title stands for (`генсека НАТО`, `пресс-секретарь Кремля`): of the people named
    before it, the one whose title (the words just before the name) shares the most words with it, the
    latest on a tie; None for a source with no title word (`пресс-служба Кремля`) or when no title shares
    a word. Words are compared by their first
    letters, so that inflected forms meet (`генсека` / `генсек`, `Кремля` / `Кремль`)."""
    if not _has_role(text, source, rules):
        return None
    wanted = _title_keys(text[source.start : source.end], rules)
    best: tuple[int, str] | None = None
    for person in people:
        if person.end > source.start or not wanted:
            continue
        title = text[_clause_start(text, person.start) : person.start]
        shared = len(wanted & _title_keys(" ".join(title.split()[-_TITLE_WORDS:]), rules))
        if shared and (best is None or shared >= best[0]):
            best = (shared, person.normal)
    return best[1] if best else None


def _names_after_titles(text: str, people: list[Name], rules: LanguageRules) -> list[Name]:
    """Names the recogniser missed where a title or an acronym introduces them (`секретар НАТО Єнс
    Столтенберг`): the last two of up to three capitalised words, not titles or acronyms, right after an acronym or a
    lowercase word or a title (`Kremlsprecher Dmitri Peskow`), as written."""
    found = []
    for line in re.finditer(r"[^\n]+", text):
        words = _words(text, line.start(), line.end())
        for index in range(1, len(words) - 1):
            before, word = words[index - 1], words[index]
            introduced = before.text.isupper() or not before.capitalised or before.text in rules.roles
            if not introduced or not _plain_name_word(word, rules):
                continue
            run = [word]
            for following in words[index + 1 : index + 3]:
                if not _plain_name_word(following, rules) or text[run[-1].end : following.start] != " ":
                    break
                run.append(following)
            first = run[-2] if len(run) >= 2 else None  # `Rzecznik Kremla Dmitrij Pieskow`: the last two
            if first is not None and not any(p.start < run[-1].end and p.end > first.start for p in people):
                found.append(Name("PERSON", first.start, run[-1].end, text[first.start : run[-1].end]))
    return found


def _plain_name_word(word: _Word, rules: LanguageRules) -> bool:
    return word.capitalised and not word.text.isupper() and word.text not in rules.roles and "-" not in word.text


_TITLE_WORDS = 5  # words before a name read as its title
_TITLE_PREFIX = 5  # letters of a title word compared


def _title_keys(words: str, rules: LanguageRules) -> set[str]:
    """Each word's first letters, each part of a compound apart (`пресс-служба` is not `пресс-секретарь`)."""
    return {
        "-".join(part[:_TITLE_PREFIX] for part in word.lower().split("-"))
        for word in _WORD.findall(words)
        if len(word) >= 3 and word.lower() not in rules.pronouns and word.lower() not in rules.connectors
    }


def _nominative(name: str, rules: LanguageRules) -> str:
    """A name after `według`/`zdaniem` put back in the nominative by the language's genitive endings
    (`Jensa Stoltenberga` -> `Jens Stoltenberg`, `Zełenskiego` -> `Zełenski`); `-a` is taken off only after
    a consonant (`Dudy` or `Kallas` stay as written)."""
    return " ".join(_nominative_word(word, rules) for word in name.split())


def _nominative_word(word: str, rules: LanguageRules) -> str:
    for ending, nominative in rules.genitive_endings:
        stem = word[: -len(ending)]
        if word.endswith(ending) and len(stem) >= 3 and (nominative or stem[-1].lower() not in "aeiouyąęó"):
            return stem + nominative
    return word


def _fullest_form(name: str, known: list[str]) -> str:
    """`Песков` -> `Дмитрий Песков` when the article names him in full; an inflected surname too, where
    no recogniser gave its base form (`według Stoltenberga` -> `Jens Stoltenberg`)."""
    surname = name.split()[-1]
    longer = [form for form in known if _inflects(surname, form.split()[-1:]) and len(form) > len(name)]
    return max(longer, key=len) if longer else name


def _inflects(surname: str, base: list[str]) -> bool:
    """Whether `surname` is the one word of `base` or that word with an ending of a letter or two."""
    return len(base) == 1 and surname.startswith(base[0]) and len(surname) - len(base[0]) <= _ENDING_LETTERS


_ENDING_LETTERS = 2


def speaker_names(text: str, quotes: list[FoundQuote], rules: LanguageRules) -> list[Span]:
    """The spans of the names inside the quotes' sources, for languages with no entity recogniser."""
    spans = [name_in(text, quote.source, rules) for quote in quotes if quote.source is not None]
    return sorted({span for span in spans if span is not None}, key=lambda span: span.start)


def find_quotes(text: str, language: str, sentences: list[Span], names: Sequence[Name]) -> list[FoundQuote]:
    """Every attribution the rules of `language` find in `text`, with speakers resolved."""
    rules = rules_for(language)
    quotations = find_marked_quotations(text, rules.marks)
    dashed = [span for span in find_dash_speech(text) if not any(q.start <= span.start < q.end for q in quotations)]
    direct = quotes_at_quotations(text, quotations, dashed, rules)
    taken = {quote.cue.start for quote in direct}
    reported = quotes_with_complementizer(text, sentences, quotations, rules, taken)
    taken |= {quote.cue.start for quote in reported}
    reported += quotes_before_comma_cue(text, sentences, quotations, rules, taken)
    according = quotes_according_to(text, sentences, quotations, rules)
    this_said = quotes_of_this_said(text, sentences, quotations, rules)
    reported = [quote for quote in reported if quote.cue.start not in {q.cue.start for q in this_said}]
    return resolve_speakers(text, direct + reported + according + this_said, names, rules)
