"""Read event mentions out of a spaCy parse: triggers from the PLOVER lexicon, their actors from the
dependency tree (subject, passive agent, indirect object, "to"/"with"/"against" phrases), coordinated
actors split into one mention each, the object, a date expression and the auxiliary mode.

Typing and actor resolution live in `newstrace.events`; this module only walks the parse.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, replace
from itertools import takewhile
from typing import Any

from newstrace.events.actors import Actor, country_of, find_actor, sector_only
from newstrace.events.dates import resolve_event_date
from newstrace.events.lexicon import (
    GOVERNING_TYPES,
    HUNGER_STRIKE,
    INTENTION_VERBS,
    LEXICON_DIGEST,
    NOUNS,
    OBLIGATION_REQUEST,
    ORDER_TO,
    PHRASAL,
    PROTEST_BY_STATE,
    READINESS_ADJECTIVES,
    REPORTING_VERBS,
    STRIKE_WITHOUT_OBJECT,
    TROOP_WORDS,
    VERB_OBJECT,
    VERBS,
    Trigger,
)
from newstrace.events.records import EventMention
from newstrace.events.types import FUTURE
from newstrace.memo import Memo
from newstrace.nlp.agents import names_a_body
from newstrace.nlp.spans import document_text

# Raise the revision when the extraction changes; the lexicon's digest changes the version by itself.
# 6: pronouns resolved or left out; a target that is the source's own thing dropped. 7: a weekday of an event
# told in the future is the coming one; a domestic actor takes no country from the state it acts on. 8: an
# actor is a named or nominal agent (no "a statement", "one"); a bare past participle's subject underwent it.
# 9: a day without its year told in the future is the coming one ("will vote on May 3" in February).
_REVISION = 9
# The version must fit a 32-bit integer (PostgreSQL's `stage_runs.version`): revisions up to 20 do.
EVENTS_STAGE_VERSION = _REVISION * 10**8 + int(LEXICON_DIGEST[:7], 16) % 10**8

_SUBJECTS = {"nsubj", "nsubjpass", "csubj"}
_OBJECTS = {"dobj", "obj"}
_TARGET_PREPOSITIONS = {"to", "with", "against", "on", "upon", "toward", "towards", "into", "from", "at"}
_PRONOUNS = {"he", "she", "him", "her"}
_FUTURE_AUX = {"will", "shall", "would", "'ll"}
_HYPOTHETICAL_AUX = {"could", "might", "may"}
_PHRASE_CUT = {"relcl", "acl", "advcl", "punct", "cc", "conj", "appos", "parataxis"}
_STANDALONE_INTENTIONS = {"agree", "promise", "pledge", "offer", "commit", "vow"}


@dataclass
class _Memory:
    """Actors met earlier in the document, so "Stoltenberg" and "he" resolve as the full name did."""

    by_name: dict[str, Actor] = field(default_factory=dict)
    last_person: Actor | None = None


@dataclass(frozen=True)
class _Argument:
    start: int
    end: int
    actor: Actor | None
    possessed: bool = False  # a thing its actor owns ("Putin's threat"), not the actor itself


@dataclass
class _Candidate:
    token: Any
    trigger: Trigger
    auxiliary: str | None = None
    frame: Any = None  # the verb whose subject is the actor (the intention verb for "pledged to deliver")


def extract_event_mentions(
    doc: Any, article_id: str, offset: int, article_date: str | None = None
) -> list[EventMention]:
    """Every event mention in `doc`, with offsets shifted by `offset` into the article text; with the
    article's date, each mention's date expression is resolved to a day."""
    memory = _Memory()
    mentions: list[EventMention] = []
    entities = list(doc.ents)
    starts = [ent.start for ent in entities]
    words = event_words(doc)
    for sentence in doc.sents:
        # `sentence.ents` walks every entity of the document: on a long transcript, once per sentence
        # made the stage quadratic. The sentence's entities are a slice of the document's, found by bisection.
        sentence_entities = entities[bisect_left(starts, sentence.start) : bisect_left(starts, sentence.end)]
        sentence_words = [doc[i] for i in words[bisect_left(words, sentence.start) : bisect_left(words, sentence.end)]]
        for candidate in _sentence_candidates(sentence_words):
            found = _mentions_of(candidate, sentence, sentence_entities, article_id, offset, memory)
            found = [_with_date(mention, article_date) for mention in found]
            mentions.extend(_recipient_from_context(found, mentions))
        _remember_people(document_text(sentence.doc), sentence_entities, memory)
    return mentions


def _with_date(mention: EventMention, article_date: str | None) -> EventMention:
    """The mention with its date expression resolved against the article's date (the workers know no
    article date, and the mention is kept as it is rather than copied)."""
    day = resolve_event_date(mention.date_text, article_date, ahead=mention.auxiliary == FUTURE)
    return mention if day == mention.date else replace(mention, date=day)


_NEEDS_RECIPIENT = {"AID", "COOPERATE"}  # the manual: "Requires recipient: Yes"


def _latest_with_recipient(mention: EventMention, earlier: list[EventMention]) -> EventMention | None:
    """The latest earlier mention of the same type with a recipient, within `_CONTEXT_CHARS` before (the
    walk back stops there, so a long text costs no more per mention than a short one)."""
    close = takewhile(lambda other: mention.trigger_start - other.trigger_start < _CONTEXT_CHARS, reversed(earlier))
    return next((other for other in close if other.event_type == mention.event_type and other.target_code), None)


_CONTEXT_CHARS = 600


def _recipient_from_context(found: list[EventMention], earlier: list[EventMention]) -> list[EventMention]:
    """AID and COOPERATE need a recipient; when the sentence names none ("... will each donate a new
    Patriot battery"), the recipient of the latest such event just before stands in, less confidently."""
    result = []
    for mention in found:
        previous = _latest_with_recipient(mention, earlier)
        if mention.event_type in _NEEDS_RECIPIENT and mention.target_code is None and previous is not None:
            fields = ("text", "start", "end", "code", "name", "kind", "sector")
            values = {f"target_{name}": getattr(previous, f"target_{name}") for name in fields}
            mention = replace(mention, **values, confidence=round(mention.confidence - 0.05, 2))
        result.append(mention)
    return result


def candidate_words(doc: Any) -> list[int]:
    """The indices of the tokens an event may be read from, in order: verbs (a trigger, an intention, a
    reporting verb), adjectives (`ready to`) and nouns (an event noun). Told from the part-of-speech ids,
    so the other tokens of a sentence cost no `Token`."""
    import numpy
    from spacy.attrs import POS
    from spacy.symbols import ADJ, NOUN, VERB  # spaCy loads with the pipeline, not with this module

    if not len(doc):
        return []
    parts_of_speech = doc.to_array([POS]).reshape(-1)
    return [int(index) for index in numpy.flatnonzero(numpy.isin(parts_of_speech, [VERB, ADJ, NOUN]))]


def event_words(doc: Any) -> list[int]:
    """The `candidate_words` that may start an event in `_sentence_candidates`: a verb whose lemma or
    regular base form a trigger, an intention or a reporting verb starts with (any verb in a document
    that says "hunger"), an adjective of readiness, a noun of the event nouns. Told from the ids of each
    word's part of speech, lemma, lower form and tag, judged once per combination."""
    from spacy.attrs import LEMMA, LOWER, POS, TAG

    words = candidate_words(doc)
    if not words:
        return []
    ids = doc.to_array([POS, LEMMA, LOWER, TAG])[words].tolist()
    judged = _MAY_START.answers()
    strings, verb = doc.vocab.strings, _verb_id() if _mentions_hunger(doc) else None
    kept = []
    for index, key in zip(words, map(tuple, ids), strict=True):
        if key not in judged:
            judged[key] = _may_start_event(*(strings[value] for value in key))
        if judged[key] or key[0] == verb:
            kept.append(index)
    return kept


def _may_start_event(part_of_speech: str, lemma: str, lower: str, tag: str) -> bool:
    """Whether `_sentence_candidates` may read an event from a word with these attributes (a verb's
    hunger strike aside)."""
    lemma = lemma.lower()
    if part_of_speech == "VERB":
        forms = [lemma, lower[:-1], lower[:-2]] if lower.endswith("ed") and tag in ("VBD", "VBN") else [lemma]
        return any(form in _TRIGGER_LEMMAS for form in forms) or lemma in INTENTION_VERBS or lemma in REPORTING_VERBS
    if part_of_speech == "ADJ":
        return lemma in READINESS_ADJECTIVES
    return part_of_speech == "NOUN" and lemma in NOUNS


def _verb_id() -> int:
    from spacy.symbols import VERB

    return int(VERB)


# Judged per (part of speech, lemma, lower form, tag) ids: the lexicon is fixed once loaded, and a
# corpus repeats its words' combinations.
_MAY_START: Memo[tuple[int, ...], bool] = Memo(lambda: VERBS)


def _sentence_candidates(words: list[Any]) -> list[_Candidate]:
    """The events of a sentence, from its verbs, adjectives and nouns (`candidate_words`) in text order."""
    found = {token.i: _Candidate(token, trigger) for token in words if (trigger := _trigger_of(token))}
    for token in words:
        if token.pos_ == "VERB" and token.lemma_.lower() in INTENTION_VERBS:
            _carry_intention(token, found)
        elif token.pos_ == "ADJ" and token.lemma_.lower() in READINESS_ADJECTIVES:
            _carry_readiness(token, found)
        elif token.pos_ == "VERB" and token.lemma_.lower() in REPORTING_VERBS and token.i not in found:
            _obligation_as_request(token, found)
    if not found:
        return _nominal_candidates(words)
    governed = {
        index for index, candidate in found.items()
        if _under_governing(candidate.token, found) or _purpose_of_another(candidate.token, found)
    }  # fmt: skip
    return [candidate for index, candidate in sorted(found.items()) if index not in governed]


def _nominal_candidates(words: list[Any]) -> list[_Candidate]:
    """A sentence without an event verb may name its event with a noun ("riots against", "a visit"):
    the first such noun outside conditional, temporal and relative clauses is the event."""
    noun = next(
        (
            t for t in words
            if t.pos_ == "NOUN" and t.lemma_.lower() in NOUNS and not any(_aside(node) for node in (t, *t.ancestors))
        ),
        None,
    )  # fmt: skip
    return [] if noun is None else [_Candidate(noun, NOUNS[noun.lemma_.lower()])]


def _nominal_arguments(noun: Any, memory: _Memory) -> tuple[list[_Argument], list[_Argument], None]:
    """An event noun's source is its possessor or nationality ("Israel's invasion", "Palestinian
    riots"), else the subject of the verb it hangs from ("Iraq's president arrived on a visit"); its
    target is named in its "of / against / on / with / to" phrase, else in the verb's complements."""
    sources = [
        _Argument(child.idx, child.idx + len(child.text), actor)
        for child in noun.children
        if child.dep_ in ("poss", "amod", "compound") and (actor := find_actor(child.text)) is not None
    ][:1]
    verb = next((node for node in noun.ancestors if node.pos_ in ("VERB", "AUX")), None)
    subject = _subject_of(verb) if verb is not None and not sources else None
    if subject is not None and subject.dep_ == "nsubjpass":
        # "a Fijian was put under investigation in Tonga": the one named is the target, the place acts
        named = _conjuncts(subject, memory)
        return _named_in_complements(verb, named), named, None
    if subject is not None:
        sources = _conjuncts(subject, memory)
    taken = {(arg.start, arg.end) for arg in sources}
    venue = [_Argument(chunk.start_char, chunk.end_char, None) for chunk in _venue_of(noun)]
    targets: list[_Argument] = []
    for child in noun.children:
        if child.dep_ == "prep" and child.lower_ in _NOMINAL_TARGET_PREPOSITIONS and not targets:
            targets = _first_named(child, taken | {(arg.start, arg.end) for arg in venue})
    if not targets and verb is not None:
        targets = _named_in_complements(verb, [*sources, *venue])
    return sources, targets, None


_NOMINAL_TARGET_PREPOSITIONS = {"of", "against", "on", "with", "to", "into", "in", "from"}


def _venue_of(noun: Any) -> list[Any]:
    """The noun chunks naming where a meeting is held ("a summit in Washington", "talks at the Kremlin"):
    its venue, not whom it consults; other event nouns keep their "in" ("an intervention in Mali")."""
    if NOUNS[noun.lemma_.lower()].event_type != "CONSULT":
        return []
    places = [child for child in noun.children if child.dep_ == "prep" and child.lower_ in ("in", "at")]
    return [chunk for place in places for chunk in _chunks_under(place)]


def _carry_readiness(adjective: Any, found: dict[int, _Candidate]) -> None:
    """ "is willing to send", "stands ready to mediate": the action is an intention of the subject."""
    complement = next((child for child in adjective.children if child.dep_ == "xcomp"), None)
    if complement is not None and complement.i in found:
        found[complement.i].auxiliary = "future"
        found[complement.i].frame = adjective.head


_OBLIGATION_AUX = {"must", "should"}


def _obligation_as_request(verb: Any, found: dict[int, _Candidate]) -> None:
    """ "X said that Y must withdraw" asks Y to withdraw: a REQUEST by the speaker (the manual's demand),
    which governs the action asked for."""
    for clause in (child for child in verb.children if child.dep_ == "ccomp"):
        if any(child.dep_ == "aux" and child.lower_ in _OBLIGATION_AUX for child in clause.children):
            found[verb.i] = _Candidate(verb, OBLIGATION_REQUEST)
            return


def _purpose_of_another(token: Any, found: dict[int, _Candidate]) -> bool:
    """ "staged a march to demand reforms": a purpose clause is part of the event it serves."""
    if token.dep_ not in ("advcl", "xcomp", "acl") or token.head.i not in found:
        return False
    head_type = found[token.head.i].trigger.event_type
    purposeful = any(child.dep_ == "aux" and child.lower_ == "to" for child in token.children)
    return purposeful and head_type not in GOVERNING_TYPES and head_type != "AGREE"


def _carry_intention(verb: Any, found: dict[int, _Candidate]) -> None:
    """ "pledged to deliver": the delivery is the event, in the future, with the pledger as its actor."""
    complement = next((child for child in verb.children if child.dep_ in ("xcomp", "ccomp")), None)
    if complement is not None and complement.i in found:
        child = found[complement.i]
        child.auxiliary = "future"
        child.frame = verb
        found.pop(verb.i, None)
    elif verb.lemma_.lower() not in _STANDALONE_INTENTIONS:
        found.pop(verb.i, None)


def _under_governing(token: Any, found: dict[int, _Candidate]) -> bool:
    """A complement of a request, threat, rejection, accusation or endorsement is part of that event."""
    node = token
    while node.dep_ in ("xcomp", "ccomp", "conj") and node.head is not node:
        node = node.head
        if node.i in found and found[node.i].trigger.event_type in GOVERNING_TYPES and node.dep_ != "conj":
            return True
    return False


def _trigger_of(token: Any) -> Trigger | None:
    if token.pos_ != "VERB":
        return None
    for lemma in _lemmas(token):
        if (found := _trigger_with_lemma(token, lemma)) is not None:
            return found
    return None


def _lemmas(token: Any) -> list[str]:
    """The token's lemma, then its regular base forms: the lemmatizer misreads a few inflected verbs
    ("staged" as "stag")."""
    lemma, lower = token.lemma_.lower(), token.lower_
    forms = [lemma]
    if lower.endswith("ed") and token.tag_ in ("VBD", "VBN"):
        forms += [lower[:-1], lower[:-2]]
    return forms


# The lemmas that may trigger an event by themselves or with a particle, an object or a complement; any
# other verb triggers one only with "hunger strike" as its object ("began a hunger strike").
_TRIGGER_LEMMAS = frozenset(
    [*VERBS, *(lemma for lemma, _ in PHRASAL), *(lemma for lemma, _ in VERB_OBJECT), "send", "strike", "order"]
)


def _trigger_with_lemma(token: Any, lemma: str) -> Trigger | None:
    if lemma not in _TRIGGER_LEMMAS:  # most verbs: their children are not worth a `Token` each
        return _hunger_strike(token)
    for child in token.children:
        if child.dep_ in ("prt", "prep") and (found := PHRASAL.get((lemma, child.lower_))):
            return found
    objects = [child for child in token.children if child.dep_ in _OBJECTS]
    for child in objects:
        if child.lemma_.lower() == "strike" and any(grand.lower_ == "hunger" for grand in child.children):
            return HUNGER_STRIKE
        if found := VERB_OBJECT.get((lemma, child.lemma_.lower())):
            return found
    if lemma == "send" and any(child.lower_ in TROOP_WORDS for child in objects):
        return VERB_OBJECT[("send", "troop")]
    if lemma == "strike" and not objects:
        return STRIKE_WITHOUT_OBJECT
    if lemma == "order" and any(child.dep_ == "xcomp" for child in token.children):
        return ORDER_TO  # "ordered the minister to appear": a demand
    return VERBS.get(lemma)


def _hunger_strike(token: Any) -> Trigger | None:
    """ "went on hunger strike" is a protest whatever the verb, once no other trigger is read from it."""
    if not _mentions_hunger(token.doc):
        return None
    objects = (child for child in token.children if child.dep_ in _OBJECTS)
    if any(child.lemma_.lower() == "strike" and any(g.lower_ == "hunger" for g in child.children) for child in objects):
        return HUNGER_STRIKE
    return None


def _mentions_hunger(doc: Any) -> bool:
    """Whether the word "hunger" is anywhere in the document (asked once per document)."""
    found = doc.user_data.get("newstrace.hunger")
    if found is None:
        found = doc.user_data["newstrace.hunger"] = "hunger" in document_text(doc).lower()
    return bool(found)


def _event_date(trigger: Any, sentence_entities: list[Any]) -> Any:
    """The sentence's first date that is not in a relative clause the trigger is outside of: in "the
    council, which first met on March 3, 2008, condemned Vanuatu on Tuesday" the condemnation's is Tuesday."""
    trigger_line = {trigger, *trigger.ancestors}
    return next(
        (
            ent
            for ent in sentence_entities
            if ent.label_ == "DATE"
            and not any(word.dep_ == "relcl" and word not in trigger_line for word in (ent.root, *ent.root.ancestors))
        ),
        None,
    )


def _mentions_of(
    candidate: _Candidate, sentence: Any, sentence_entities: list[Any], article_id: str, offset: int, memory: _Memory
) -> list[EventMention]:
    token = candidate.token
    frame = candidate.frame if candidate.frame is not None else token
    if token.pos_ == "NOUN":
        sources, targets, thing = _nominal_arguments(token, memory)
    else:
        sources, targets, thing = _arguments(token, frame, memory)
    sources = [_domestic_actor(source, sentence, targets) for source in sources]
    if candidate.trigger.event_type == "ACCUSE":
        targets = _accused(token) or targets
    apart = _targets_apart(sources, targets, token)
    owns_its_target = bool(targets) and not apart  # "Lula's threat": no recipient, not a domestic one
    targets = apart
    trigger = candidate.trigger
    if token.lemma_.lower() == "protest" and any(_is_state(source.actor) for source in sources):
        trigger = PROTEST_BY_STATE
    auxiliary = _auxiliary(token, frame) or candidate.auxiliary
    date = _event_date(token, sentence_entities)
    text = document_text(sentence.doc)
    trigger_start = offset + token.idx
    base: dict[str, object] = {
        "article_id": article_id,
        "event_type": trigger.event_type,
        "mode": trigger.mode,
        "auxiliary": auxiliary,
        "sentence_start": offset + sentence.start_char,
        "sentence_end": offset + sentence.end_char,
        "trigger_text": token.text,
        "trigger_start": trigger_start,
        "trigger_end": trigger_start + len(token.text),
        "object_text": text[thing[0] : thing[1]] if thing else None,
        "object_start": offset + thing[0] if thing else None,
        "object_end": offset + thing[1] if thing else None,
        "date_text": date.text if date is not None else None,
        "date_start": offset + date.start_char if date is not None else None,
        "date_end": offset + date.end_char if date is not None else None,
    }
    mentions = []
    for number, (source, target) in enumerate(_pairs(sources, targets)):
        # one `EventMention` built from its values: the dataclass is frozen and has some thirty fields,
        # so each `replace` of a field costs as much as building it again
        values = {**base, "id": f"{article_id}-{trigger_start}-{number}"}
        values |= _actor_values("source", source, text, offset)
        values |= _actor_values("target", target, text, offset)
        values["confidence"] = _confidence(values)
        if not owns_its_target:
            values |= _domestic_target(values, source)
        mentions.append(EventMention(**values))  # type: ignore[arg-type]
    return mentions


def _targets_apart(sources: list[_Argument], targets: list[_Argument], trigger: Any) -> list[_Argument]:
    """The targets that are someone besides the source and the event itself; when none is, the first
    actor the trigger's complements name beyond them ("insisted on its demands that Burundi's
    government ..." is a demand of the government, not of the demands)."""
    kept = [target for target in targets if _apart(target, sources, trigger)]
    if kept or not targets:
        return kept
    further = _named_in_complements(trigger, [*sources, *targets])
    return [target for target in further if _apart(target, sources, trigger)]


def _apart(target: _Argument, sources: list[_Argument], trigger: Any) -> bool:
    """Whether the target is someone besides a source or the event itself: the phrase of an event noun ("the
    NATO summit" for "summit"), a source's own phrase (a passive's place found again among the
    complements), or a thing a source owns ("Putin's threat" for Putin)."""
    if target.start <= trigger.idx < target.end:
        return False
    for source in sources:
        if source.start < target.end and target.start < source.end:
            return False
        owner = source.actor
        if target.possessed and owner is not None and target.actor is not None and owner.code == target.actor.code:
            return False
    return True


def _domestic_target(mention: dict[str, object], source: _Argument | None) -> dict[str, object]:
    """A sentence that names no recipient reports a domestic event (police arresting, a government
    imposing a curfew, a court banning a party): the recipient is the source's own country, as CAMEO
    and PLOVER code it, kept without text or offsets since the text names no one, and less confident.
    Returns the values of `mention` (a mention's fields) that change: none when it has its recipient."""
    actor = source.actor if source is not None else None
    if mention["target_code"] is not None or actor is None or actor.kind not in _DOMESTIC_KINDS:
        return {}
    if mention["event_type"] in _NEEDS_RECIPIENT:  # a gift has a recipient: the context's, found later
        return {}
    country = country_of(actor)
    confidence = mention["confidence"]
    assert isinstance(confidence, float)
    return {
        "target_code": country.code,
        "target_name": country.name,
        "target_kind": "country",
        "confidence": round(confidence - 0.1, 2),
    }


_DOMESTIC_KINDS = {"country", "group"}


def _pairs(sources: list[_Argument], targets: list[_Argument]) -> list[tuple[_Argument | None, _Argument | None]]:
    """One mention per resolved source and target; unresolved conjuncts ("other partners") are dropped
    when another conjunct resolves."""
    kept_sources: list[_Argument | None] = [s for s in sources if s.actor] or [*sources[:1]] or [None]
    kept_targets: list[_Argument | None] = [t for t in targets if t.actor] or [*targets[:1]] or [None]
    return [(s, t) for s in kept_sources for t in kept_targets]


def _accused(token: Any) -> list[_Argument]:
    """ "Chile complained to the UN over Peruvian raids": a complaint's target is whom it is about; the
    one it is made to is its audience."""
    for child in token.children:
        if child.dep_ == "prep" and child.lower_ in ("over", "about") and (found := _first_named(child)):
            return found
    return []


def _domestic_actor(argument: _Argument, sentence: Any, targets: list[_Argument]) -> _Argument:
    """ "Judge Ana Ruiz opened an inquiry into Chilean officials", "thousands of students marched in
    Lima": a domestic actor (an office holder, the police, protesters, rebels) named without a country
    belongs to the country the sentence is about, the first one it names outside the phrase. A country
    that is itself the event's recipient is no such place: "Its minister condemned Peru" (after "Chile
    leads the bloc.") is Chile's minister or nobody's, never Peru's condemning Peru."""
    if argument.actor is not None:
        return argument
    sector = sector_only(document_text(sentence.doc)[argument.start : argument.end])
    if sector not in _DOMESTIC_SECTORS:
        return argument
    recipients = {target.start for target in targets if _the_country_itself(target.actor)}
    starts, ends = _noun_chunks(sentence.doc, sentence.start)
    for n in range(bisect_left(starts, sentence.start), bisect_left(starts, sentence.end)):
        chunk = sentence.doc[starts[n] : ends[n]]
        if argument.start <= chunk.start_char < argument.end:
            continue
        if chunk.start_char in recipients and chunk.root.dep_ in _OBJECTS:
            continue  # the state acted on ("condemned Peru"), not a place named ("attacked a post in Peru")
        if (country := find_actor(chunk.text)) is not None and country.kind == "country":
            return replace(argument, actor=Actor(country.code, country.name, "country", sector))
    return argument


_DOMESTIC_SECTORS = {
    "GOV", "JUD", "MIL", "COP", "LEG", "CVL", "REB", "OPP", "LAB", "EDU", "MED", "REL", "AGR", "BUS", "JRN", "UAF",
    "CRM", "PTY", "REF", "ELI", "RAD",
}  # fmt: skip


def _actor_values(role: str, argument: _Argument | None, text: str, offset: int) -> dict[str, object]:
    """A mention's fields for its source or target (`role`): the phrase, and the actor when one is coded;
    the fields' defaults (none) when there is no such argument."""
    if argument is None:
        return {f"{role}_{name}": None for name in _ACTOR_FIELDS}
    actor = argument.actor
    values: dict[str, object] = {
        f"{role}_text": text[argument.start : argument.end],
        f"{role}_start": offset + argument.start,
        f"{role}_end": offset + argument.end,
    }
    coded = (actor.code, actor.name, actor.kind, actor.sector) if actor is not None else (None, None, None, None)
    values |= {f"{role}_{name}": value for name, value in zip(_ACTOR_FIELDS[3:], coded, strict=True)}
    return values


_ACTOR_FIELDS = ("text", "start", "end", "code", "name", "kind", "sector")


def _confidence(mention: dict[str, object]) -> float:
    """A rough score: a lexicon trigger is worth 0.5; each resolved actor adds to it."""
    score = 0.5 + (0.25 if mention["source_code"] else 0.0) + (0.15 if mention["target_code"] else 0.0)
    score += 0.1 if mention["mode"] else 0.0
    return round(min(score, 1.0), 2)


def _the_country_itself(actor: Actor | None) -> bool:
    """A country named as such ("Peru"), not a part of it ("Peruvian officials", "Peruvian hospitals")."""
    return actor is not None and actor.kind == "country" and actor.sector is None


def _is_state(actor: Actor | None) -> bool:
    return actor is not None and actor.kind in ("country", "IGO") and actor.sector in (None, "GOV")


def _arguments(
    token: Any, frame: Any, memory: _Memory
) -> tuple[list[_Argument], list[_Argument], tuple[int, int] | None]:
    sources: list[_Argument] = []
    targets: list[_Argument] = []
    thing: tuple[int, int] | None = None
    subject = _subject_of(frame) or _subject_of(token)
    # the passive of a verb of intention is not the event's: "X was scheduled / is expected to speak" speaks,
    # "X is expected to be ratified" is ratified
    own_passive = (
        subject is not None
        and subject.dep_ == "nsubjpass"
        and (frame.i == token.i or subject.head.i != frame.i or any(c.dep_ == "auxpass" for c in token.children))
    )
    passive = subject is not None and (own_passive or _bare_participle(token, frame))
    if subject is not None:
        (targets if passive else sources).extend(_conjuncts(subject, memory))
    for child in token.children:
        if child.dep_ == "agent":
            sources.extend(arg for pobj in child.children if pobj.dep_ == "pobj" for arg in _conjuncts(pobj, memory))
        elif child.dep_ in ("dative", "iobj"):
            found = [arg for arg in _conjuncts(_pobj_or_self(child), memory)]
            targets.extend(found)
        elif child.dep_ in _OBJECTS:
            found = _conjuncts(child, memory)
            if any(arg.actor for arg in found) and not targets:
                targets.extend(found)
            elif thing is None:
                thing = _phrase(child)
        elif child.dep_ == "prep" and child.lower_ in _TARGET_PREPOSITIONS:
            for pobj in (gc for gc in child.children if gc.dep_ == "pobj"):
                found = _conjuncts(pobj, memory)
                if any(arg.actor for arg in found) and not targets:
                    targets.extend(found)
                elif child.lower_ == "with" and thing is None:
                    thing = _phrase(pobj)
    if not any(arg.actor for arg in targets):
        targets = _named_in_complements(token, sources) or targets
    if passive and not sources:
        sources = _place_of(token)
    return sources, targets, thing


def _bare_participle(token: Any, frame: Any) -> bool:
    """A past participle told without "have" on its way to its subject ("Many people dead and wounded",
    "the victims, the wounded"): passive, so its subject underwent the event rather than did it. One
    modifying a noun is left to `_acting_noun` (the parser reads "Doctors ... donated" so)."""
    if token.i != frame.i or token.tag_ != "VBN" or any(child.dep_ == "nsubj" for child in token.children):
        return False  # a participle with a subject of its own is an active verb the tagger misread
    node = token
    for _ in range(4):  # the verbs `_subject_of` climbs through
        if node.dep_ == "acl" or any(child.dep_ == "aux" and child.lemma_ == "have" for child in node.children):
            return False
        if node.dep_ not in ("xcomp", "conj", "advcl") or node.head is node:
            return True
        node = node.head
    return True


def _place_of(verb: Any) -> list[_Argument]:
    """ "was arrested in Fiji": a passive event without its agent is the place's doing (CAMEO codes the
    unnamed authorities or attackers to the country where it happened)."""
    for child in verb.children:
        if child.dep_ == "prep" and child.lower_ in ("in", "at") and (found := _first_named(child)):
            return found
    return []


# Where a target may be named further down than the verb's own slots: "threatened to cut off gas to the
# Bolivian province", "demanded that Peru withdraw", "imposed tariffs against Chilean copper".
_COMPLEMENT_DEPS = {"dobj", "obj", "dative", "iobj", "xcomp", "ccomp", "prep", "attr", "oprd", "nsubjpass"}


def _named_in_complements(token: Any, sources: list[_Argument]) -> list[_Argument]:
    """The first actor named in the trigger's objects and complements, in text order (subordinate
    "if"/"unless" clauses, relative clauses and the source's own phrase left out)."""
    taken = {(arg.start, arg.end) for arg in sources}
    for child in token.children:
        if child.dep_ in _COMPLEMENT_DEPS and not _aside(child) and (found := _first_named(child, taken)):
            return found
    return []


def _first_named(head: Any, taken: set[tuple[int, int]] | None = None) -> list[_Argument]:
    """The first noun chunk under `head` that names an actor (and is not one of `taken`), as an argument."""
    for chunk in _chunks_under(head):
        start, end = chunk.start_char, chunk.end_char
        if (start, end) not in (taken or set()) and (actor := find_actor(chunk.text)) is not None:
            return [_Argument(start, end, actor, _possessed(chunk.root))]
    return []


def _possessed(head: Any) -> bool:
    """Whether a phrase names a thing someone owns ("Ghana's prospects", "Putin's threat") rather than
    an actor: its head is a common noun with a possessor and names no one itself ("Ghana's army" does)."""
    owned = head.pos_ == "NOUN" and any(child.dep_ == "poss" for child in head.children)
    return owned and find_actor(head.text) is None and sector_only(head.text) is None


def _chunks_under(head: Any) -> list[Any]:
    """The noun chunks inside `head`'s subtree, without its adverbial and relative clauses."""
    first, last = head.left_edge.i, head.right_edge.i
    starts, ends = _noun_chunks(head.doc, head.i)
    inside = [
        head.doc[starts[n] : ends[n]]
        for n in range(bisect_left(starts, first), bisect_left(starts, last + 1))
        if ends[n] - 1 <= last
    ]
    if not inside:
        return []
    excluded = {
        node.i for child in head.subtree if child.i != head.i and _aside(child) for node in child.subtree
    }  # fmt: skip
    return [chunk for chunk in inside if chunk.root.i not in excluded]


# Prepositions that set a time or an attribution, never a recipient ("according to a statement signed
# by NATO members", "after talks with Iran").
_ASIDE_PREPOSITIONS = {"according", "after", "before", "during", "since", "until", "amid", "despite"}


def _aside(token: Any) -> bool:
    """A clause or phrase beside the event rather than part of it: conditional and temporal clauses,
    relative clauses, time and attribution phrases."""
    if token.dep_ == "advcl":  # "unless Benin attends", "when talks resume"; not "to be deployed in X"
        return any(child.dep_ == "mark" for child in token.children)
    if token.dep_ == "relcl":  # "which borders Peru"; not an infinitive ("a call for monitors to be sent to X")
        return not any(child.dep_ == "aux" and child.lower_ == "to" for child in token.children)
    return token.dep_ == "prep" and token.lower_ in _ASIDE_PREPOSITIONS


def _noun_chunks(doc: Any, index: int) -> tuple[list[int], list[int]]:
    """The token starts and ends of the noun chunks of the sentence that holds token `index` (of the whole
    document when an arc of the parse crosses a sentence's bounds), each found once (`_NounChunks`)."""
    chunks = doc.user_data.get("newstrace.noun_chunks")
    if chunks is None:
        chunks = doc.user_data["newstrace.noun_chunks"] = _NounChunks(doc)
    return chunks.around(index)  # type: ignore[no-any-return]


class _NounChunks:
    """The bounds of a document's noun chunks, found a sentence at a time as the stage asks for them.

    spaCy walks the whole parse for `doc.noun_chunks`; asked per trigger, that made the stage quadratic,
    and found once per document it still walks every sentence, most of which hold no event. The
    language's chunk iterator, given one sentence, finds that sentence's chunks of the whole document's,
    as long as no arc of the parse crosses a sentence's bounds (its only state across words, the last
    chunk's head, then never reaches into the next sentence); a parse where one does is read whole, as
    before. The iterator gives the bounds themselves, where `doc.noun_chunks` would make a `Span` of each
    only for the stage to read back two numbers."""

    def __init__(self, doc: Any) -> None:
        import numpy
        from spacy.attrs import HEAD

        self.doc = doc
        self.find = doc.noun_chunks_iterator
        if self.find is None:
            raise NotImplementedError(f"spaCy finds no noun chunks in language {doc.lang_!r}")
        self.sentence_starts = [sentence.start for sentence in doc.sents]
        positions = numpy.arange(len(doc))
        sentence_of = numpy.searchsorted(self.sentence_starts, positions, side="right")
        heads = positions + doc.to_array([HEAD]).astype(numpy.int64).reshape(-1)
        self.whole = bool(len(doc)) and bool((sentence_of[heads] != sentence_of).any())
        self.found: dict[int, tuple[list[int], list[int]]] = {}

    def around(self, index: int) -> tuple[list[int], list[int]]:
        """The chunks of token `index`'s sentence, or of the whole document when it is read whole."""
        if self.whole:
            start, end = 0, len(self.doc)
        else:
            number = bisect_right(self.sentence_starts, index) - 1
            start = self.sentence_starts[number]
            end = self.sentence_starts[number + 1] if number + 1 < len(self.sentence_starts) else len(self.doc)
        chunks = self.found.get(start)
        if chunks is None:
            bounds = [(first, last) for first, last, _ in self.find(self.doc[start:end])]
            chunks = self.found[start] = ([first for first, _ in bounds], [last for _, last in bounds])
        return chunks


def _pobj_or_self(token: Any) -> Any:
    return next((child for child in token.children if child.dep_ == "pobj"), token)


def _subject_of(verb: Any) -> Any:
    node = verb
    for _ in range(4):  # "plan to provide", "will each donate", conjoined verbs share the subject
        subject = next((child for child in node.children if child.dep_ in _SUBJECTS), None)
        if subject is not None:
            return subject
        if node.dep_ == "acl" and (actor := _acting_noun(node)) is not None:
            return actor
        if node.dep_ not in ("xcomp", "conj", "advcl") or node.head is node:
            return None
        node = node.head
    return None


def _acting_noun(verb: Any) -> Any:
    """The noun that acts in a verb parsed as modifying a noun: the sentence's root when the parser made
    a noun the root ("Doctors from two charities donated ...": no verb heads the sentence), else the noun
    an active participle modifies ("militants attacking the town")."""
    root = verb.sent.root
    if root.pos_ in ("NOUN", "PROPN"):
        return root
    if verb.tag_ in ("VBD", "VBG") and verb.head.pos_ in ("NOUN", "PROPN"):
        return verb.head
    return None


def _conjuncts(head: Any, memory: _Memory) -> list[_Argument]:
    """The head and each noun coordinated with it, each as its own phrase and actor. A relative pronoun
    stands for the noun its clause modifies, with the nouns coordinated with that one ("Iran and China,
    who support Moscow"); a pronoun no one resolves names no actor and is left out (a story's events
    would otherwise show "who" or "it" acting)."""
    antecedent = _antecedent_of_relative(head)
    if antecedent is not None:
        heads = sorted([antecedent, *antecedent.conjuncts], key=lambda token: token.i)
    else:
        heads = [head, *[token for token in head.conjuncts if token.i > head.i]]
    arguments = [(token, _argument(token, memory)) for token in heads]
    return [argument for token, argument in arguments if argument.actor is not None or _names_an_agent(token, argument)]


def _names_an_agent(head: Any, argument: _Argument) -> bool:
    """Whether a phrase no actor table codes still names someone who can act: a name (a proper noun, or a
    person, group or place the parser recognises) or a noun the sector words or the agent dictionary know
    ("voters", "a group of researchers"); not a pronoun or a number standing for a noun ("it", "one that
    calls ..."), nor a thing or a feeling ("a statement calling on ...", "my deepest sympathy")."""
    if _pronoun(head) or head.like_num:
        return False
    if sector_only(document_text(head.doc)[argument.start : argument.end]) is not None:
        return True
    # a group, a share or the head of someone ("a group of researchers", "the head of Sony") is as they are
    of = [grand for child in head.children if child.lower_ == "of" for grand in child.children if grand.dep_ == "pobj"]
    return any(_agent_word(noun) for noun in [head, *of])


def _agent_word(noun: Any) -> bool:
    """A name, a noun formed as one who acts, or a body's ("the lagoon council", "the campaign")."""
    lemma = noun.lemma_.lower()
    return (
        noun.pos_ == "PROPN"
        or noun.ent_type_ in _AGENT_ENTITIES
        or bool(_AGENT_NOUN.search(lemma))
        or names_a_body(lemma)
    )


_AGENT_ENTITIES = {"PERSON", "ORG", "NORP", "GPE"}
# A noun formed as one who does something ("voter", "moderator", "activist", "physician", "nominee"),
# or a word for people itself: an agent whatever the lexicons know of it.
_AGENT_NOUN = re.compile(r"\w{3}(er|or|ist|ian|ee|eer)$|(^|\w)(man|woman|men|women|person|people)$")


def _pronoun(token: Any) -> bool:
    """A pronoun or a bare determiner standing for a noun ("it", "who", "That promises ...")."""
    return token.pos_ == "PRON" or token.tag_ in _PRONOUN_TAGS or token.lower_ in _DEMONSTRATIVES


_PRONOUN_TAGS = {"PRP", "WP", "WDT", "DT"}
_DEMONSTRATIVES = {"this", "that", "these", "those"}  # the parser tags a quoted "That," as a conjunction


def _antecedent_of_relative(token: Any) -> Any:
    """ "adversaries, including Iran, who support Moscow": the noun a relative pronoun's clause hangs
    from; None for any other word, and for "that" or "which" heading no relative clause."""
    clause = token.head
    is_relative = token.tag_ in ("WP", "WDT") or token.lower_ == "that"
    if is_relative and clause.dep_ == "relcl" and clause.head.pos_ in ("NOUN", "PROPN"):
        return clause.head
    return None


def _argument(token: Any, memory: _Memory) -> _Argument:
    start, end = _phrase(token)
    text = document_text(token.doc)[start:end]
    actor = find_actor(text)
    if actor is None:
        actor = memory.by_name.get(text) or memory.by_name.get(token.text)
    if actor is None and token.lower_ in _ANAPHORS:
        actor = _antecedent_in_sentence(token, memory)
    if actor is None and token.lower_ in _PRONOUNS:
        actor = memory.last_person
    if actor is None and token.lower_ not in _ANAPHORS:
        actor = _named_in_modifiers(token)
    subject = token.dep_ in _SUBJECTS
    if (
        actor is None
        and subject
        and any(child.dep_ == "poss" and child.lower_ in _POSSESSIVES for child in token.children)
    ):
        actor = _antecedent_in_sentence(token, memory)  # "Bolivian officials said their forces had withdrawn"
    return _Argument(start, end, _people_by_place(token, actor), _possessed(token))


_POSSESSIVES = {"its", "their", "his", "her"}


def _people_by_place(token: Any, actor: Actor | None) -> Actor | None:
    """A people named with the country it lives in ("ethnic Greeks in Albania", "the Tamils of Sri Lanka") is
    coded to that country, as CAMEO codes residents; states and their forces keep their own code."""
    if actor is None or actor.kind != "country" or actor.sector not in (None, "CVL") or token.tag_ != "NNPS":
        return actor
    if find_actor(token.text) is None:
        return actor
    for child in token.children:
        if child.dep_ == "prep" and child.lower_ in ("in", "of"):
            for chunk in _chunks_under(child):
                place = find_actor(chunk.text)
                if place is not None and place.kind == "country":
                    return Actor(place.code, place.name, "country", actor.sector)
    return actor


_ANAPHORS = {"it", "they", "he", "she", "we"}


def _antecedent_in_sentence(pronoun: Any, memory: _Memory) -> Actor | None:
    """ "Norway said it had expelled ...": a pronoun subject under a reporting or intention verb is
    that verb's subject."""
    node = pronoun
    while node.head.i != node.i:  # spaCy makes a new Token per access: compare positions, not identity
        node = node.head
        subject = next((child for child in node.children if child.dep_ in _SUBJECTS), None)
        if subject is not None and subject.i != pronoun.i and subject.lower_ not in _ANAPHORS:
            start, end = _phrase(subject)
            phrase = document_text(subject.doc)[start:end]
            return find_actor(phrase) or memory.by_name.get(phrase) or _named_in_modifiers(subject)
    return None


def _named_in_modifiers(token: Any) -> Actor | None:
    """A phrase that names no actor in its head ("Rebels in Nepal", "Doctors from two Danish
    charities") takes the first actor its modifiers name; relative clauses are left out, and so is an
    active participle's clause (in "a statement calling on the United States" the statement does the
    calling: the country is its recipient, not its author)."""
    for child in token.children:
        if child.dep_ == "acl" and child.tag_ in ("VBD", "VBG"):
            continue
        if child.dep_ in ("prep", "acl", "appos") and child.i > token.i:
            for chunk in _chunks_under(child):
                if (actor := find_actor(chunk.text)) is not None:
                    return actor
    return None


def _phrase(token: Any) -> tuple[int, int]:
    """The character span of a noun phrase: the token's subtree without clauses and coordination."""
    kept = [token]
    stack = [child for child in token.children if not _cut(child)]
    while stack:
        node = stack.pop()
        kept.append(node)
        stack.extend(child for child in node.children if child.dep_ not in _PHRASE_CUT)
    first = min(kept, key=lambda t: t.i)
    last = max(kept, key=lambda t: t.i)
    while last.i > first.i and last.is_punct:
        last = last.doc[last.i - 1]
    while first.i < last.i and first.is_punct:
        first = first.doc[first.i + 1]
    return _within_line(token, first.idx, last.idx + len(last.text))


def _within_line(token: Any, start: int, end: int) -> tuple[int, int]:
    """A phrase never runs across a line break (a headline is not part of the sentence below it)."""
    text = document_text(token.doc)
    line_start = text.rfind("\n", start, token.idx) + 1
    line_end = text.find("\n", token.idx, end)
    return max(start, line_start), end if line_end == -1 else line_end


def _cut(child: Any) -> bool:
    if child.dep_ in _PHRASE_CUT:
        return True
    return bool(child.dep_ == "prep" and child.lower_ != "of")


def _auxiliary(token: Any, frame: Any) -> str | None:
    for verb in {token, frame}:
        for child in verb.children:
            lower = child.lower_
            if child.dep_ == "neg":
                return "negated"
            if child.dep_ == "aux" and lower in _FUTURE_AUX:
                return "future"
            if child.dep_ == "aux" and lower in _HYPOTHETICAL_AUX:
                return "hypothetical"
            if child.dep_ == "advcl" and any(g.dep_ == "mark" and g.lower_ == "if" for g in child.children):
                continue
        if any(child.dep_ == "mark" and child.lower_ == "if" for child in verb.children):
            return "hypothetical"
    return None


def _remember_people(text: str, sentence_entities: list[Any], memory: _Memory) -> None:
    """Names of people whose phrase named their country or organisation ("Kremlin spokesman Dmitry
    Peskov") resolve the same way when they come back alone ("Peskov") or as "he"."""
    for ent in sentence_entities:
        if ent.label_ != "PERSON":
            continue
        phrase_start, phrase_end = _phrase(ent.root)
        roles = [text[slice(*_phrase(child))] for child in ent.root.children if child.dep_ == "appos"]
        phrase = " ".join([text[phrase_start:phrase_end], *roles])
        actor = find_actor(phrase) or memory.by_name.get(ent.text)
        if actor is None:
            continue
        memory.by_name[ent.text] = actor
        memory.by_name[ent[-1].text] = actor
        memory.last_person = actor
