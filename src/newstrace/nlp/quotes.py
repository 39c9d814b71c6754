"""Attribution extraction: who said what, with source, cue and content spans, over a spaCy parse.

A token is a cue when its lemma and part of speech are in the cue lexicon, which
`scripts/train_quote_lexicon.py` learns from the PolNeAR train split together with where each cue's
content and source hang in the dependency parse (a `ccomp` child, the object, the clause a parenthetical
`Holm said` sits in, ...); a few core reporting verbs are cues whatever the corpus says. Where the parse
gives a verb no content, a quotation right before or after its speaker is its content (`"A," Holm said`
parsed as two sentences). When the subject is part of what is attributed (`The court seemed to send a
signal`), the subject and the complement are the content and nobody is named as the source.
`according to X` has a rule of its own, and so has a line opening with a name and a colon (`HOLM: Well,
...`). Cues inside quotation marks (a quoted speaker's own "I think") are skipped; content that
continues a quotation opened in an earlier sentence is widened to the whole quotation. Where one-piece
content ends, then where the cue ends and starts, are chosen by learned models (`nlp/content_ends.py`,
`nlp/cue_ends.py`). Last, after the speakers, a content of punctuation alone is found again, and content
pieces of function words alone and low-scoring cues in headline-cased lines are dropped (`trusted_quotes`).

Content comes in pieces when the cue interrupts it (`A, Holm said, B`; `which officials said will ...`)
and when a quotation goes on right after the cue's sentence (`"A," Holm said. "B."`), unless that
quotation is another quote's content or hands over to another speaker (`"B," Dorn replied`).

Each quote's source is then resolved to a speaker inside the article: an entity at the source's head,
the previous speaker for a pronoun, the person a description (`the Kremlin spokesman`) names, and short
names grown to the article's full form. The extractor is also a spaCy component (`nlp/components.py`).
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from itertools import repeat
from pathlib import Path
from typing import Any

from newstrace.events.actors import actor_named
from newstrace.memo import Memo
from newstrace.nlp.agents import (
    BODY_NOUNS,
    DOCUMENT_WORDS,
    QUANTITY_WORDS,
    TITLE_ABBREVIATIONS,
    government_place,
    is_form_of_name,
    is_role_noun,
    names_a_body,
    singular,
    speaker_kind,
)
from newstrace.nlp.content_ends import EndCandidates, EndScorer, content_end_model, end_candidates
from newstrace.nlp.cue_ends import (
    CueEndCandidates,
    CueStartCandidates,
    best_cue_end,
    best_cue_start,
    cue_end_candidates,
    cue_end_model,
    cue_start_candidates,
    cue_start_model,
)
from newstrace.nlp.gender import (
    FEMALE,
    MALE,
    PRONOUN_GENDERS,
    gender_by_given_name,
    gender_by_titles,
    is_given_name,
    majority,
)
from newstrace.nlp.linear_model import LinearModel, WeightsByIds, load_linear_model, prepared_for, squashed
from newstrace.nlp.spans import (
    Coverage,
    SentenceIndex,
    Span,
    containing,
    document_text,
    first_starting_at_or_after,
    is_inside,
    spans_within,
)
from newstrace.records import GROUP, PERSON

LEXICON_FILE = Path(__file__).parent / "data" / "quote_lexicon.json"
CUE_MODEL_FILE = Path(__file__).parent / "data" / "cue_model.json"
MIN_CUE_RATE = 0.3  # a lemma is a cue when this share of its tokens with content in reach head a gold cue
MIN_CUE_COUNT = 2
MIN_LINK_SHARE = 0.005
# Reporting verbs every news reader knows, kept as cues even where the training corpus is silent on them.
CORE_REPORTING_VERBS = frozenset(
    [
        "say",
        "tell",
        "state",
        "stress",
        "underscore",
        "reiterate",
        "repeat",
        "warn",
        "claim",
        "assert",
        "insist",
        "add",
        "note",
        "argue",
        "emphasize",
        "emphasise",
        "announce",
        "declare",
        "explain",
        "write",
        "report",
        "acknowledge",
        "admit",
        "confirm",
        "deny",
        "suggest",
        "predict",
        "urge",
        "allege",
        "vow",
        "pledge",
        "promise",
        "maintain",
        "contend",
        "concede",
    ]
)
QUOTE_PAIRS = {"“": "”", '"': '"', "«": "»", "„": "“"}
_SOURCE_DEPS = ("nsubj", "nsubjpass")
_EDGE_JUNK = " \t\n,;:—–-―"


@dataclass(frozen=True)
class Parsed:
    """A parsed document with what the rules read many times, computed once (spaCy rebuilds `doc.text`
    and `doc.ents` on every access, and walks a whole sentence to find a token's)."""

    doc: Any
    text: str
    entities: tuple[Any, ...]
    quotations: list[Span]
    sentences: SentenceIndex
    entity_starts: list[int] = field(repr=False)  # token index of each entity's first token
    entity_start_chars: list[int] = field(repr=False)

    @classmethod
    def of(cls, doc: Any) -> Parsed:
        text, entities = document_text(doc), tuple(name_only(ent) for ent in doc.ents)
        starts, start_chars = [ent.start for ent in entities], [ent.start_char for ent in entities]
        return cls(doc, text, entities, find_quotations(text), SentenceIndex(doc), starts, start_chars)

    def end_scorer(self, model: LinearModel) -> EndScorer:
        """The content-end model's scorer for this document (its arrays are built once, on first use)."""
        scorer = self.__dict__.get("_end_scorer")
        if scorer is None or scorer.model is not model:
            scorer = EndScorer(self.doc, self.sentences, self.quotations, model)
            self.__dict__["_end_scorer"] = scorer
        return scorer

    def cue_bound(self, model: LinearModel) -> CueBound:
        """The cue classifier's cheap bound for this document (its ids are read once)."""
        bound = self.__dict__.get("_cue_bound")
        if bound is None or bound.model is not model:
            bound = self.__dict__["_cue_bound"] = CueBound(self, model)
        return bound

    @cached_property
    def quotation_set(self) -> frozenset[Span]:
        return frozenset(self.quotations)

    @cached_property
    def line_breaks(self) -> list[int]:
        """The offset of every line break of the text, in order."""
        breaks, position = [], self.text.find("\n")
        while position != -1:
            breaks.append(position)
            position = self.text.find("\n", position + 1)
        return breaks

    def entities_within(self, span: Span) -> list[Any]:
        """The entities wholly inside `span`, in text order."""
        found = []
        for index in range(bisect_left(self.entity_start_chars, span.start), len(self.entities)):
            ent = self.entities[index]
            if ent.start_char >= span.end:
                break
            if ent.end_char <= span.end:
                found.append(ent)
        return found

    def entity_holding(self, token_index: int) -> Any:
        """The entity the token `token_index` is part of, or None."""
        index = bisect_right(self.entity_starts, token_index) - 1
        return self.entities[index] if index >= 0 and token_index < self.entities[index].end else None


# How a name's own words hang on its last word; any other link inside a PERSON span joins a clause to it.
_NAME_DEPS = frozenset(["compound", "flat", "amod", "nmod", "appos", "punct", "poss", "case", "prep", "pobj", "det"])


def name_only(ent: Any) -> Any:
    """A PERSON span without the words the recogniser glued to the name: a verb of a headline that governs it
    (`Rip Donald Trump` -> `Donald Trump`, `Ana Ruiz Says` -> `Ana Ruiz`) or a lower-case word before it."""
    if ent.label_ != "PERSON":
        return ent
    start, end = ent.start, ent.end
    while end - start > 1 and _glued(ent.doc[start], ent.doc[start + 1 : end]):
        start += 1
    while end - start > 1 and _glued(ent.doc[end - 1], ent.doc[start : end - 1]):
        end -= 1
    if (start, end) == (ent.start, ent.end):
        return ent
    from spacy.tokens import Span as DocSpan  # spaCy loads with the pipeline, not with this module

    return DocSpan(ent.doc, start, end, label=ent.label_)


def _glued(token: Any, rest: Any) -> bool:
    """The token is no part of the name beside it: lower case, or the head of a clause it links to the
    name (`Rip` whose object is `Trump`)."""
    if token.text[:1].islower():
        return True
    return any(word.head.i == token.i and word.dep_ not in _NAME_DEPS for word in rest)


@dataclass(frozen=True)
class FoundQuote:
    """One attribution inside a Doc: spans are character offsets into the doc's text.

    `content` is the main piece of what was said; `fragments` holds every piece in text order (the main
    one included) when the content is interrupted, as in `"A," she said, "B."` or `A, she said, B`."""

    source: Span | None
    cue: Span
    content: Span
    kind: str
    confidence: float
    speaker: str | None
    fragments: tuple[Span, ...] = ()

    @property
    def content_fragments(self) -> tuple[Span, ...]:
        return self.fragments or (self.content,)


def lexicon_key(token: Any) -> str:
    """How the cue lexicon names a token: its lemma and coarse part of speech, e.g. `state/VERB`."""
    return f"{token.lemma_.lower()}/{token.pos_}"


def attachment(cue: Any, target: Any) -> str:
    """How `target` hangs off `cue` in the parse, as a key the lexicon counts and the extractor follows."""
    if target.i == cue.i:
        return "self"
    if target.head.i == cue.i:
        return f"child:{target.dep_}"
    if target.head.head.i == cue.i and target.head.dep_ == "prep":
        return f"prep:{target.head.lower_}"
    if cue.head.i == target.i and cue.i != target.i:
        return f"head:{cue.dep_}"
    if target.head.i == cue.head.i and cue.head.i != cue.i:
        return f"sibling:{target.dep_}"
    return "other"


def follow(cue: Any, link: str) -> Any:
    """The token that `link` (a key made by `attachment`) leads to from `cue`, or None."""
    kind, _, detail = link.partition(":")
    if kind == "child":
        return next((child for child in cue.children if child.dep_ == detail), None)
    if kind == "prep":
        for child in cue.children:
            if child.dep_ == "prep" and child.lower_ == detail:
                return next((grand for grand in child.children if grand.dep_ in ("pobj", "pcomp")), None)
        return None
    if kind == "head":
        return cue.head if cue.dep_ == detail and cue.head.i != cue.i else None
    if kind == "sibling" and cue.head.i != cue.i:
        return next((other for other in cue.head.children if other.dep_ == detail and other.i != cue.i), None)
    return None


def extract_quotes(doc: Any) -> list[FoundQuote]:
    """Every attribution found in `doc`, in text order, at most one per cue, with its speaker."""
    parsed = Parsed.of(doc)
    # Speakers first: a quote dropped as untrustworthy still names who speaks (`as Mr. Dorn suggested`), and
    # the `he` of the next quote is his.
    return trusted_quotes(parsed, resolve_speakers(parsed, refined_quotes(parsed)))


# Parts of speech that carry no meaning of their own: a content made only of them (`But`, `as`, `that`)
# is a piece of the sentence's frame, not something said.
_FUNCTION_POS = frozenset(["CCONJ", "SCONJ", "ADP", "DET", "PART", "AUX", "PUNCT", "SPACE"])
# A headline-cased line is parsed as a run of proper nouns, so a cue found in it is less often a cue than
# its score says (PolNeAR train + dev, session 27: of the non-colon quotes in such lines scoring under 0.55,
# 6 of 19 lie on a gold cue, against half of those elsewhere); it must score this much.
HEADLINE_CUE_THRESHOLD = 0.55
# A word of a title: capitalised, or a short word a title leaves in lower case (`How Societies Choose to Fail`).
_TITLE_SMALL_WORDS = frozenset(["a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "for", "by"])
# A headline leaves a few more in lower case (`Holm Sides with Dorn`).
_HEADLINE_SMALL_WORDS = _TITLE_SMALL_WORDS | frozenset(["nor", "with", "as", "from", "vs", "vs."])
_HEADLINE_WORD = re.compile(r"[^\W\d_][\w'’.-]*")


def trusted_quotes(parsed: Parsed, quotes: list[FoundQuote]) -> list[FoundQuote]:
    """`quotes` without the spans a reader could not take for what somebody said. A content of punctuation
    alone, reached by a parse link to the full stop (`"A!" Holm replied.` gave `.`), is found again past
    such links; content pieces of function words alone are dropped (`But, Holm said, A`), and so is a
    quote left with none (`had expected | than`: found again, its content would be `sooner`) or whose cue
    in a headline-cased line scores under `HEADLINE_CUE_THRESHOLD` (`Hillary Clinton Put On The
    Defensive`). Applied after the learned refinements, so the training script's quotes do not change, and
    after the speakers, so a dropped quote's source is still the antecedent of the next `he`."""
    kept = []
    claimed: Coverage | None = None
    headline_lines: dict[int, bool] = {}
    for quote in quotes:
        if quote.confidence < HEADLINE_CUE_THRESHOLD and _headline_cue(parsed, quote, headline_lines):
            continue
        pieces = [piece for piece in quote.content_fragments if _holds_a_content_word(parsed.doc, piece)]
        if not pieces:
            if not any(_has_a_word(parsed.text, piece) for piece in quote.content_fragments):
                claimed = claimed or Coverage([piece for other in quotes for piece in other.content_fragments])
                found = _content_found_again(parsed, quote, claimed)
                kept.extend([found] if found is not None else [])
            continue
        if len(pieces) < len(quote.content_fragments):
            content = max(pieces, key=lambda span: (span.end - span.start, -span.start))
            kind = quote_kind(parsed.text, content, parsed.quotations)
            quote = replace(quote, content=content, kind=kind, fragments=tuple(pieces) if len(pieces) > 1 else ())
        kept.append(quote)
    return kept


def _has_a_word(text: str, piece: Span) -> bool:
    return any(character.isalnum() for character in text[piece.start : piece.end])


def _content_found_again(parsed: Parsed, quote: FoundQuote, claimed: Coverage) -> FoundQuote | None:
    """The quote with the content its cue's verb has when links to words without a content word lead
    nowhere (a quotation next to speaker and cue, or another link's), and the quotation that goes on after
    it when no other quote's content (`claimed`) holds it, as `with_continuations` gives; None if the verb
    has no other content."""
    cue = parsed.doc.char_span(quote.cue.start, quote.cue.end, alignment_mode="expand")
    entry = cue_lexicon().get(lexicon_key(cue.root)) if cue is not None and len(cue) else None
    if entry is None:
        return None
    pieces, _ = _content_pieces(cue.root, entry.content_links, parsed, past_frame_words=True)
    found = _quote(parsed, quote.source, quote.cue, pieces, quote.confidence) if pieces else None
    if found is None or not _well_formed(found):
        return None
    if not all(_holds_a_content_word(parsed.doc, piece) for piece in found.content_fragments):
        return None
    following = _following_quotation(parsed, found)
    if following is not None and not claimed.overlaps(following):
        found = replace(found, fragments=(*found.content_fragments, following))
    return replace(found, speaker=quote.speaker)


def _holds_a_content_word(doc: Any, piece: Span) -> bool:
    span = doc.char_span(piece.start, piece.end, alignment_mode="expand")
    return span is None or any(_a_content_word(token) for token in span)


def _a_content_word(token: Any) -> bool:
    """Not a function word; a determiner standing for a noun is one (`ruled that out`, `denied this`)."""
    return token.pos_ not in _FUNCTION_POS or (token.pos_ == "DET" and token.dep_ != "det")


def _headline_cue(parsed: Parsed, quote: FoundQuote, lines: dict[int, bool]) -> bool:
    """The quote's cue is a word (not a colon) in a headline-cased line (`is_headline_cased`); `lines`
    keeps each line's answer by its start, so a long paragraph is read once, not once per quote in it."""
    if parsed.text[quote.cue.start : quote.cue.end].strip() == ":":
        return False
    breaks = parsed.line_breaks
    following = bisect_left(breaks, quote.cue.start)
    start = breaks[following - 1] + 1 if following else 0
    if start not in lines:
        end = breaks[following] if following < len(breaks) else len(parsed.text)
        lines[start] = is_headline_cased(parsed.text, start, end)
    return lines[start]


def is_headline_cased(text: str, start: int = 0, end: int | None = None) -> bool:
    """Every word of the line `text[start:end]` capitalised but for a title's small words, and three or more
    capitalised (`Holm Puts Tariffs on Hold`); read only up to its first word in lower case."""
    capitalised = 0
    for word in _HEADLINE_WORD.finditer(text, start, len(text) if end is None else end):
        if word[0][:1].isupper():
            capitalised += 1
        elif word[0].lower() not in _HEADLINE_SMALL_WORDS:
            return False
    return capitalised >= 3


def refined_quotes(parsed: Parsed, steps: int = 3) -> list[FoundQuote]:
    """The rules' attributions with, in this order, content ends, cue ends and cue starts chosen again by
    the learned models (the first `steps` of them, each only when its file is shipped); no speakers.
    Each model is trained on the quotes the steps before it give."""
    quotes = rule_quotes(parsed)
    for step in range(min(steps, REFINEMENT_STEPS)):
        quotes = refine(parsed, quotes, step)
    return quotes


REFINEMENT_STEPS = 3


def refine(parsed: Parsed, quotes: list[FoundQuote], step: int) -> list[FoundQuote]:
    """`quotes` after step `step` of `refined_quotes` (0 content ends, 1 cue ends, 2 cue starts), or as
    they are when that step's model is not shipped. The training script calls this to refine the quotes
    it already has, one step at a time, rather than finding them all again for each model."""
    load_model, refine_one = (
        (content_end_model, with_learned_content_end),
        (cue_end_model, with_learned_cue_end),
        (cue_start_model, with_learned_cue_start),
    )[step]
    model = load_model()
    if model is None:
        return quotes
    return keep_cues_apart(quotes, [refine_one(parsed, quote, model) for quote in quotes])


def keep_cues_apart(before: list[FoundQuote], after: list[FoundQuote]) -> list[FoundQuote]:
    """`after`, except that a quote whose moved cue now meets another quote's cue, old or new, keeps its
    cue as in `before` (a quote's id is its cue's start, and one word is one cue)."""
    kept = list(after)
    cues: CueIndex | None = None
    for index, (old, new) in enumerate(zip(before, after, strict=True)):
        if new.cue == old.cue:
            continue  # most cues stay; only a moved one is compared with the others
        cues = cues or CueIndex(before, after)
        if cues.meets_another(new.cue, index):
            kept[index] = old
    return kept


class CueIndex:
    """Every quote's cue before and after a refinement, sorted by start, to find in logarithmic time
    whether a cue meets (overlaps, or starts where) the cue of another quote."""

    def __init__(self, before: list[FoundQuote], after: list[FoundQuote]) -> None:
        owned = sorted(
            (quote.cue.start, quote.cue.end, owner)
            for owner, pair in enumerate(zip(before, after, strict=True))
            for quote in pair
        )
        self._owned = owned
        self._starts = [start for start, _, _ in owned]
        # For every prefix of `owned`: the largest end and its owner, and the largest end of any other owner.
        self._reach: list[tuple[int, int, int]] = []
        best, best_owner, runner_up = -1, -1, -1
        for _, end, owner in owned:
            if owner == best_owner:
                best = max(best, end)
            elif end > best:
                best, best_owner, runner_up = end, owner, best
            else:
                runner_up = max(runner_up, end)
            self._reach.append((best, best_owner, runner_up))

    def meets_another(self, cue: Span, owner: int) -> bool:
        """`cue` overlaps, or starts where, a cue of a quote other than `owner` starts."""
        first = bisect_left(self._starts, cue.start)
        for position in range(first, len(self._owned)):  # cues starting inside `cue` meet it
            start, _, other = self._owned[position]
            if start >= max(cue.end, cue.start + 1):
                break
            if other != owner:
                return True
        if first == 0:
            return False
        best, best_owner, runner_up = self._reach[first - 1]  # cues starting before it meet it if they reach it
        return (best if best_owner != owner else runner_up) > cue.start


def rule_quotes(parsed: Parsed) -> list[FoundQuote]:
    """The attributions the rules find, before any learned refinement and without speakers."""
    found: dict[int, FoundQuote] = {}
    for index in rule_candidates(parsed.doc):
        token = parsed.doc[index]
        quote = _from_reporting_verb(token, parsed) or _from_according_to(token, parsed) or _from_colon(token, parsed)
        if quote is not None and quote.cue.start not in found and _well_formed(quote) and not _a_title(parsed, quote):
            found[quote.cue.start] = quote
    ordered = sorted(found.values(), key=lambda quote: (quote.cue.start, quote.content.start))
    return with_continuations(parsed, ordered)


def rule_candidates(doc: Any) -> list[int]:
    """The indices of the tokens a rule may start from, in order: a lemma and part of speech the cue lexicon
    holds, `according` and `:`. Told from the token attributes' ids, each distinct pair of lemma and part of
    speech named once per process, so most tokens cost no `Token` and no string."""
    import numpy
    from spacy.attrs import LEMMA, LOWER, ORTH, POS  # spaCy loads with the pipeline, not with this module

    if not len(doc):
        return []
    strings = doc.vocab.strings

    def in_lexicon(pair: tuple[int, int]) -> bool:
        return f"{strings[pair[0]].lower()}/{strings[pair[1]]}" in cue_lexicon()

    attributes = doc.to_array([LEMMA, POS, LOWER, ORTH])
    lemmas, lemma_of_token = numpy.unique(attributes[:, 0], return_inverse=True)
    tags, tag_of_token = numpy.unique(attributes[:, 1], return_inverse=True)
    pairs, pair_of_token = numpy.unique(lemma_of_token * len(tags) + tag_of_token, return_inverse=True)
    lemma_ids, tag_ids, answers = lemmas.tolist(), tags.tolist(), _LEXICON_PAIRS.answers()
    known = []
    for pair in pairs.tolist():
        key = (lemma_ids[pair // len(tag_ids)], tag_ids[pair % len(tag_ids)])
        answer = answers.get(key)
        if answer is None:
            answer = answers[key] = in_lexicon(key)
        known.append(answer)
    wanted = numpy.array(known)[pair_of_token.reshape(-1)]
    wanted |= attributes[:, 2] == strings.add("according")
    wanted |= attributes[:, 3] == strings.add(":")
    return [int(index) for index in numpy.flatnonzero(wanted)]


def with_learned_content_end(parsed: Parsed, quote: FoundQuote, model: LinearModel) -> FoundQuote:
    """The quote with its content ending where the content-end model prefers (one-piece content only)."""
    if quote.fragments:
        return quote
    chosen = parsed.end_scorer(model).best(quote.content.start, quote.content.end, content_end_barrier(quote, parsed))
    if chosen is None or chosen[0] == chosen[1]:
        return quote
    last = parsed.doc[chosen[1]]
    content = Span(quote.content.start, last.idx + len(last))
    return replace(quote, content=content, kind=quote_kind(parsed.text, content, parsed.quotations))


def with_learned_cue_end(parsed: Parsed, quote: FoundQuote, model: LinearModel) -> FoundQuote:
    """The quote with its cue ending where the cue-end model prefers; a cue that grows into the start of
    its content (`is calling for | the council to act`) moves the content's start past it."""
    cue, content = quote.cue, quote.content
    candidates = cue_end_choices(parsed, quote)
    if candidates is None:
        return quote
    last = best_cue_end(parsed.doc, candidates, model)
    if last.i == candidates.words[0].i:
        return quote
    grown = replace(quote, cue=Span(cue.start, last.idx + len(last)))
    if grown.cue.end <= content.start:
        return grown
    following = next((token for token in parsed.doc[last.i + 1 :] if not token.is_space), None)
    if following is None or following.idx >= content.end:
        return quote
    moved = Span(following.idx, content.end)
    return replace(grown, content=moved, kind=quote_kind(parsed.text, moved, parsed.quotations))


def with_learned_cue_start(parsed: Parsed, quote: FoundQuote, model: LinearModel) -> FoundQuote:
    """The quote with its cue starting where the cue-start model prefers."""
    candidates = cue_start_choices(parsed, quote)
    if candidates is None:
        return quote
    start = best_cue_start(parsed.doc, candidates, model)
    return quote if start.i == candidates.first.i else replace(quote, cue=Span(start.idx, quote.cue.end))


def cue_start_choices(parsed: Parsed, quote: FoundQuote) -> CueStartCandidates | None:
    """The words the quote's cue may start on; never before a source or content that precedes it."""
    before = [part.end for part in (quote.source, quote.content) if part is not None and part.end <= quote.cue.start]
    return cue_start_candidates(parsed.doc, (quote.cue.start, quote.cue.end), max(before, default=0), parsed.sentences)


def cue_end_choices(parsed: Parsed, quote: FoundQuote) -> CueEndCandidates | None:
    """The words the quote's cue may end on; it may grow into a one-piece content right after it."""
    cue, content = quote.cue, quote.content
    next_to_content = content.start >= cue.end and not parsed.text[cue.end : content.start].strip(" ,")
    return cue_end_candidates(
        parsed.doc,
        (cue.start, cue.end),
        (content.start, content.end),
        quote.source.start if quote.source else None,
        may_enter_content=next_to_content and not quote.fragments,
        sentences=parsed.sentences,
    )


def content_end_choices(parsed: Parsed, quote: FoundQuote) -> EndCandidates | None:
    """The words a one-piece content may end on; it may not run into its own cue or source when they
    follow it (`A is B, Holm said`)."""
    if quote.fragments:
        return None
    return end_candidates(
        parsed.doc, quote.content.start, quote.content.end, content_end_barrier(quote, parsed), parsed.sentences
    )


def content_end_barrier(quote: FoundQuote, parsed: Parsed) -> int:
    """Where a one-piece content may run to: its own cue or source when they follow it, else the text's end."""
    parts = [part for part in (quote.cue, quote.source) if part is not None and part.start >= quote.content.end]
    return min((part.start for part in parts), default=len(parsed.text))


def with_continuations(parsed: Parsed, quotes: list[FoundQuote]) -> list[FoundQuote]:
    """Give a quotation's quote the quotation that follows its cue (`"A," she said. "B."`) when that one
    is nobody else's content: a speaker goes on in the next quotation unless another is named."""
    claimed = Coverage([piece for quote in quotes for piece in quote.content_fragments])
    given: set[Span] = set()  # quotations do not overlap, so a given one only meets itself
    extended: list[FoundQuote] = []
    for quote in quotes:
        following = _following_quotation(parsed, quote)
        if following is not None and following not in given and not claimed.overlaps(following):
            given.add(following)
            quote = replace(quote, fragments=(*quote.content_fragments, following))
        extended.append(quote)
    return extended


def _following_quotation(parsed: Parsed, quote: FoundQuote) -> Span | None:
    """The quotation right after the cue's sentence or later in it, when the quote's content is quoted."""
    if not any(piece in parsed.quotation_set for piece in quote.content_fragments):
        return None
    after = max(piece.end for piece in (quote.cue, *quote.content_fragments, *([quote.source] if quote.source else [])))
    cue = parsed.doc.char_span(quote.cue.start, quote.cue.end, alignment_mode="expand")
    if cue is None:
        return None
    sentence_end = parsed.sentences.characters(cue.root.i).end
    text = parsed.text
    index = first_starting_at_or_after(after, parsed.quotations)
    if index == len(parsed.quotations):
        return None
    quotation = parsed.quotations[index]
    if not _ends_a_sentence(text, quotation):
        return None  # `"B," the engineer replied`: somebody else's words, or a quote the parse missed
    if quotation.start < sentence_end:
        return quotation if _only(_GAP_IN_SENTENCE, text, after, quotation.start) else None
    return quotation if _only(_SPACE_IN_LINE, text, max(after, sentence_end), quotation.start) else None


# What may stand between a quotation and the words next to it, per place.
_GAP_IN_SENTENCE = re.compile(r"[ ,:;\t]*")
_GAP_BEFORE_SPEAKER = re.compile(r"[ ,\t]*")
_GAP_AFTER_CUE = re.compile(r"[ ,:\t]*")
_SPACE_IN_LINE = re.compile(r"[^\S\n]*")


def _only(characters: re.Pattern[str], text: str, start: int, end: int) -> bool:
    """`text[start:end]` holds nothing but `characters` (found without copying a long stretch of text)."""
    if start >= end:
        return True
    match = characters.match(text, start, end)
    return match is not None and match.end() == end


def _ends_a_sentence(text: str, quotation: Span) -> bool:
    """The quotation closes with a full stop, question or exclamation mark (not `"B," she said`)."""
    inner = text[quotation.start : quotation.end].rstrip("\"'”’»“ ")
    return inner[-1:] in (".", "?", "!", "…") and text[quotation.end : quotation.end + 1] != ","


def _well_formed(quote: FoundQuote) -> bool:
    """Content must stand apart from the cue and the source (`Leaders are expected` is not a quote)."""
    parts = [quote.cue] + ([quote.source] if quote.source else [])
    return all(
        part.end <= piece.start or part.start >= piece.end for part in parts for piece in quote.content_fragments
    )


def _a_title(parsed: Parsed, quote: FoundQuote) -> bool:
    """The content is the title of a work in quotation marks (`recalled Holm talking about "The Harbour
    Keepers: How Towns Fail," a best seller`), not a quotation: one quoted piece of capitalised words,
    after a cue in running text (a headline's cue is capitalised too, `Holm Says`)."""
    if quote.fragments or quote.content not in parsed.quotation_set:
        return False
    if not parsed.text[quote.cue.start : quote.cue.end].islower():
        return False
    inner = parsed.text[quote.content.start : quote.content.end]
    words = re.findall(r"[^\W\d_][\w'’-]*", inner)
    capitalised = [word for word in words if word[:1].isupper()]
    return len(capitalised) >= 2 and all(word[:1].isupper() or word in _TITLE_SMALL_WORDS for word in words)


# -- reporting verbs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CueEntry:
    """What the lexicon knows of one cue lemma: where its content and its source usually attach."""

    content_links: tuple[str, ...]
    source_links: tuple[str, ...]


_CORE_ENTRY = CueEntry(("child:ccomp", "child:xcomp"), ("child:nsubj", "child:nsubjpass"))


@lru_cache(maxsize=1)
def cue_lexicon() -> dict[str, CueEntry]:
    """The cue lemmas learned from PolNeAR train by scripts/train_quote_lexicon.py."""
    raw = json.loads(LEXICON_FILE.read_text(encoding="utf-8"))
    lexicon = {f"{lemma}/VERB": _CORE_ENTRY for lemma in CORE_REPORTING_VERBS}
    for key, entry in raw.items():
        lemma = key.rsplit("/", 1)[0]
        hits, candidates = entry["candidate_cues"], entry["candidates"]
        if hits < MIN_CUE_COUNT or (cue_model() is None and hits < MIN_CUE_RATE * candidates):
            continue  # with the classifier, every lemma seen as a cue is a candidate and the model decides
        if not lemma.isalpha() or lemma == "accord":
            continue  # punctuation cues and `according to` have rules of their own
        lexicon[key] = CueEntry(usable_links(entry["content"]), usable_links(entry["source"]))
    return lexicon


# Whether each pair of lemma and part-of-speech ids is in the lexicon, while the lexicon is the one loaded.
_LEXICON_PAIRS: Memo[tuple[int, int], bool] = Memo(lambda: cue_lexicon())


@lru_cache(maxsize=1)
def cue_model() -> LinearModel | None:
    """The learned cue classifier (over `cue_features`), or None where only the lexicon is shipped."""
    return load_linear_model(CUE_MODEL_FILE)


def cue_features(token: Any, link: str, quotations: list[Span], sentences: SentenceIndex | None = None) -> list[str]:
    """What the classifier knows of a candidate cue: the word, its place in the parse, its neighbours.
    Pass the document's `sentences` when calling this for many tokens of one document."""
    return CueContext.of(token, quotations, sentences).features(link)


class CueContext:
    """A candidate cue's features but the two that name the link to its content (`link`, `key+link`),
    which finding the content tells; they go fourth and fifth."""

    __slots__ = ("key", "rest")
    _LINK_PLACE = 3

    def __init__(self, key: str, rest: list[str]) -> None:
        self.key, self.rest = key, rest

    @classmethod
    def of(cls, token: Any, quotations: list[Span], sentences: SentenceIndex | None = None) -> CueContext:
        doc, key, head, dep = token.doc, lexicon_key(token), token.head, token.dep_
        children = {child.dep_ for child in token.children}
        rest = [
            f"key={key}", f"dep={dep}", f"tag={token.tag_}",
            f"key+dep={key}|{dep}", f"head={head.lemma_.lower()}", f"headdep={head.dep_}",
            f"prev={doc[token.i - 1].lower_ if token.i else '<s>'}",
            f"next={doc[token.i + 1].lower_ if token.i + 1 < len(doc) else '</s>'}",
            *(f"child={dep}" for dep in sorted(children)),
        ]  # fmt: skip
        if children & {"nsubj", "nsubjpass"}:
            rest.append("has_subject")
        sentence = (sentences or SentenceIndex(token.doc)).characters(token.i)
        if _quotation_touches(sentence, quotations):
            rest.append("quote_in_sentence")
        return cls(key, rest)

    def features(self, link: str) -> list[str]:
        """Every feature of the candidate whose content `link` found, in the classifier's order."""
        place = self._LINK_PLACE
        return [*self.rest[:place], f"link={link}", f"key+link={self.key}|{link}", *self.rest[place:]]

    def may_pass(self, model: LinearModel, links: tuple[str, ...]) -> bool:
        """Whether the classifier could accept the candidate with its content found by one of `links`: its
        score bounded from above by the best those links' weights can add to the rest (with a margin far
        above the rounding of a sum in another order). False: it turns the candidate down whatever the link."""
        rest = model.intercept + sum(map(model.weights.get, self.rest, repeat(0.0)))
        best = _LINK_WEIGHTS.get((self.key, links), lambda pair: _best_link_weight(model, *pair))
        return squashed(rest + best + _ROUNDING_SLACK) >= model.threshold


class CueBound:
    """An upper bound on a candidate cue's score read from the document's attribute ids, no feature named.

    Every feature of `CueContext` is read as an id and weighed from a table kept per id, except two: a
    child's dependency counts only when its weight is positive, and so does `has_subject`, since spaCy
    lists a token's children from its subtree's edges and may leave out a child the heads hold. So the
    bound is at least the candidate's score, and a candidate it keeps under the threshold (with twice the
    rounding margin `CueContext.may_pass` keeps) is turned down by that check too."""

    def __init__(self, parsed: Parsed, model: LinearModel) -> None:
        import numpy
        from spacy.attrs import DEP, HEAD, LEMMA, LOWER, TAG

        self.model, self._parsed = model, parsed
        doc = parsed.doc
        ids = doc.to_array([DEP, TAG, LEMMA, LOWER])
        self._dep, self._tag, self._lemma, self._lower = (ids[:, column].tolist() for column in range(4))
        positions = numpy.arange(len(ids))
        heads = positions + doc.to_array([HEAD]).astype(numpy.int64).reshape(-1)
        order = numpy.argsort(heads, kind="stable")
        self._heads, self._by_head = heads.tolist(), order.tolist()
        self._children_from = numpy.searchsorted(heads[order], positions, side="left").tolist()
        self._children_to = numpy.searchsorted(heads[order], positions, side="right").tolist()
        self._weights = _cue_bound_weights(model)
        self._touching: dict[int, bool] = {}

    def may_pass(self, index: int, key: str, links: tuple[str, ...]) -> bool:
        """False when the classifier turns the candidate cue at token `index` (its lexicon key `key`) down
        whatever its content's link among `links`; True when it may not."""
        weights = self._weights
        weights.strings = self._parsed.doc.vocab.strings
        dep, head, last = self._dep[index], self._heads[index], len(self._dep) - 1
        total = self.model.intercept + weights.key[key] + weights.key_dep[key, dep]
        total += weights.dep[dep] + weights.tag[self._tag[index]] + weights.head[self._lemma[head]]
        total += weights.headdep[self._dep[head]]
        total += weights.prev[self._lower[index - 1]] if index else weights.sentence_start
        total += weights.next[self._lower[index + 1]] if index < last else weights.sentence_end
        found = self._by_head[self._children_from[index] : self._children_to[index]]
        children = {self._dep[child] for child in found if child != index}  # a root is its own head
        for child_dep in children:
            total += weights.child_at_most[child_dep]
        if not children.isdisjoint(weights.subject_ids):
            total += max(0.0, weights.has_subject)
        if self._touches_quotation(index):
            total += weights.quote_in_sentence
        best = weights.best_link.get((key, links))
        if best is None:
            best = weights.best_link[key, links] = _best_link_weight(self.model, key, links)
        return squashed(total + best + 2 * _ROUNDING_SLACK) >= self.model.threshold

    def _touches_quotation(self, index: int) -> bool:
        """Whether a quotation overlaps or borders the sentence of token `index` (kept per sentence)."""
        start = self._parsed.sentences.start(index)
        touches = self._touching.get(start)
        if touches is None:
            sentence = self._parsed.sentences.characters(index)
            touches = self._touching[start] = _quotation_touches(sentence, self._parsed.quotations)
        return touches


class _CueWeights:
    """The cue classifier's weights, by feature name and by the ids `CueBound` reads."""

    def __init__(self, model: LinearModel) -> None:
        from spacy.strings import get_string_id

        self.model = model
        self.strings: Any = None  # the strings of the document being read, to name ids not seen before
        self.key = WeightsByIds(self, "key={}".format)
        self.key_dep = WeightsByIds(self, "key+dep={}|{}".format)
        self.dep = WeightsByIds(self, "dep={}".format)
        self.tag = WeightsByIds(self, "tag={}".format)
        self.head = WeightsByIds(self, lambda lemma: f"head={lemma.lower()}")
        self.headdep = WeightsByIds(self, "headdep={}".format)
        self.prev = WeightsByIds(self, "prev={}".format)
        self.next = WeightsByIds(self, "next={}".format)
        self.child_at_most = _PositiveWeights(self, "child={}".format)
        self.sentence_start, self.sentence_end = self.of("prev=<s>"), self.of("next=</s>")
        self.has_subject, self.quote_in_sentence = self.of("has_subject"), self.of("quote_in_sentence")
        self.subject_ids = frozenset(get_string_id(label) for label in ("nsubj", "nsubjpass"))
        self.best_link: dict[tuple[str, tuple[str, ...]], float] = {}

    def of(self, name: str) -> float:
        return self.model.weights.get(name, 0.0)


class _PositiveWeights(WeightsByIds):
    """A feature's weight by id where it is positive, else 0 (for a bound that may count a feature the
    score leaves out)."""

    def __missing__(self, ids: Any) -> float:
        weight = self[ids] = max(0.0, super().__missing__(ids))
        return weight


_CUE_WEIGHTS: list[tuple[LinearModel, _CueWeights]] = []


def _cue_bound_weights(model: LinearModel) -> _CueWeights:
    """The weights of `model` with the ids named for earlier documents (the last few models kept)."""
    return prepared_for(model, _CUE_WEIGHTS, _CueWeights)


_ROUNDING_SLACK = 1e-9  # summing a score's ~15 weights in another order changes it by some 1e-15


def _best_link_weight(model: LinearModel, key: str, links: tuple[str, ...]) -> float:
    """The most the two link features of a cue `key` add to its score, over `links`."""
    return max(
        model.weights.get(f"link={link}", 0.0) + model.weights.get(f"key+link={key}|{link}", 0.0) for link in links
    )


# The best link weight per cue key and links, while the classifier is the one loaded.
_LINK_WEIGHTS: Memo[tuple[str, tuple[str, ...]], float] = Memo(lambda: cue_model())


def _quotation_touches(sentence: Span, quotations: list[Span]) -> bool:
    """Some quotation overlaps or borders `sentence` (quotations in text order, not overlapping)."""
    index = bisect_left(quotations, sentence.start, key=lambda quotation: quotation.end)
    return index < len(quotations) and quotations[index].start <= sentence.end


def usable_links(counts: dict[str, int]) -> tuple[str, ...]:
    total = sum(counts.values()) or 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return tuple(
        link for link, count in ranked if count / total >= MIN_LINK_SHARE and link not in ("none", "other", "self")
    )


def _from_reporting_verb(verb: Any, parsed: Parsed) -> FoundQuote | None:
    key = lexicon_key(verb)
    entry = cue_lexicon().get(key)
    if entry is None or verb.pos_ in ("PUNCT", "DET", "PRON") or is_inside(verb.idx, parsed.quotations):
        return None
    model = cue_model()
    # The classifier reads neither the content nor the source: most candidates are turned down before either
    # is found, those that no link the content may come by lifts to its threshold before the content is;
    # most of those already by a looser bound read from the document's ids, before their features are named.
    if model is not None and not parsed.cue_bound(model).may_pass(verb.i, key, _links_to_content(entry)):
        return None
    context = CueContext.of(verb, parsed.quotations, parsed.sentences) if model is not None else None
    if model is not None and context is not None and not context.may_pass(model, _links_to_content(entry)):
        return None
    pieces, used_link = _content_pieces(verb, entry.content_links, parsed)
    if not pieces:
        return None
    confidence = None
    if model is not None and context is not None:
        confidence = model.probability(context.features(used_link))
        if confidence < model.threshold:
            return None
    # `The court seemed to ...`: the subject is part of what is attributed, and nobody is named as saying it
    source = _agent_span(verb) if used_link in _SUBJECT_LINKS else _source_span(verb, entry)
    source = _trim(parsed.text, source) if source else None
    if confidence is None:
        confidence = 0.9 if source else 0.6
    return _quote(parsed, source, _cue_span(verb, used_link), pieces, confidence)


def _links_to_content(entry: CueEntry) -> tuple[str, ...]:
    """Every link `_content_pieces` may find a cue's content by."""
    return (*entry.content_links, *_ADJACENT_LINKS)


_ADJACENT_LINKS = ("quote:before", "quote:after")


def content_link(verb: Any, links: tuple[str, ...], parsed: Parsed) -> str | None:
    """The link the extractor follows from `verb` to its content (`quote:before` and `quote:after` for a
    quotation next to speaker and cue), or None when the verb has no content in reach."""
    return _content_pieces(verb, links, parsed)[1] or None


def _content_pieces(
    verb: Any, links: tuple[str, ...], parsed: Parsed, past_frame_words: bool = False
) -> tuple[list[Span], str]:
    """The content of `verb` as pieces of text, and the link that found them (empty when none did):
    the first of `links` that leads somewhere, failing those a quotation next to speaker and cue. With
    `past_frame_words`, a link that reaches no content word leads nowhere (`"A!" Holm replied.`: the full
    stop the parse hangs on the verb); the rules run without it, as the shipped models were trained
    (`trusted_quotes` asks for it)."""
    for link in links:
        target = follow(verb, link)
        if target is None or (past_frame_words and not any(_a_content_word(word) for word in target.subtree)):
            continue
        if link.startswith("head:"):  # the cue is a parenthetical inside its content: both sides are content
            return _sides(parsed.text, _subtree(target), _subtree(verb)), link
        if link in _SUBJECT_LINKS:
            complement = _raised_complement(verb)
            if complement is None or verb.lemma_ == "be":
                continue  # `Holm appeared` holds no proposition; `Holm was critical` is no attribution
            return [_subtree(target), complement], link
        content = _subtree(target)
        if link == "child:dobj":
            content = _with_object_complement(verb, target, content)
        if content.start < verb.idx < content.end:  # `which officials said will ...`: the relative word is content
            return _sides(parsed.text, content, _speaker_and_cue(verb)), link
        return [content], link
    adjacent, quotation = _adjacent_quotation(verb, parsed)
    return ([quotation], adjacent) if adjacent and quotation else ([], "")


_SUBJECT_LINKS = ("child:nsubj", "child:nsubjpass")
# What completes the proposition of `X seemed ...`: `to win`, `certain to win`, `as a rival`, `like a task`.
_COMPLEMENT_DEPS = frozenset(["xcomp", "acomp", "oprd", "ccomp", "attr"])


def _raised_complement(verb: Any) -> Span | None:
    """For a cue whose subject is part of what is attributed (`The court seemed to send a signal`, `Many
    are expected to follow`), the rest of the proposition after the verb; None when there is none."""
    for child in verb.rights:
        if child.dep_ in _COMPLEMENT_DEPS or (child.dep_ == "prep" and child.lower_ in ("as", "like")):
            return _subtree(child)
    return None


def _speaker_and_cue(verb: Any) -> Span:
    """From the verb's subject to the verb, whichever comes first (`Rubio said`, `said Rubio`): the words a
    quotation right before or after them must touch, so the subject's own, without a clause after a comma."""
    source = _subject_span(verb, reported=False)
    verb_end = verb.idx + len(verb)
    return Span(min(verb.idx, source.start), max(verb_end, source.end)) if source else Span(verb.idx, verb_end)


def _adjacent_quotation(verb: Any, parsed: Parsed) -> tuple[str | None, Span | None]:
    """A quotation right before the speaker and cue (`"A," Rubio said`) or right after them (`Rubio
    said: "A"`), for a reporting verb whose parse holds no content (the quotation is a sentence apart)."""
    block = _speaker_and_cue(verb)
    start, end = block.start, block.end
    text, quotations = parsed.text, parsed.quotations
    # Only the last quotation ending before the block can be right before it, and only the first one
    # starting after it right after it (quotations are in text order and never overlap).
    before = bisect_right(quotations, start, key=lambda quotation: quotation.end) - 1
    if before >= 0 and _only(_GAP_BEFORE_SPEAKER, text, quotations[before].end, start):
        return "quote:before", quotations[before]
    after = first_starting_at_or_after(end, quotations)
    if after < len(quotations) and _only(_GAP_AFTER_CUE, text, end, quotations[after].start):
        return "quote:after", quotations[after]
    return None, None


def _quote(parsed: Parsed, source: Span | None, cue: Span, pieces: list[Span], confidence: float) -> FoundQuote | None:
    """A quote whose content is `pieces`, each trimmed and grown to any quotation it cuts, the largest
    piece being the main content; None when no piece holds text."""
    fragments = _merged([_widen_to_quotation(_trim(parsed.text, piece), parsed.quotations) for piece in pieces])
    if not fragments:
        return None
    content = max(fragments, key=lambda span: (span.end - span.start, -span.start))
    kind = quote_kind(parsed.text, content, parsed.quotations)
    return FoundQuote(source, cue, content, kind, confidence, None, tuple(fragments) if len(fragments) > 1 else ())


def _merged(spans: list[Span]) -> list[Span]:
    """`spans` without empty ones, overlapping ones joined, in text order."""
    merged: list[Span] = []
    for span in sorted((span for span in spans if span.end > span.start), key=lambda span: span.start):
        if merged and span.start < merged[-1].end:
            merged[-1] = Span(merged[-1].start, max(merged[-1].end, span.end))
        else:
            merged.append(span)
    return merged


# Prepositions after a reported object that PolNeAR train counts as content at least seven times in ten
# (`endorsed the nomination of X to the court`, `thanked them for their support`).
_OBJECT_PREPOSITIONS = frozenset(["as", "for", "of", "about", "with", "to"])


def _with_object_complement(verb: Any, obj: Any, content: Span) -> Span:
    """`described X as Y`, `urged X to Y`, `called X Y`: what follows the object belongs to the content."""
    end = content.end
    for child in verb.rights:
        if child.i > obj.i and (
            child.dep_ in ("xcomp", "oprd", "ccomp") or (child.dep_ == "prep" and child.lower_ in _OBJECT_PREPOSITIONS)
        ):
            end = max(end, child.right_edge.idx + len(child.right_edge))
    return Span(content.start, end)


def _subtree(token: Any) -> Span:
    return Span(token.left_edge.idx, token.right_edge.idx + len(token.right_edge))


def _source_span(verb: Any, entry: CueEntry) -> Span | None:
    for link in entry.source_links:
        target = follow(verb, link)
        if target is not None:
            return _speaker_phrase(_speaker_of_the_clause(verb, target))
    return _subject_span(verb)


def _speaker_of_the_clause(verb: Any, subject: Any) -> Any:
    """`subject`, unless it is a pronoun the cue borrows from the clause it goes on from (`Holm said he had
    won and called it ...`, the parse giving `called` to `won`) and that clause is reported: then the
    reporting verb's subject (`Holm`)."""
    if subject.head.i == verb.i or subject.lower_ not in _PRONOUNS:
        return subject
    outer = _reporting_subject(subject.head)
    return outer if outer is not None else subject


def _agent_span(verb: Any) -> Span | None:
    """Who holds the view when the subject is part of it: `X is expected by analysts to ...`."""
    for child in verb.children:
        if child.dep_ == "agent":
            objects = [grandchild for grandchild in child.children if grandchild.dep_ == "pobj"]
            return _speaker_phrase(objects[0]) if objects else None
    return None


def _subject_span(verb: Any, reported: bool = True) -> Span | None:
    """The cue's subject, or the subject of the clause it goes on from: `Holm smiled and said ...`, `...,
    emphasizing that ...`. As the source (`reported`), also the subject of the clause a preposition opening
    the cue's is in (`began by saying`), and for a pronoun a reported clause opens, that clause's speaker
    (`Holm said he had won and called it ...`: Holm, whose clause the parse gave `called`)."""
    current = verb
    for _ in range(3):
        for child in current.children:
            if child.dep_ in _SOURCE_DEPS:
                return (
                    _speaker_phrase(_speaker_of_the_clause(verb, child))
                    if reported
                    else _speaker_phrase(child, _COMMA_CLAUSES)
                )
            if child.dep_ == "agent":
                for grandchild in child.children:
                    if grandchild.dep_ == "pobj":
                        return _speaker_phrase(grandchild) if reported else _speaker_phrase(grandchild, _COMMA_CLAUSES)
        if (
            reported
            and current.dep_ == "pcomp"
            and current.head.dep_ == "prep"
            and current.head.head.i != current.head.i
        ):
            current = current.head.head  # `began by saying`, `despite admitting`: the clause the preposition is in
            continue
        if current.dep_ not in ("conj", "advcl", "xcomp") or current.head.i == current.i:
            break
        current = current.head
    return None


def _reporting_subject(clause: Any) -> Any:
    """The subject of the verb whose reported clause `clause` is, or goes on (a `ccomp` reached over `conj`
    links), or None."""
    while clause.dep_ == "conj" and clause.head.i != clause.i:
        clause = clause.head
    if clause.dep_ != "ccomp":
        return None
    return next((child for child in clause.head.children if child.dep_ == "nsubj"), None)


_COMMA_CLAUSES = ("relcl", "acl")


def _speaker_phrase(head: Any, cut: tuple[str, ...] = ("acl",)) -> Span:
    """The phrase naming the speaker, with a relative clause describing it (`Holm, who chairs the committee,`,
    as PolNeAR's annotators mark a source) but without a participle clause set off by a comma (`Holm,
    speaking in Delft,`: the clauses `cut`) or a dateline the parse glued to it (`WASHINGTON — Sen. Holm`)."""
    doc, start, end = head.doc, head.left_edge.i, head.right_edge.i
    for child in head.rights:
        if child.dep_ in cut and child.left_edge.i > head.i and doc[child.left_edge.i - 1].text == ",":
            end = min(end, child.left_edge.i - 2)
    for token in doc[start : head.i]:
        if token.text in ("—", "–", "--") and doc[start : token.i].text.isupper():
            start = token.i + 1
    return Span(doc[start].idx, doc[end].idx + len(doc[end]))


def _cue_span(verb: Any, content_link: str = "") -> Span:
    """The verb with its auxiliaries, adverbs and particle (`has also said`, `called for`), and a word
    right after it that PolNeAR's annotators mostly counted in (`shot back`, `pleaded for`, `said
    Tuesday`; measured on the train split)."""
    start, end = verb.idx, verb.idx + len(verb)
    modifiers = {
        child.i for child in verb.lefts if child.dep_ in ("aux", "auxpass", "neg", "advmod") and child.tag_ != "WRB"
    }
    position = verb.i - 1
    while position in modifiers:
        start = verb.doc[position].idx
        position -= 1
    for child in verb.rights:
        if child.i == verb.i + 1 and (child.dep_ == "prt" or _joins_cue(child)):
            end = child.idx + len(child)
    if content_link.startswith("prep:"):
        preposition = next((c for c in verb.rights if c.dep_ == "prep" and c.lower_ == content_link[5:]), None)
        if preposition is not None and preposition.i <= verb.i + 2:
            end = preposition.idx + len(preposition)
    return Span(start, end)


def _joins_cue(token: Any) -> bool:
    """`back` (`shot back`), `for` (`pleaded for`) and a day (`said Tuesday`) right after a cue verb."""
    word: str = token.lower_
    if token.dep_ == "advmod":
        return word == "back"
    if token.dep_ == "prep":
        return word == "for"
    return token.dep_ == "npadvmod" and token.ent_type_ == "DATE" and bool(token.is_title)


# -- according to ------------------------------------------------------------------------------------


def _from_according_to(token: Any, parsed: Parsed) -> FoundQuote | None:
    doc = parsed.doc
    if token.lower_ != "according" or token.i + 1 >= len(doc) or doc[token.i + 1].lower_ != "to":
        return None
    to = doc[token.i + 1]
    objects = [child for child in to.children if child.dep_ == "pobj"] or [
        child for child in token.children if child.dep_ == "pobj"
    ]
    source = _trim(parsed.text, _subtree(objects[0])) if objects else None
    phrase_end = source.end if source else to.idx + len(to)
    head = token.head if token.head.i != token.i else token
    outer = parsed.sentences.characters(token.i)
    if head.i != token.i and head.dep_ != "ROOT":
        outer = _subtree(head)
    pieces = _sides(parsed.text, outer, Span(token.idx, phrase_end))
    if not pieces:
        return None
    return _quote(parsed, source, Span(token.idx, to.idx + len(to)), pieces, 0.8 if source else 0.5)


def _sides(text: str, outer: Span, hole: Span) -> list[Span]:
    """The parts of `outer` left and right of `hole` that hold any word."""
    sides = (Span(outer.start, hole.start), Span(hole.end, outer.end))
    return [side for side in sides if any(char.isalnum() for char in text[side.start : side.end])]


# -- `Name: words` ------------------------------------------------------------------------------------

_NAME_CONNECTORS = frozenset(["of", "the", "and", "for", "de", "van", "von"])
_OPENING_MARKS = "\"“'‘„«"


def _from_colon(token: Any, parsed: Parsed) -> FoundQuote | None:
    """A line that opens with a name and a colon: a headline (`Holm: Tariffs Will Hurt Farmers`) or a
    transcript turn (`HOLM: Well, I think ...`). The content is the rest of the line."""
    text = parsed.text
    if token.text != ":":
        return None
    breaks = parsed.line_breaks
    following_break = bisect_left(breaks, token.idx)
    line_start = breaks[following_break - 1] + 1 if following_break else 0
    line_end = breaks[following_break] if following_break < len(breaks) else len(text)
    while line_start < token.idx and text[line_start] in _OPENING_MARKS:  # a transcript quoted turn by turn
        line_start += 1
    source = _trim(text, Span(line_start, token.idx))
    content = _trim(text, Span(token.idx + 1, line_end))
    if not _names_a_speaker(parsed, source) or not _holds_a_clause(parsed.doc, content):
        return None
    return _quote(parsed, source, Span(token.idx, token.idx + 1), [content], 0.7)


def _names_a_speaker(parsed: Parsed, source: Span) -> bool:
    """A short, capitalised phrase that names someone (`Sen. Anneke Holm`, `HOLM`), not a label (`Q`)."""
    words = parsed.text[source.start : source.end].split(maxsplit=6)  # a seventh word is too many
    if not 1 <= len(words) <= 6 or len(words[0]) < 2 or any(char.isdigit() for word in words for char in word):
        return False
    if not all(word[:1].isupper() or word.lower() in _NAME_CONNECTORS for word in words):
        return False
    if _person_in_capitals(parsed, source) is not None:
        return True
    span = parsed.doc.char_span(source.start, source.end, alignment_mode="expand")
    if span is None or not len(span) or any(token.pos_ == "VERB" or token.text == ":" for token in span):
        return False  # `Holm Backs Tariffs: ...` is a headline about her, `Name: ... Age:` a form
    head = parsed.entity_holding(span.root.i)
    return head is not None and head.label_ in _SPEAKER_LABELS and span.root.pos_ == "PROPN"  # not `Editor’s Note`


def _person_in_capitals(parsed: Parsed, source: Span) -> str | None:
    """A transcript's speaker label in capitals (`PENCE`, `MIKE PENCE`), which the recogniser misses: the
    person the article names with those words (`Mike Pence`), as the article spells them, or None."""
    label = parsed.text[source.start : source.end]
    if not label.isupper() or not label.replace(" ", "").replace(".", "").isalpha():
        return None
    words = label.split()
    for ent in parsed.entities:
        name = _plain_name(str(ent.text)).split()
        if ent.label_ == "PERSON" and [word.upper() for word in name[-len(words) :]] == words:
            return " ".join(name[-len(words) :])
    return None


def _holds_a_clause(doc: Any, content: Span) -> bool:
    span = doc.char_span(content.start, content.end, alignment_mode="expand")
    return span is not None and any(token.pos_ in ("VERB", "AUX") for token in span)


# -- quotations and spans ----------------------------------------------------------------------------


def find_quotations(text: str) -> list[Span]:
    """Spans of text between matching quotation marks, including the marks, never across paragraphs.

    Only the marks and line breaks are visited (one pattern search), not every character: a mark opens a
    quotation when none is open, the mark that pairs with it closes it, and a line break forgets one left
    open."""
    spans: list[Span] = []
    marks = text.replace("''", '" ')  # a doubled apostrophe is a quotation mark in some house styles
    opened: tuple[int, str] | None = None
    for found in _MARKS_AND_BREAKS.finditer(marks):
        index, char = found.start(), found.group()
        if char == "\n":
            opened = None
        elif opened is None:
            if char in QUOTE_PAIRS:
                opened = (index, QUOTE_PAIRS[char])
        elif char == opened[1]:
            end = index + 1
            if text[end - 1 : end + 1] == "''":
                end += 1
            spans.append(Span(opened[0], end))
            opened = None
    return spans


_MARKS_AND_BREAKS = re.compile("[{}\n]".format(re.escape("".join(sorted({*QUOTE_PAIRS, *QUOTE_PAIRS.values()})))))


def _widen_to_quotation(content: Span, quotations: list[Span]) -> Span:
    """Grow `content` to cover any quotation it starts or ends inside of."""
    start, end = content.start, content.end
    for quotation in (containing(content.start, quotations), containing(content.end, quotations)):
        if quotation is not None:
            start, end = min(start, quotation.start), max(end, quotation.end)
    return Span(start, end)


def _trim(text: str, span: Span) -> Span:
    start, end = span.start, span.end
    while start < end and text[start] in _EDGE_JUNK:
        start += 1
    while end > start and text[end - 1] in _EDGE_JUNK:
        end -= 1
    return Span(start, end)


def quote_kind(text: str, content: Span, quotations: list[Span]) -> str:
    """direct: all inside quotation marks; indirect: none; partial: short quoted bits; mixed: the rest."""
    inside = spans_within(content, quotations)
    if not inside:
        return "indirect"
    quoted_chars = sum(q.end - q.start for q in inside)
    if quoted_chars >= (content.end - content.start) - 2:
        return "direct"
    return "mixed" if quoted_chars * 2 >= content.end - content.start else "partial"


# -- speakers inside one article ---------------------------------------------------------------------

_PRONOUNS = frozenset(
    ["he", "she", "him", "her", "his", "they", "them", "their", "i", "we", "it", "who", "which", "that"]
)
_TITLES = frozenset(
    [
        "mr",
        "mr.",
        "mrs",
        "mrs.",
        "ms",
        "ms.",
        "dr",
        "dr.",
        "president",
        "sen.",
        "sen",
        "senator",
        "rep.",
        "rep",
        "gov.",
        "gov",
    ]
)
_SPEAKER_LABELS = ("PERSON", "ORG", "NORP", "GPE")


_FIRST_PERSON = frozenset(["i", "we", "me", "us", "my", "our"])
# `they` never stands for one person: it is the group the last source naming a group spoke for, when that
# was shortly before, or nobody.
_PLURAL_PRONOUNS = frozenset(["they", "them"])
_GROUP_REACH = 600  # characters: `they` stands for a group quoted this close before, else for nobody
# characters: past the last speaker, `he` or `she` stands for a person of its gender named this close before
_PRONOUN_FALLBACK_REACH = 1000
# Nouns, besides the role nouns, for people gathered round somebody (`Holm supporters`, `Dorn's relatives`).
_PEOPLE_AROUND = frozenset(
    ["supporter", "ally", "relative", "friend", "backer", "loyalist", "critic", "follower", "associate",
     "confidant", "fan", "parent", "family"]
)  # fmt: skip
# Relatives who usually share the family name of the person they are named after (`Clinton's husband, Bill`).
_RELATIVES_BY_NAME = frozenset(["husband", "wife", "son", "daughter", "brother", "sister", "father", "mother"])
_COLLECTIVE_NOUNS = frozenset(["panel", "group", "team", "family", "crowd", "couple", "board", "staff", "camp"])
_RELATIVES = frozenset(["who", "whom", "whose", "which", "that"])
# Roles of a person's staff, who speak for the person's campaign or office, not as the person (`One Holm
# spokesman`, `a Dorn aide`); `BODY_NOUNS` are the bodies they may be named for.
_STAFF_NOUNS = frozenset(
    ["spokesman", "spokeswoman", "spokesperson", "aide", "adviser", "advisor", "strategist", "staffer",
     "operative", "official", "surrogate"]
)  # fmt: skip
_BODY_PATTERN = "|".join(sorted(BODY_NOUNS))
# Verbs whose passive subject is the one addressed, not the speaker: `Dorn was asked`, `Holm was told`.
_ADDRESSING_VERBS = frozenset(
    ["ask", "tell", "question", "press", "urge", "inform", "advise", "warn", "remind", "brief", "quiz",
     "grill", "challenge", "interview", "invite", "encourage", "beg", "implore"]
)  # fmt: skip
_NON_PERSONAL = frozenset(["it", "its"])
_PLACE_NOUNS = frozenset(["state", "country", "nation"])
_PLACE_REACH = 400  # characters: `the state` is a place named this close before
_BODY_REACH = 600  # characters: `the department` is a body named this close before
_INTERGOVERNMENTAL_NOUNS = frozenset(["alliance", "bloc", "organization", "organisation"])
# An honorific before a bare surname, as `_title_word` keys it, and as a name keeps it (`Mr. Clinton`).
_PRONOUN_REACH = 200  # characters after a mention where its sentence's `he` or `her` is looked for
_GENDERED_PRONOUN = re.compile(r"\b(?:he|his|him|she|her|hers)\b", re.IGNORECASE)
# The pronouns that, after a subject's mention, mostly stand for that subject (`Holm said she ...`, `Dorn
# and his ...`, `Holm will hold her next meeting`: `her` as a possessive only); `him` and `her` as an object
# are as often somebody else the subject acts on (`Holm attacked him`).
_OWN_PRONOUN = re.compile(r"\b(?:he|his|she|her)\b", re.IGNORECASE)
_SUBJECT_DEPS = ("nsubj", "nsubjpass")
_SENTENCE_STOP = re.compile(r"[.!?](?:\s|$)|\n|''|[\"“”]")  # a quotation's edge ends the mention's clause too
_JOINING_WORDS = frozenset(["and", "or", "nor", "&"])  # the words before them belong to another name
_HONORIFIC_FORMS = {"mr": "Mr.", "mrs": "Mrs.", "ms": "Ms.", "miss": "Miss"}
_NAMESAKE_REACH = 600  # characters: a bare surname is the namesake mentioned this close before, else the first
_NAME_EDGES = ".,;:()\"'“”‘’"
_LOWER_ARTICLES = frozenset(["the", "a", "an"])
_SENTENCE_ENDS = ".!?\"”'’"
_NOT_ISSUERS = frozenset(["DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "PERCENT", "MONEY"])
_FIRST_PERSON_REACH = 400  # characters: "I" speaks for the speaker of a quote this close before, or nobody
# Names a rally or a campaign gives an opponent; a speaker is named without them.
_EPITHETS = frozenset(["crooked", "lyin'", "lyin", "sleepy", "crazy", "little", "low-energy", "dopey", "lying"])
# A source whose head is one of these speaks as itself, not as a person near it (a ministry), or, a document (a
# joint statement), for its issuer (`_document_issuer`).
_STATEMENT_NOUNS = frozenset(
    ["statement", "communique", "communiqué", "declaration", "ministry", "department", "report", "readout",
     "spokesperson", "office", "embassy", "government", "administration", "campaign", "committee", "council",
     "platform"]
)  # fmt: skip


# A document (`agents.DOCUMENT_WORDS`) speaks for its issuer, named after one of these (`a report by Politico`).
# A party's platform still speaks as itself: its issuer is named by an adjective only (`The Democratic
# platform`), and the trail labels read it so.
_ISSUED_DOCUMENTS = DOCUMENT_WORDS - {"platform"}
_ISSUER_PREPOSITIONS = frozenset(["by", "from", "of", "in"])
_MAKERS = frozenset(["by", "from"])  # after a participle: `released by`, `signed by`
_ISSUER_LABELS = frozenset(["PERSON", "ORG", "GPE"])


def resolve_speakers(parsed: Parsed, quotes: list[FoundQuote]) -> list[FoundQuote]:
    """Name who speaks in each quote: an entity in the source, or for a pronoun or description, the
    person it most likely refers to earlier in the article; short names grow to the article's full form."""
    # A "name" ending in a count is a headline's words (`Judge Just Gave Hillary Some Of The Worst News`)
    mentions = [ent for ent in parsed.entities if ent.label_ == "PERSON" and ent[-1].lower_ not in QUANTITY_WORDS]
    people = People(parsed.text, mentions, [ent for ent in parsed.entities if ent.label_ == "ORG"])
    resolved: list[FoundQuote] = []
    last_speaker: str | None = None
    last_end = -_FIRST_PERSON_REACH
    group: tuple[str | None, int] = (None, -_GROUP_REACH)  # who the last source naming a group spoke for
    for quote in quotes:
        near = last_speaker if quote.source and quote.source.start - last_end <= _FIRST_PERSON_REACH else None
        if quote.source is not None and _source_words(parsed, quote.source) in _PLURAL_PRONOUNS:
            speaker = group[0] if quote.source.start - group[1] <= _GROUP_REACH else None
        else:
            speaker = _speaker_for(parsed, quote, people, (last_speaker, last_end), near)
        if speaker:
            speaker = _full_name(parsed, people, speaker, quote.source)
            last_speaker, last_end = speaker, quote.content.end
            if _addressed(parsed, quote):  # `Dorn was asked whether`: no speaker, but the `he` who answers
                speaker = None
        if quote.source is not None and _names_a_group(parsed, quote.source, speaker):
            group = (speaker, quote.content.end)
        resolved.append(replace(quote, speaker=speaker))
    return resolved


def _source_words(parsed: Parsed, source: Span) -> str:
    return parsed.text[source.start : source.end].lower().strip()


def _names_a_group(parsed: Parsed, source: Span, speaker: str | None) -> bool:
    """The source names more than one person: `they`, a body (`Harbour Democrats`, `the port authority`), a
    plural (`People familiar with her thinking`, `A panel of reporters`: collective) or a coordination
    (`Ms. Holm and Mr. Dorn`). Its speaker, named or not, is whom a later `they` stands for."""
    if _source_words(parsed, source) in _PLURAL_PRONOUNS:
        return True
    if speaker is not None and speaker_kind(speaker) != PERSON:
        return True
    span = parsed.doc.char_span(source.start, source.end, alignment_mode="expand")
    if span is None or not len(span):
        return False
    root = span.root
    return (
        root.tag_ in ("NNS", "NNPS")
        or root.lemma_.lower() in _COLLECTIVE_NOUNS
        or any(child.dep_ == "conj" for child in root.children)
    )


def _full_name(parsed: Parsed, people: People, speaker: str, source: Span | None) -> str:
    """The article's full form of the speaker's name, told apart from namesakes by the source's titles."""
    if source is None:
        return people.full_name(speaker)
    cues = frozenset(_title_word(word) for word in parsed.text[source.start : source.end].split())
    return people.full_name(speaker, source.start, cues)


class People:
    """The PERSON mentions of an article, indexed once for the questions every quote asks of them."""

    def __init__(self, text: str, mentions: list[Any], bodies: list[Any] | None = None) -> None:
        self.mentions = mentions
        self._text = text
        self._ends = [ent.end_char for ent in mentions]
        self._starts = [ent.start_char for ent in mentions]
        self._by_surname: dict[str, list[tuple[Any, str]]] = defaultdict(list)  # surname -> (mention, plain name)
        self._after_word: dict[str, list[Any]] = defaultdict(list)  # word -> mentions it shortly precedes
        self._named: dict[tuple[tuple[str, ...], frozenset[str]], list[tuple[PersonForms, str]]] = {}
        self._genders: dict[str, str | None] = {}
        for ent in mentions:
            plain = _plain_name(str(ent.text))
            if plain.split():
                self._by_surname[plain.split()[-1]].append((ent, plain))
            for word in _words_before(text, ent.start_char):
                self._after_word[word].append(ent)
        # where the recogniser read a person's name as a body's (`Trump` as an ORG): a `his` after it is as
        # likely that person's, and a `he` may stand for it
        self._misread = sorted(
            (ent for ent in bodies or () if self.names_a_person(_plain_name(str(ent.text)))),
            key=lambda ent: ent.start_char,
        )
        self._misread_starts = [ent.start_char for ent in self._misread]

    def names_a_person(self, name: str) -> bool:
        """Some PERSON mention of the article ends with the name's last word."""
        return bool(name.split()) and name.split()[-1] in self._by_surname

    def last_before(self, position: int) -> Any:
        """The last mention ending at or before `position`, or None."""
        index = bisect_right(self._ends, position) - 1
        return self.mentions[index] if index >= 0 else None

    def between(self, start: int, end: int) -> list[Any]:
        """The mentions starting at or after `start` and ending at or before `end`, last first."""
        found, index = [], bisect_right(self._ends, end) - 1
        while index >= 0 and self.mentions[index].start_char >= start:
            found.append(self.mentions[index])
            index -= 1
        return found

    def named_after(self, word: str, outside: Span, owner: str | None = None) -> Any:
        """The first mention within three words after `word` in one sentence that starts outside `outside`
        and, given an `owner` (`grayson` of `Grayson's spokeswoman`), has the owner among those words."""
        owned = set(self._after_word.get(owner, ())) if owner else None
        return next(
            (
                ent
                for ent in self._after_word.get(word, ())
                if not _starts_in(ent, outside) and (owned is None or ent in owned)
            ),
            None,
        )

    def gender_of(self, name: str) -> str | None:
        """The gender the article tells for the person `name` stands for: the one the titles right before most
        of the name's own mentions give (`Mr.`, `his wife,`), else before most mentions holding every word
        of the name (and the bare surname, when the article names nobody else of it), else the given names
        of those mentions, or of the name itself when it has no longer form (`Melanie`); None when unknown
        or contradictory. Failing all of these, the pronouns right after the mentions as a subject
        (`_pronoun_gender`: `he`, `his`, `she` or a possessive `her`), and last, where the article names
        several people of the surname, the bare surname's one honorific (`_honorific_by_elimination`)."""
        if name not in self._genders:
            self._genders[name] = None  # asked again while being worked out (a name between): unknown
            words = _untitled(_plain_name(name))
            given = {word.lower() for word in words}
            surname = words[-1] if words else ""
            # The article's one person of the surname is also its bare surname (`Mrs. Holm said she ...`), when
            # that person is this one (`Ivanka Trump`, no PERSON here, is not the article's one Donald Trump)
            named = self._people_named((surname,), frozenset()) if len(words) > 1 else []
            alone = len(named) == 1 and given <= {word.lower() for word in named[0][1].split()}
            forms = [
                (ent, form) for ent, form in
                ((ent, _untitled(plain)) for ent, plain in self._by_surname.get(surname, ()))
                if given <= {word.lower() for word in form} or (alone and form == [surname])
            ]  # fmt: skip
            # A one-word name is a surname when the article gives it a longer form (`Clinton` is no man's
            # given name here); every given name must tell the same gender (`Obama`: Barack and Michelle).
            first_names = {form[0] for _, form in forms if len(form) > 1} or set(words[:1])
            by_names = {gender_by_given_name(first) for first in first_names}
            self._genders[name] = (
                _titles_gender([(ent, form) for ent, form in forms if form == words])
                or _titles_gender(forms)
                or (by_names.pop() if len(by_names) == 1 else None)
                or self._pronoun_gender(  # `Barack Obama said his ...`: no title, a given name of no list
                    [(ent, form) for ent, form in forms if ent.root.dep_ in _SUBJECT_DEPS], _OWN_PRONOUN
                )
                or (None if alone else self._honorific_by_elimination(words))
            )
        return self._genders[name]

    def _honorific_by_elimination(self, words: list[str]) -> str | None:
        """`Mrs. Clinton` in an article naming Bill and Hillary Clinton: the honorific the article gives the
        bare surname (one kind only) is the gender of the one person of the surname not known to be of the
        other, when every other person of it is known to be (Bill by his given name)."""
        if len(words) < 2:
            return None
        female, male = self._honorific_counts(words[-1])
        if bool(female) == bool(male):
            return None
        told = FEMALE if female else MALE
        given = {word.lower() for word in words}
        people = self._people_named((words[-1],), frozenset())
        others = [(person, form) for person, form in people if not given <= {word.lower() for word in form.split()}]
        if len(others) != len(people) - 1 or not others:
            return None
        known = [_titles_gender(person) or gender_by_given_name(form.split()[0]) for person, form in others]
        return told if all(gender not in (None, told) for gender in known) else None

    def full_name(self, name: str, position: int | None = None, cues: frozenset[str] = frozenset()) -> str:
        """The article's full form of a short name (`Holm` -> `Anneke Holm`): the longer mentions ending with
        the same surname and holding every word of the name, grouped by person, each person named by the
        form the article uses most. When they are different people (`Bill Clinton`, `Hillary Clinton`), the
        title the source gives (`cues`: `Mr.`, `President`) rules out a person the article titles otherwise
        (`Mr. Obama` is not `the first lady, Michelle Obama`) and picks the one it titles alike; then the
        one mentioned last shortly before `position`, else the one mentioned most, else the one the article
        introduced first (its subject). A name with a first name is never grown into another person's,
        nor grown by words before its given name (`Rip Donald Trump`).
        Titles, epithets and possessives are left out."""
        words = _untitled(_plain_name(name))
        if not words:
            return name
        people = self._people_named(tuple(words), cues)
        honorific, gender = _honorific(cues) if len(words) == 1 else (None, None)
        if honorific is not None and gender is not None:
            people = self._honoured_alike(people, words[0], gender)
        pronoun = next((PRONOUN_GENDERS[cue] for cue in sorted(cues) if cue in ("he", "she")), None)
        if pronoun is not None:  # `she` grows `Clinton` into no man's name (`Bill Clinton`), `he` into a man's
            people = [(person, form) for person, form in people if self.gender_of(form) in (None, pronoun)]
            people = [(person, form) for person, form in people if self.gender_of(form) == pronoun] or people
        if not people:  # nobody, or only someone the title rules out (`Mr. Obama`, `the first lady, Michelle Obama`)
            # `Mr. Clinton` in an article naming Clintons none of whom is a man: somebody the article does not
            # name in full, who keeps the honorific rather than join a namesake across articles
            named = (
                honorific is not None
                and self._people_named(tuple(words), frozenset())
                and not self._in_office(words[0])
            )
            return f"{honorific} {words[0]}" if named else " ".join(words)
        if len(people) > 1 and position is not None:
            chosen = _namesake([person for person, _ in people], position)
            return next(form for person, form in people if person is chosen)
        return people[0][1]

    def _honoured_alike(
        self, people: list[tuple[PersonForms, str]], surname: str, gender: str
    ) -> list[tuple[PersonForms, str]]:
        """Of the people a surname with an honorific (`Mrs. Clinton`) may stand for, those not known to be of
        the other gender. The one person of the surname the article names takes the gender of the honorifics
        it gives the bare surname (`Mrs. Clinton` throughout: a woman), when twice as many give one as the
        other; one person left of several, or when the article gives
        both, the gender of the given name. Of several, the given
        name rules out (`Bill` for `Mrs. Clinton`) unless it rules out all; and when the article gives the
        surname both honorifics and nobody is known to be of the other gender, the one person whose given name
        tells nothing (`Hillary`) beside people known to be of the honorific's is the one of the other."""
        if len(people) == 1:
            alone = len(self._people_named((surname,), frozenset())) == 1  # else the honorifics may be another's
            told = self._honorific_gender(surname) if alone else None
            if told is None and self._both_honorifics(surname):  # a man and a woman: the given name tells which
                told = gender_by_given_name(people[0][1].split()[0])
            return [] if told is not None and told != gender else people
        genders = [gender_by_given_name(form.split()[0]) or self._pronoun_gender(person) for person, form in people]
        kept = [(person, told) for person, told in zip(people, genders, strict=True) if told in (None, gender)]
        unknown = [person for person, told in kept if told is None]
        other_known = any(told not in (None, gender) for told in genders)
        if len(unknown) == 1 and len(kept) > 1 and not other_known and self._both_honorifics(surname):
            kept = [(person, told) for person, told in kept if told is not None]
        return [person for person, _ in kept] or people

    def _pronoun_gender(self, person: PersonForms, pronouns: re.Pattern[str] = _GENDERED_PRONOUN) -> str | None:
        """The gender of the first `he`/`she`/`his`/`her` (`pronouns`) after the person's mentions in the same
        sentence, before a quotation opens or closes (`Hillary Clinton has yet to address how her
        administration ...`), when twice as many mentions give one as the other. A person named between
        stops it, unless the article tells that person is of the other gender than the pronoun's (`Holm
        prosecuted Piet Dorn as she sought`: Dorn is a man). With `_OWN_PRONOUN`, `her` counts only as a
        possessive (`Holm will hold her next press conference`, not `Dorn attacked her`). A `his` or `her`
        counts only before a person's name the recogniser read as a body's, too (`Holm mentioned remarks
        Dorn had made as examples of his disrespect`, Dorn an ORG there): `he` and `she` stand for no body."""
        votes: Counter[str] = Counter()
        for ent, _ in person:
            told = self._pronoun_after(ent, pronouns)
            if told is not None:
                votes[told] += 1
        return majority(votes[FEMALE], votes[MALE])

    def _pronoun_after(self, ent: Any, pronouns: re.Pattern[str]) -> str | None:
        """The gender of the first pronoun after a mention in its clause that may stand for it, or None."""
        start = ent.end_char
        window = _SENTENCE_STOP.split(self._text[start : start + _PRONOUN_REACH], maxsplit=1)[0]
        for found in pronouns.finditer(window):
            word = found.group().lower()
            if pronouns is _OWN_PRONOUN and word == "her" and not self._possessive_at(ent, start + found.start()):
                continue
            told = PRONOUN_GENDERS[word]
            end = start + found.start()
            if (word not in ("he", "she") and self._body_named(start, end)) or _subject_between(ent, end):
                return None
            between = self.between(start, end)
            if any(other.root.dep_ == "conj" for other in between):  # `Holm and Dorn, ... she`: either's
                return None
            others = [self.gender_of(_plain_name(str(other.text))) for other in between]
            return told if all(other not in (None, told) for other in others) else None
        return None

    def _body_named(self, start: int, end: int) -> bool:
        """A person's name the recogniser read as a body's starts between `start` and `end`."""
        index = bisect_left(self._misread_starts, start)
        return index < len(self._misread_starts) and self._misread_starts[index] < end

    def misread_within(self, start: int, end: int) -> list[Any]:
        """The persons' names the recogniser read as bodies' lying wholly between `start` and `end`, in text
        order."""
        found = []
        for index in range(bisect_left(self._misread_starts, start), len(self._misread)):
            ent = self._misread[index]
            if ent.start_char >= end:
                break
            if ent.end_char <= end:
                found.append(ent)
        return found

    @staticmethod
    def _possessive_at(ent: Any, position: int) -> bool:
        token = ent.doc.char_span(position, position + 3)
        return token is not None and len(token) == 1 and token[0].tag_ == "PRP$"

    def _in_office(self, surname: str) -> bool:
        """The article names the bare surname with an office (`President Obama`): somebody of that surname it
        names without a given name, whom a bare surname may still stand for across articles."""
        return any(
            plain == surname and _words_before(self._text, ent.start_char) & _OFFICE_TITLES
            for ent, plain in self._by_surname.get(surname, ())
        )

    def _honorific_counts(self, surname: str) -> tuple[int, int]:
        """How often the article writes the bare surname after a woman's honorific and after `Mr.`."""
        found = re.findall(rf"\b(Mrs|Ms|Miss|Mr)\.? {re.escape(surname)}\b", self._text)
        female = sum(1 for honorific in found if honorific != "Mr")
        return female, len(found) - female

    def _honorific_gender(self, surname: str) -> str | None:
        female, male = self._honorific_counts(surname)
        return majority(female, male)

    def _both_honorifics(self, surname: str) -> bool:
        return all(self._honorific_counts(surname))

    def _people_named(self, words: tuple[str, ...], cues: frozenset[str]) -> list[tuple[PersonForms, str]]:
        """The people a short name may stand for, each with its usual form; worked out once per name and
        title, since every quote of a speaker asks it again (over all mentions of the surname)."""
        key = (words, cues)
        if key not in self._named:
            given = {word.lower() for word in words}
            longer = [
                (ent, form) for ent, form in
                ((ent, _untitled(plain)) for ent, plain in self._by_surname.get(words[-1], ()))
                if len(form) > len(words) and given <= {word.lower() for word in form}
                and not _before_a_given_name(form, words)
            ]  # fmt: skip
            people = _titled_alike(_same_person(longer), cues, self._text)
            self._named[key] = [(person, _usual_form(person)) for person in people]
        return self._named[key]


def _honorific(cues: frozenset[str]) -> tuple[str | None, str | None]:
    """The one honorific among a source's title words, as a name keeps it (`Mrs.`), and the gender the
    source's titles tell; (None, None) without exactly one honorific."""
    found = sorted(cues & _HONORIFIC_FORMS.keys())
    return (_HONORIFIC_FORMS[found[0]], gender_by_titles(cues)) if len(found) == 1 else (None, None)


def _before_a_given_name(form: list[str], words: tuple[str, ...]) -> bool:
    """`form` puts words before a name that already opens with a given name: `Rip Donald Trump` (a headline's
    verb glued to the name) is no longer form of `Donald Trump`, while `Debbie Wasserman Schultz` is one of
    `Wasserman Schultz`."""
    return len(words) > 1 and form[0].lower() != words[0].lower() and is_given_name(words[0])


def _untitled(name: str) -> list[str]:
    return [word for word in name.split() if word.lower() not in _TITLES]


_OFFICE_TITLES = frozenset(["president", "senator", "governor", "representative"])
PersonForms = list[tuple[Any, list[str]]]  # one person's mentions, each with its name's words


def _same_person(mentions: PersonForms) -> list[PersonForms]:
    """The mentions grouped by person: a form is another's with words before it (`Rip Donald Trump`,
    `President Barack Obama`), initials (`Donald J. Trump`) or a middle name inside (`Hillary Rodham
    Clinton`); shorter forms first found."""
    people: list[PersonForms] = []
    for ent, words in sorted(mentions, key=lambda pair: (len(_initialless(pair[1])), pair[0].start_char)):
        bare = _initialless(words)
        same = [p for p in people if any(is_form_of_name(bare, _initialless(w)) for _, w in p)]
        if len(same) == 1:
            same[0].append((ent, words))
        elif not same:
            people.append([(ent, words)])
    return people


def _initialless(words: list[str]) -> list[str]:
    return [word for word in words if len(word.rstrip(".")) > 1]


def _titled_alike(people: list[PersonForms], cues: frozenset[str], text: str) -> list[PersonForms]:
    """The people the source's titles fit: none titled as the other sex (`Mr.` against `Mrs.`, `first
    lady`), nor a first lady with no office for `President`, and of those, the ones the article gives the
    same office, when any."""
    offices, told = cues & _OFFICE_TITLES, gender_by_titles(cues)
    fitting = [
        (person, titles) for person, titles in ((person, _titles_before(person, text)) for person in people)
        if (told is None or _titles_gender(person) in (None, told))
        and not (offices and "lady" in titles and not titles & _OFFICE_TITLES)
    ]  # fmt: skip
    same_office = [person for person, titles in fitting if offices & titles]
    return same_office or [person for person, _ in fitting]


def _titles_before(person: PersonForms, text: str) -> set[str]:
    return set().union(*(_words_before(text, ent.start_char) for ent, _ in person))


def _namesake(people: list[PersonForms], position: int) -> PersonForms:
    """The person mentioned last shortly before `position`, else the one mentioned most, else the first."""
    recent = [
        (ent.start_char, index) for index, person in enumerate(people) for ent, _ in person
        if 0 < position - ent.start_char <= _NAMESAKE_REACH
    ]  # fmt: skip
    if recent:
        return people[max(recent)[1]]
    return min(people, key=lambda person: (-len(person), min(ent.start_char for ent, _ in person)))


def _usual_form(person: PersonForms) -> str:
    """The form of a person's name the article uses most, the longest of those tied."""
    counts: dict[str, int] = defaultdict(int)
    for _, words in person:
        counts[" ".join(words)] += 1
    return max(sorted(counts), key=lambda form: (counts[form], len(form)))


def _starts_in(ent: Any, span: Span) -> bool:
    return bool(span.start <= ent.start_char < span.end)


def _speaker_for(
    parsed: Parsed, quote: FoundQuote, people: People, last: tuple[str | None, int], near: str | None
) -> str | None:
    if quote.source is None:
        return _subject_of_the_sentence(parsed, quote)
    agent = _passive_agent(parsed, quote)
    if agent is not None:  # `the claim was made by Holm`, `Dorn was asked by a reporter`: the agent speaks
        return _speaker_for(parsed, replace(quote, source=agent), people, last, near)
    inside = [  # a name inside a quoted title (`"The Fixers: Eddie Mannix ..."`) does not speak
        ent
        for ent in parsed.entities_within(quote.source)
        if ent.label_ in _SPEAKER_LABELS and not is_inside(ent.start_char, parsed.quotations)
        and not _unnamed_people(ent)
    ]  # fmt: skip
    persons = [ent for ent in inside if ent.label_ == "PERSON" and not _possessive(ent)]
    employers = [ent for ent in persons if _employer(ent)]  # `another Holm aide`: Holm does not speak
    persons = [ent for ent in persons if ent not in employers]
    around = _people_around(parsed.doc, quote.source)
    if around:  # `Holm aides`, `supporters of Holm`: the group speaks, not the person it gathers round
        persons = [ent for ent in persons if _heads_a_body(ent) or _beside_the_head(parsed.doc, quote.source, ent)]
    elif _a_group_speaks(parsed.doc, quote.source):  # `regulators and advisers to Holm`: not Holm speaking
        persons = [ent for ent in persons if _on_the_head(parsed.doc, quote.source, ent) or _heads_a_body(ent)]
    staff = _staff_of(parsed, quote.source, persons, employers)
    if staff is not None:  # `One Holm spokesman`: unnamed, speaking for Holm's campaign, not as Holm
        return staff
    if persons:  # the first named, not the longest: `Peskov, Putin's spokesman` is Peskov speaking
        head = _entity_at_head(parsed.doc, quote.source, persons) or persons[0]
        return _organisation_of(parsed.doc, head) or _with_the_family_name(parsed.doc, quote.source, head)
    titled = _person_after_title(parsed, quote.source) or _person_in_capitals(parsed, quote.source)
    if titled is not None:
        return titled
    if _speaks_as_itself(parsed.doc, quote.source):  # a body speaks as itself, a document for its issuer
        document = _document_issuer(parsed, quote.source)
        return _statement_name(parsed.text, quote.source) if document is None else document or None
    if _counts_a_group(parsed, quote.source):  # `Majorities of voters say`, `Most say`: nobody named
        return None
    named = _entity_at_head(parsed.doc, quote.source, inside)
    if named is not None and _one_of_a_group(named):  # `The Republican said`: a person, named before
        member = _person_of_the_group(parsed, people, named, quote.source.start)
        return member or _person_described_before(parsed, people, quote.source.start, last)
    if named is not None and _may_speak(named):
        return _plain_name(str(named.text))
    words = parsed.text[quote.source.start : quote.source.end].lower().split()
    if len(words) == 1 and words[0] in _FIRST_PERSON:
        return near  # `I` in a transcript speaks for nobody the text has named
    if len(words) == 1 and words[0] in _RELATIVES:  # never the previous speaker, as `he` would be
        return _relative_speaker(parsed, quote, people, last)
    if len(words) == 1 and words[0] in _NON_PERSONAL:  # `it` is a body or a thing, never a person
        last_speaker = last[0]
        if last_speaker is None or _expletive(parsed, quote.source):  # `it was said that`: nobody
            return None
        return None if people.names_a_person(last_speaker) or speaker_kind(last_speaker) == GROUP else last_speaker
    if len(words) == 1 and words[0] in _PRONOUNS:
        return _pronoun_speaker(parsed, people, quote.source.start, last, PRONOUN_GENDERS.get(words[0]))
    if len(words) == 2 and words[0] == "the" and words[1] in _PLACE_NOUNS:
        return _place_before(parsed, quote.source.start)
    if len(words) == 2 and words[0] == "the" and names_a_body(words[1]):
        return _body_before(parsed, quote.source.start, words[1])
    # Only a name on the source's head word speaks for it (`NATO leadership`, `Fleming's book`), not one
    # further in (`advisers to Holm`, `companies that had insured Dorn Lines' debts`).
    on_head = [
        ent
        for ent in inside
        if _on_the_head(parsed.doc, quote.source, ent) and not (around and _a_persons_name(people, ent))
    ]
    owner = _owned_body(parsed.doc, quote.source, on_head) or _owner_of_a_work(on_head, words)
    if owner is not None:
        return owner
    described = _described_person(parsed.text, quote, people) or (
        None if around else _proper_name_head(parsed.doc, quote.source)
    )
    speakers = [ent for ent in on_head if _may_speak(ent) and not _possessive(ent)]
    if described is None and speakers:
        # `NATO leadership` speaks for NATO; `the Trump team`, Trump read as a body, for the Trump team
        return _organisation_of(parsed.doc, speakers[0]) or _plain_name(str(speakers[0].text))
    return described


def _unnamed_people(ent: Any) -> bool:
    """An entity that is only a plural of staff or of people round somebody (`Supporters`, `Aides`,
    `Officials`, read as a name at a sentence's start): nobody named."""
    word = ent.text.lower()
    single = singular(word)
    return len(ent) == 1 and single != word and (single in _STAFF_NOUNS or single in _PEOPLE_AROUND)


def _employer(ent: Any) -> bool:
    """A person named to say whose staff somebody is (`another Holm aide`, `former Dorn staffer Lidia Varn`):
    the person modifies a staff noun outside the name, and does not speak."""
    root = ent.root
    return (
        root.dep_ in ("compound", "poss", "nmod")
        and root.head.lower_ in _STAFF_NOUNS
        and not (ent.start <= root.head.i < ent.end)
    )


def _staff_of(parsed: Parsed, source: Span, persons: list[Any], employers: list[Any]) -> str | None:
    """For a source whose head is one person's staff member named by role alone (`One Holm spokesman`, `a
    senior Dorn aide`, `a Holm campaign official`), the body they speak for, named by the person's surname as
    the articles name it: the one the source names (`Holm campaign`), else the one the article names for
    that person (`the Holm administration`), else the person's team; or the staff member named beside the
    role (`a Holm aide, Piet Dorn,`). None when the source is no such thing: `Holm spokesman Piet Dorn`
    (whose head is Dorn), `Holm's spokesman` (a description of somebody the article may name), `a senior
    aide` (nobody's). `employers` are the people named as whose staff (`Holm` in `One Holm spokesman`)."""
    span = parsed.doc.char_span(source.start, source.end, alignment_mode="expand")
    if span is None or not len(span) or span.root.tag_ != "NN" or span.root.lower_ not in _STAFF_NOUNS:
        return None
    root = span.root
    named = next((ent for ent in persons if ent.root.dep_ == "appos" and ent.root.head.i == root.i), None)
    if named is not None:  # `a Holm aide, Piet Dorn,`: Dorn speaks
        return _plain_name(str(named.text))
    modifiers = [child for child in root.lefts if child.dep_ == "compound"]
    bodies = [word for word in modifiers if word.lemma_.lower() in BODY_NOUNS]
    owner = next(
        (
            ent
            for ent in (*employers, *persons)
            if ent.root.dep_ == "compound" and ent.root.head.i in {root.i, *(body.i for body in bodies)}
        ),
        None,
    )
    if owner is None:
        return None
    surname = _plain_name(str(owner.text)).split()[-1]  # `A top Donald Trump adviser`: the Trump campaign
    noun = bodies[0].lower_ if bodies else _body_named_for(parsed.text, surname) or "team"
    return f"{surname} {noun}"


def _body_named_for(text: str, name: str) -> str | None:
    """The body noun the article most often writes after the person's (sur)name (`Holm campaign`, `Holm's
    administration`), or None."""
    found = Counter(
        match.group(1).lower()
        for match in re.finditer(rf"\b{re.escape(name)}(?:'s|’s)? ({_BODY_PATTERN})\b", text, re.IGNORECASE)
    )
    return max(sorted(found), key=lambda noun: found[noun]) if found else None


def _passive_verb(parsed: Parsed, quote: FoundQuote) -> Any:
    """The cue's verb when it is in the passive and the source is its subject (`Dorn was asked`, `Her view
    is shared by Holm`), else None."""
    if quote.source is None:
        return None
    cue = parsed.doc.char_span(quote.cue.start, quote.cue.end, alignment_mode="expand")
    if cue is None or not len(cue):
        return None
    verb = cue.root
    subject = next((child for child in verb.children if child.dep_ == "nsubjpass"), None)
    return verb if subject is not None and quote.source.start <= subject.idx < quote.source.end else None


def _passive_agent(parsed: Parsed, quote: FoundQuote) -> Span | None:
    """The phrase of a passive cue's agent, who speaks (`the claim was made by Holm`, `Dorn was warned by
    Holm`), or None. `Holm was quoted as saying` has none and keeps Holm."""
    verb = _passive_verb(parsed, quote)
    agent = _agent_span(verb) if verb is not None else None
    return _trim(parsed.text, agent) if agent is not None else None


def _addressed(parsed: Parsed, quote: FoundQuote) -> bool:
    """The source is only the one a passive cue of addressing names (`Dorn was asked whether`, `Dorn was
    told that`), who says nothing; with an agent (`asked by a reporter`) the agent speaks instead."""
    verb = _passive_verb(parsed, quote)
    return verb is not None and verb.lemma_.lower() in _ADDRESSING_VERBS and _agent_span(verb) is None


def _expletive(parsed: Parsed, source: Span) -> bool:
    """`it` stands for no body but for a clause to come: the subject of a passive (`it was said that`, `it
    is claimed`), an expletive (`it seems that`) or of `be` with a complement (`it was unclear whether`)."""
    span = parsed.doc.char_span(source.start, source.end, alignment_mode="expand")
    if span is None or not len(span):
        return False
    word = span.root
    return word.dep_ in ("expl", "nsubjpass") or word.head.lemma_ in ("be", "seem", "appear", "remain")


def _counts_a_group(parsed: Parsed, source: Span) -> bool:
    """The source's head word is a count of people no entity holds (`Majorities of voters`, `Most`,
    `Many in the party`): a share of a group, which names nobody."""
    span = parsed.doc.char_span(source.start, source.end, alignment_mode="expand")
    return (
        span is not None
        and len(span) > 0
        and span.root.lower_ in QUANTITY_WORDS
        and parsed.entity_holding(span.root.i) is None
    )


def _a_group_speaks(doc: Any, source: Span) -> bool:
    """The source's head word is a plural noun (`mining companies, including Holm`, `advisers to Holm`):
    a group speaks, and a person named further in is not one of its words' speakers."""
    span = doc.char_span(source.start, source.end, alignment_mode="expand")
    return span is not None and len(span) > 0 and span.root.tag_ == "NNS"


def _a_persons_name(people: People, ent: Any) -> bool:
    """A person's name, also when the recogniser reads it as a body (`Sanders supporters`, Sanders an ORG)."""
    return bool(ent.label_ == "PERSON" or people.names_a_person(_plain_name(str(ent.text))))


def _people_around(doc: Any, source: Span) -> bool:
    """The source's head names people gathered round somebody: a role noun in the plural (`Holm aides`,
    `attorneys for Dorn`), supporters, allies, relatives, a family (`Dorn's relatives`, `the Dorn family`)."""
    span = doc.char_span(source.start, source.end, alignment_mode="expand")
    if span is None or not len(span):
        return False
    root = span.root
    noun = singular(root.lower_)
    plural = noun != root.lower_ and root.tag_ in ("NNS", "NNPS", "NNP")  # `Attorneys` opening a sentence: NNP
    return noun == "family" or (plural and (is_role_noun(noun) or noun in _PEOPLE_AROUND))


def _beside_the_head(doc: Any, source: Span, ent: Any) -> bool:
    """The name stands in apposition to the source's head: `Holm's lawyers, Peter Dorn and Lidia Varn`."""
    span = doc.char_span(source.start, source.end, alignment_mode="expand")
    return span is not None and len(span) > 0 and ent.root.dep_ == "appos" and ent.root.head.i == span.root.i


def _owned_body(doc: Any, source: Span, on_head: list[Any]) -> str | None:
    """`Holm's campaign`, `Dorn's political team`: the body a person owns speaks as itself, named as `the
    Holm campaign` is (`Holm campaign`), not as the person."""
    span = doc.char_span(source.start, source.end, alignment_mode="expand")
    if span is None or not len(span) or span.root.lemma_.lower() not in BODY_NOUNS:
        return None
    owner = next((ent for ent in on_head if ent.label_ == "PERSON" and _possessive(ent)), None)
    return f"{_plain_name(str(owner.text))} {span.root.lower_}" if owner is not None else None


def _with_the_family_name(doc: Any, source: Span, person: Any) -> str:
    """The person's name; a lone given name set beside a named person's relative takes that person's
    surname: `Clinton's husband, Bill` -> `Bill Clinton`, `Holm's son, Peter` -> `Peter Holm`."""
    name = _plain_name(str(person.text))
    span = doc.char_span(source.start, source.end, alignment_mode="expand")
    if len(name.split()) != 1 or span is None:
        return name
    relative = person.root.head if person.root.dep_ == "appos" else None
    owner = next(
        (
            ent
            for ent in span.ents
            if ent.label_ == "PERSON" and ent.root.dep_ == "poss" and relative is not None
            and ent.root.head.i == relative.i and relative.lower_ in _RELATIVES_BY_NAME
        ),
        None,
    )  # fmt: skip
    return f"{name} {_plain_name(str(owner.text)).split()[-1]}" if owner is not None else name


def _heads_a_body(person: Any) -> bool:
    """The name is that of a body the person leads (`the Dorn administration`): the body may speak."""
    return _organisation_of(person.doc, person) is not None


def _possessive(ent: Any) -> bool:
    """`Putin's` in `Putin's spokesman`: the person owns the speaker, and is not the speaker."""
    last = ent[-1]
    following = ent.doc[ent.end] if ent.end < len(ent.doc) else None
    return last.text in ("'s", "’s", "'", "’") or (following is not None and following.text in ("'s", "’s"))


def _one_of_a_group(ent: Any) -> bool:
    """A party, nationality or faith word in the singular (`the Republican`, `a Russian`): one person of the
    group, or a word describing one (`Republican presidents`), never a speaker's name."""
    return bool(ent.label_ == "NORP" and ent.root.tag_ not in ("NNPS", "NNS"))


def _may_speak(ent: Any) -> bool:
    """An organisation, or a group in the plural (`Democrats`), speaks; a place speaks only as its
    government (`Washington`, `Moscow`, `Texas`), never as a dateline in capitals (`LOS ANGELES`)."""
    if ent.label_ == "NORP":
        return not _one_of_a_group(ent)
    if ent.label_ != "GPE":
        return True
    if ent.text.isupper() or not government_place(_plain_name(str(ent.text))):
        return False  # a city that is no seat of government (`Liverpool`, `Phoenix`) says nothing
    return bool(ent.root.dep_ in ("nsubj", "nsubjpass", "pobj", "poss"))


def _speaks_as_itself(doc: Any, source: Span) -> bool:
    span = doc.char_span(source.start, source.end, alignment_mode="expand")
    return (
        span is not None
        and len(span) > 0
        and span.root.lemma_.lower() in _STATEMENT_NOUNS
        and not any(ent.label_ == "PERSON" for ent in span.ents)
        and _names_an_issuer(span)
    )


def _names_an_issuer(span: Any) -> bool:
    """A statement, campaign or office that someone named issues or runs (`a joint statement signed by NATO
    members`, `the Democratic platform`), not one of nobody's (`One report`, `the 2012 campaign`)."""
    return any(ent.label_ in _SPEAKER_LABELS for ent in span.ents) or any(
        token.pos_ == "PROPN" and token.ent_type_ not in _NOT_ISSUERS for token in span
    )


def _document_issuer(parsed: Parsed, source: Span) -> str | None:
    """A source whose head is a document (a statement, report, readout), not a named one (`Cook
    Political Report`): the one body or person named as its issuer, its owner (`NBC's report`, `the IMF
    report`; a place there is what it is about) or after `by`, `from`, `of` or `in` (`a new report by
    Politico`, `a joint statement signed by the council`), or several joined by `and` as a group (`signed by
    several NATO members and Ukraine`: `NATO members and Ukraine`); "" when it names none; None when the
    head is no document (`the Labor Department`)."""
    span = parsed.doc.char_span(source.start, source.end, alignment_mode="expand")
    if span is None or not len(span) or span.root.lemma_.lower() not in _ISSUED_DOCUMENTS:
        return None
    root = span.root
    if parsed.entity_holding(root.i) is not None:  # a publication's name (`Cook Political Report`)
        return None
    # a place before the noun is what it is about (`the United States jobs report`), not who issued it
    words = [child for child in root.children if child.dep_ == "poss"] + [
        child for child in root.children if child.dep_ in ("compound", "nmod") and child.ent_type_ != "GPE"
    ]
    links = [child for child in root.children if child.dep_ == "prep" and child.lower_ in _ISSUER_PREPOSITIONS]
    for verb in (child for child in root.children if child.dep_ == "acl"):  # `released by`, `signed by`
        links += [child for child in verb.children if child.dep_ in ("agent", "prep") and child.lower_ in _MAKERS]
    words += [child for link in links for child in link.children if child.dep_ == "pobj"]
    issuers = []
    for word in (word for word in words if span.start <= word.i < span.end):
        if any(child.dep_ == "conj" for child in word.children):  # several issuers: a group, when any is named
            return _signers(parsed, span, word)
        ent = parsed.entity_holding(word.i)
        if ent is not None and ent.label_ in _ISSUER_LABELS and ent not in issuers:
            issuers.append(ent)
    return _plain_name(str(issuers[0].text)) if len(issuers) == 1 else ""


def _signers(parsed: Parsed, span: Any, word: Any) -> str:
    """Issuers joined by `and` (`signed by several NATO members and Ukraine`): the phrase naming them,
    without a leading article or count (`NATO members and Ukraine`, a group), or "" when it names nobody."""
    tokens = [token for token in word.subtree if span.start <= token.i < span.end]
    while tokens and (tokens[0].dep_ == "det" or tokens[0].lower_ in QUANTITY_WORDS):
        tokens = tokens[1:]
    entities = [parsed.entity_holding(token.i) for token in tokens]
    if not any(ent is not None and ent.label_ in _ISSUER_LABELS for ent in entities):
        return ""
    return _plain_name(parsed.text[tokens[0].idx : tokens[-1].idx + len(tokens[-1])].strip(" ,.;:"))


def _statement_name(text: str, source: Span) -> str:
    """`a joint statement signed by several NATO members` -> `Joint statement signed by several NATO members`."""
    words = text[source.start : source.end].split()
    if words and words[0].lower() in ("a", "an", "the"):
        words = words[1:]
    words = words[:10]
    while words and words[-1].lower() in ("and", "or", "of", "by", "the", "a", "an", "to", "with"):
        words.pop()
    name = " ".join(words).strip(" ,.;:")
    return name[:1].upper() + name[1:]


def _plain_name(name: str) -> str:
    """A name without a possessive ending, a leading epithet or a leading article in lower case, which is no
    part of a name (`the Republican National Committee`, `a Mitt Romney`): `Crooked Hillary Clinton's` ->
    `Hillary Clinton`. A capital `The` may be (`The Hill`) and stays."""
    for ending in ("'s", "’s", "'", "’"):
        if name.endswith(ending):
            name = name[: -len(ending)]
            break
    words = name.split()
    while len(words) > 1 and (words[0].lower() in _EPITHETS or words[0] in _LOWER_ARTICLES):
        words = words[1:]
    return " ".join(words)


def _proper_name_head(doc: Any, source: Span) -> str | None:
    """A name the entity recogniser missed: the source's head is a proper noun (`... minister Lidia Varn`)."""
    span = doc.char_span(source.start, source.end, alignment_mode="expand")
    if span is None or not len(span) or span.root.pos_ != "PROPN":
        return None
    root = span.root
    start = root.i
    while start > span.start and doc[start - 1].pos_ == "PROPN" and doc[start - 1].dep_ == "compound":
        start -= 1
    name = doc[start : root.i + 1].text
    return str(name) if name[:1].isupper() else None


def _entity_at_head(doc: Any, source: Span, entities: list[Any]) -> Any:
    """The entity holding the source's head word (`NATO` in `NATO leadership`), or None when the head is a
    description of someone (`the NATO Secretary General`, whose head word is `General`)."""
    span = doc.char_span(source.start, source.end, alignment_mode="expand")
    if span is None or not len(span):
        return None
    root = span.root
    return next((ent for ent in entities if ent.start <= root.i < ent.end), None)


def _described_person(text: str, quote: FoundQuote, people: People) -> str | None:
    """`the Kremlin spokesman` -> the person named right after those words elsewhere in the article."""
    if quote.source is None:
        return None
    description = [w for w in text[quote.source.start : quote.source.end].split() if w.lower() not in ("the", "a")]
    if not description or not is_role_noun(description[-1]):
        return None  # `the debate`, `the state`: a thing, which names nobody
    head_word = _title_word(description[-1])
    owners = [_title_word(word) for word in description[:-1] if word.endswith(("'s", "’s"))]
    # The source's own words are no description of somebody else.
    outside = Span(quote.source.start, quote.source.end + 40)
    named = people.named_after(head_word, outside, owners[-1] if owners else None)
    return str(named.text) if named is not None else None


_TITLE_READ_BACK = 4  # tokens read back from a name for its title (`his wife, former Senator`)


def _title_gender(ent: Any) -> str | None:
    """The gender a word of kin or office right before a mention tells (`Mr. Holm`, `his wife, Anneke Holm`,
    `Holm's husband, former Governor Piet Holm`, `the spokeswoman, Lidia Varn`), or a title the mention
    opens with: read back from the name over titles, adjectives, articles and commas to the first such
    word, in the same sentence. Any other word stops it, for what lies before it titles somebody else: `Mr.
    Dorn attacked Anneke Holm` and `a spokeswoman for Piet Holm` tell nothing of Holm."""
    for token in ent:  # a title the recogniser took into the name (`Mrs. Holm`)
        word = _title_word(token.text)
        opened = gender_by_titles([word])
        if opened is not None:
            return opened
        if word not in _TITLES:
            break
    doc = ent.doc
    for index in range(ent.start - 1, max(-1, ent.start - 1 - _TITLE_READ_BACK), -1):
        if doc[index + 1].is_sent_start:
            return None
        told = gender_by_titles([_title_word(doc[index].text)])
        if told is not None or not _passes_for_a_title(doc[index]):
            return told
    return None


def _subject_between(ent: Any, end: int) -> bool:
    """Another subject stands between a mention and the character `end` (`Holm asks as a guard walks in front
    of her, saying he ...`): a pronoun after it may be that subject's."""
    doc = ent.doc
    index = ent.end
    while index < len(doc) and doc[index].idx < end:
        if doc[index].dep_ in _SUBJECT_DEPS:
            return True
        index += 1
    return False


def _titles_gender(person: PersonForms) -> str | None:
    """The gender the titles right before a person's mentions give, when twice as many give it as the other."""
    votes = Counter(_title_gender(ent) for ent, _ in person)
    return majority(votes[FEMALE], votes[MALE])


def _passes_for_a_title(token: Any) -> bool:
    """A word that may stand between a name and its title: a comma, an article, an adjective (`former`,
    `longtime`) or another title (`Senator`, `Sen.`, `Vice President`)."""
    word = _title_word(token.text)
    return (
        token.text == ","
        or (token.pos_ in ("ADJ", "DET") and token.tag_ != "PRP$")
        or word in _TITLES
        or is_role_noun(token.text)
    )


def _title_word(word: str) -> str:
    """A word as the people index keys it: lower case, no edge punctuation or possessive ending, an
    abbreviated title spelt out (`Sen.` -> `senator`)."""
    plain = word.lower().strip(_NAME_EDGES).removesuffix("'s").removesuffix("’s")
    return TITLE_ABBREVIATIONS.get(plain, plain)


def _words_before(text: str, position: int) -> set[str]:
    """The (at most three) words right before `position` in its sentence and line, keyed by `_title_word`:
    `great president.'' Mr. Bush` gives `mr` only, since the sentence ends between, and `Mr. Obama and
    Hillary Clinton` gives nothing, since the words before `and` are another name's."""
    window = text[max(0, position - 60) : position]
    window = window[window.rfind("\n") + 1 :]
    found: set[str] = set()
    for raw in reversed(window.split()[-3:]):
        word = _title_word(raw)
        if raw[-1] in _SENTENCE_ENDS and raw.lower().strip(_NAME_EDGES) not in TITLE_ABBREVIATIONS:
            break
        if word in _JOINING_WORDS:
            break
        found.add(word)
    return found


def _relative_speaker(parsed: Parsed, quote: FoundQuote, people: People, last: tuple[str | None, int]) -> str | None:
    """Who a relative pronoun source (`who`, `which`, `that`) speaks for: its antecedent, the noun the
    relative clause hangs on, named as a source of its own would be (`Harbour Freedom PAC, which says`, `the
    harbour master, who said`); None when the parse gives no antecedent or the antecedent names nobody
    (`the alliance, which has declared`)."""
    noun = _antecedent_noun(parsed.doc, quote.source)
    if noun is None or noun.lower_ in _PRONOUNS or _coordinated(noun, parsed.doc, quote.source):
        return None  # `China and the United States, which`: two speakers, neither alone
    named = parsed.entity_holding(noun.i)
    if named is not None:
        return _plain_name(str(named.text)) if named.label_ in _SPEAKER_LABELS and _may_speak(named) else None
    phrase = parsed.doc[noun.left_edge.i : noun.i + 1]  # without the relative clause and what follows the noun
    if noun.pos_ == "PROPN" and all(token.text[:1].isupper() for token in phrase):
        return str(phrase.text)  # a name the recogniser missed: `Our Principles PAC`
    described = Span(phrase.start_char, phrase.end_char)
    return _speaker_for(parsed, replace(quote, source=described), people, last, None)


def _antecedent_noun(doc: Any, source: Span | None) -> Any:
    """The noun a relative pronoun's clause hangs on (`relcl`, reached over coordinated verbs), or the name
    that noun stands beside (`John Bentel, a staffer who told`: Bentel), or None. When the parse misses the
    clause (`the Chicago Police Department which reported`, parsed as an adverbial clause), `who` or `which`
    right after a noun, past a comma, hangs on that noun."""
    span = doc.char_span(source.start, source.end, alignment_mode="expand") if source is not None else None
    if span is None or not len(span):
        return None
    verb = span.root.head
    while verb.dep_ == "conj" and verb.head.i != verb.i:
        verb = verb.head
    noun = verb.head if verb.dep_ == "relcl" else _noun_right_before(span.root)
    if noun is None:
        return None
    while noun.dep_ == "appos" and noun.head.i != noun.i:
        noun = noun.head
    return noun


def _coordinated(noun: Any, doc: Any, source: Span | None) -> bool:
    """The clause is about two or more nouns joined by `and`: it hangs on the first (`China and the United
    States, which`, as the parse gives a clause after the whole coordination), or on the last, one person
    or thing, with a plural verb (`Govs. Jeb Bush and Chris Christie, who say`). On the last of a list
    with a verb that tells no number it is that one's (`…; and John Bentel, a staffer who told`)."""
    if any(child.dep_ == "conj" for child in noun.children):
        return True
    return noun.dep_ == "conj" and noun.tag_ in ("NN", "NNP") and _plural_clause(doc, source)


def _plural_clause(doc: Any, source: Span | None) -> bool:
    """The relative pronoun's verb is in the plural present (`who say`, `which have declared`, `who are`)."""
    span = doc.char_span(source.start, source.end, alignment_mode="expand") if source is not None else None
    if span is None or not len(span):
        return False
    verb = span.root.head
    words = [verb, *(child for child in verb.children if child.dep_ in ("aux", "auxpass"))]
    return any(word.tag_ == "VBP" or word.lower_ in ("are", "were") for word in words)


def _noun_right_before(pronoun: Any) -> Any:
    """The noun right before a `who` or `which` (past a comma), or None."""
    if pronoun.lower_ not in ("who", "which"):
        return None
    before = pronoun.i - 1
    if before >= 0 and pronoun.doc[before].text == ",":
        before -= 1
    noun = pronoun.doc[before] if before >= 0 else None
    return noun if noun is not None and noun.pos_ in ("NOUN", "PROPN") else None


def _organisation_of(doc: Any, person: Any) -> str | None:
    """A person's name followed by the body they lead names that body: `the Obama administration`."""
    following = doc[person.end] if person.end < len(doc) else None
    if following is None or following.lemma_.lower() not in BODY_NOUNS or _possessive(person):
        return None
    return f"{_plain_name(str(person.text))} {following.text.lower()}"


def _person_after_title(parsed: Parsed, source: Span) -> str | None:
    """A source cut after an abbreviated title (`Army Capt.` before `Christian Pardo`): the person named
    right after it."""
    words = parsed.text[source.start : source.end].split()
    if not words or words[-1].lower().strip(".") not in TITLE_ABBREVIATIONS:
        return None
    gap = parsed.text[source.end : source.end + 3]
    index = bisect_left(parsed.entity_start_chars, source.end)
    ent = parsed.entities[index] if index < len(parsed.entities) else None
    if ent is None or ent.label_ != "PERSON" or ent.start_char - source.end > 3 or not gap.startswith("."):
        return None
    return _plain_name(str(ent.text))


def _subject_of_the_sentence(parsed: Parsed, quote: FoundQuote) -> str | None:
    """A cue in a clause a preposition opens has the sentence's subject as its speaker (`Since announcing
    X as his running mate, Johnson has risen`): a person, named only, the source span left as found."""
    cue = parsed.doc.char_span(quote.cue.start, quote.cue.end, alignment_mode="expand")
    if cue is None or cue.root.dep_ != "pcomp" or cue.root.head.dep_ != "prep":
        return None
    clause = cue.root.head.head
    subject = next((child for child in clause.children if child.dep_ == "nsubj"), None)
    named = parsed.entity_holding(subject.i) if subject is not None else None
    return _plain_name(str(named.text)) if named is not None and named.label_ == "PERSON" else None


def _pronoun_speaker(
    parsed: Parsed, people: People, position: int, last: tuple[str | None, int], gender: str | None = None
) -> str | None:
    """`he`, `she`, `they`: a person who became a main clause's subject since the last quote (`Betsy
    Ebeling shook her head. "...," she said`), else the last speaker, else the last person named outside
    quotation marks; for `he` and `she` (`gender`), never a person the article tells is of the other
    gender. A last speaker of unknown gender not named again since its quote gives way to a person known to
    be of the pronoun's gender named since (`Obama said ... Holm was for the pact before she was against it.
    She has proposed`), and past the last speaker `he` or `she` is a person known to be of its gender named
    shortly before, else one of unknown gender named in its sentence or the one before, else nobody rather
    than a guess (`Like President Obama, I ... My mother ... she says`)."""
    last_speaker, last_end = last

    def fits(name: str) -> bool:  # `he` and `she` stand for a person, never a body (`the FBI`, `NBC News`)
        return gender is None or (speaker_kind(name) == PERSON and people.gender_of(name) in (None, gender))

    def known(name: str) -> bool:
        return fits(name) and (gender is None or people.gender_of(name) == gender)

    subject = _subject_since(parsed, people, last_end, position, fits)
    if subject is not None:
        return _plain_name(str(subject.text))
    if last_speaker is not None and known(last_speaker):
        return last_speaker
    if last_speaker is not None and fits(last_speaker):
        if _named_again(parsed, people, last_speaker, max(0, last_end), position):  # `Garcia's kids ...`
            return last_speaker
        since = _named_before(parsed, people, max(0, last_end), position, known)
        return since or last_speaker
    if gender is None:
        return _named_before(parsed, people, 0, position, fits)
    return _named_before(parsed, people, position - _PRONOUN_FALLBACK_REACH, position, known) or _named_before(
        parsed, people, _previous_sentence_start(parsed, position), position, fits
    )


def _named_again(parsed: Parsed, people: People, speaker: str, start: int, end: int) -> bool:
    """The speaker's surname is named again between `start` and `end` (as a person, or as a body's name the
    recogniser misread): the text still tells of the speaker."""
    surname = speaker.split()[-1] if speaker.split() else ""
    return any(_plain_name(str(ent.text)).split()[-1:] == [surname] for ent in people.between(start, end)) or any(
        ent.label_ == "ORG" and _plain_name(str(ent.text)) == surname
        for ent in parsed.entities_within(Span(start, end))
    )


def _previous_sentence_start(parsed: Parsed, position: int) -> int:
    """Where the sentence before the one holding the character `position` starts."""
    token = parsed.doc.char_span(position, position + 1, alignment_mode="expand")
    if token is None or not len(token):
        return position
    start = parsed.sentences.start(token[0].i)
    return int(parsed.doc[parsed.sentences.start(start - 1) if start > 0 else start].idx)


def _named_before(parsed: Parsed, people: People, start: int, end: int, fits: Callable[[str], bool]) -> str | None:
    """The last person named between `start` and `end` outside quotation marks whose name `fits`, or None; a
    person's name the recogniser read as a body's counts too (`Trump's handling ...`, Trump an ORG there)."""
    candidates = sorted(
        [*people.between(start, end), *people.misread_within(start, end)], key=lambda ent: -ent.start_char
    )
    named = next(
        (
            ent for ent in candidates
            if not is_inside(ent.start_char, parsed.quotations) and fits(_plain_name(str(ent.text)))
        ),
        None,
    )  # fmt: skip
    return _plain_name(str(named.text)) if named is not None else None


def _person_of_the_group(parsed: Parsed, people: People, group: Any, position: int) -> str | None:
    """`the Republican`: the last person named before `position` whom the article ties to that word in
    the same sentence (`Republican nominee Donald Trump`, `Pieter Dorn, the Republican`), or None."""
    word = group.root.lower_
    for mention in people.between(0, position):
        if is_inside(mention.start_char, parsed.quotations):
            continue
        sentence = mention.sent
        nearby = parsed.doc[max(sentence.start, mention.start - 4) : min(sentence.end, mention.end + 4)]
        if any(token.lower_ == word and token.ent_type_ == "NORP" for token in nearby):
            return _plain_name(str(mention.text))
    return None


def _person_described_before(parsed: Parsed, people: People, position: int, last: tuple[str | None, int]) -> str | None:
    """`the Republican`: a person who became a main clause's subject since the last quote, else the last
    speaker when a person (a description, unlike `he`, never stands for an organisation), else the last
    person named outside quotation marks."""
    last_speaker, last_end = last
    subject = _subject_since(parsed, people, last_end, position)
    if subject is not None:
        return _plain_name(str(subject.text))
    if last_speaker is not None and people.names_a_person(last_speaker):
        return last_speaker
    named = next((ent for ent in people.between(0, position) if not is_inside(ent.start_char, parsed.quotations)), None)
    return _plain_name(str(named.text)) if named is not None else None


def _subject_since(
    parsed: Parsed, people: People, start: int, end: int, fits: Callable[[str], bool] = lambda _: True
) -> Any:
    """The last person named between `start` and `end` as the subject of a sentence's main verb, outside
    quotation marks, whose name `fits`, or None."""
    return next(
        (ent for ent in people.between(start, end) if _main_subject(parsed, ent) and fits(_plain_name(str(ent.text)))),
        None,
    )


def _main_subject(parsed: Parsed, mention: Any) -> bool:
    """The mention is the subject of a sentence's main verb, outside quotation marks."""
    root = mention.root
    return bool(root.dep_ == "nsubj" and root.head.dep_ == "ROOT") and not is_inside(
        mention.start_char, parsed.quotations
    )


def _place_before(parsed: Parsed, position: int) -> str | None:
    """`the state` or `the country` as a speaker: the last place named shortly before that speaks as its
    government (`in Florida, when the state incorrectly stated`), or None."""
    index = bisect_left(parsed.entity_start_chars, position) - 1
    while index >= 0 and position - parsed.entities[index].start_char <= _PLACE_REACH:
        ent = parsed.entities[index]
        if ent.label_ == "GPE" and not ent.text.isupper() and government_place(str(ent.text)):
            return str(ent.text)
        index -= 1
    return None


def _body_before(parsed: Parsed, position: int, noun: str) -> str | None:
    """`the department` or `the court` as a speaker: the last body named shortly before whose name ends in
    that noun (`The Labor Department calculates ... according to the department`), or, for `the alliance`
    or `the bloc`, that is an intergovernmental organisation (`NATO`, by the event actors' table); or None."""
    index = bisect_left(parsed.entity_start_chars, position) - 1
    while index >= 0 and position - parsed.entities[index].start_char <= _BODY_REACH:
        ent = parsed.entities[index]
        if ent.label_ == "ORG" and _described_as(ent, noun) and not is_inside(ent.start_char, parsed.quotations):
            return _plain_name(str(ent.text)).removeprefix("The ")  # `The Labor Department`: no part of the name
        index -= 1
    return None


def _described_as(ent: Any, noun: str) -> bool:
    if ent[-1].lower_ == noun:
        return True
    actor = actor_named(_plain_name(str(ent.text))) if noun in _INTERGOVERNMENTAL_NOUNS else None
    return actor is not None and actor.kind == "IGO"


def _on_the_head(doc: Any, source: Span, ent: Any) -> bool:
    """The entity hangs on the source's head word (`NATO` in `NATO leadership`), or on a `by` or `from` of it
    that names its maker (`a video by the committee`), or holds it."""
    span = doc.char_span(source.start, source.end, alignment_mode="expand")
    if span is None or not len(span):
        return False
    root, parent = span.root, ent.root.head
    maker = parent.dep_ == "prep" and parent.lower_ in ("by", "from") and parent.head.i == root.i
    return bool(ent.start <= root.i < ent.end or parent.i == root.i or maker)


def _owner_of_a_work(inside: list[Any], words: list[str]) -> str | None:
    """The author of a book, report or analysis named as its owner (`E. J. Fleming's book`), when the
    source describes no person (`Putin's spokesman` is somebody else)."""
    if any(is_role_noun(word) for word in words):
        return None
    owners = [ent for ent in inside if ent.label_ in ("PERSON", "ORG") and _possessive(ent)]
    return _plain_name(str(owners[0].text)) if owners else None
