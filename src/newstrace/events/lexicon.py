"""The trigger lexicon: which words report which PLOVER event, written from the PLOVER manual's category
definitions and modes, the NGEC codebook's definitions and general English usage.

A trigger is a verb lemma (`VERBS`), a verb with its particle or preposition (`PHRASAL`), or a verb with
its object's lemma (`VERB_OBJECT`, which wins over the verb alone: "impose sanctions" is a SANCTION,
"impose a curfew" a COERCE). `INTENTION_VERBS` carry the event of the verb they govern into the future
("pledged to deliver" is a delivery, intended). `LEXICON_DIGEST` goes into the events stage's version,
so an edited lexicon makes `analyze` run the stage again.
"""

from __future__ import annotations

import hashlib
from typing import NamedTuple


class Trigger(NamedTuple):
    """What a trigger word means: a PLOVER type and, where the manual defines one, its mode."""

    event_type: str
    mode: str | None = None


def _all(event_type: str, mode: str | None, words: str) -> dict[str, Trigger]:
    return {word: Trigger(event_type, mode) for word in words.split()}


VERBS: dict[str, Trigger] = {
    **_all("AGREE", None, "agree promise pledge offer accept consent invite commit vow"),
    **_all("CONSULT", None, "meet talk discuss negotiate confer consult telephone phone"),
    **_all("CONSULT", "visit", "visit tour"),
    **_all("CONSULT", None, "host"),
    **_all("SUPPORT", None, "praise commend endorse support welcome back recognize recognise approve applaud"),
    **_all("SUPPORT", None, "hail ratify sign thank congratulate laud salute defend"),
    **_all("CONCEDE", None, "apologize apologise regret pardon acquit concede compromise relent ease yield"),
    **_all("COOPERATE", None, "cooperate collaborate extradite partner"),
    **_all("AID", None, "give donate provide supply deliver grant lend loan fund finance rescue shelter"),
    **_all("AID", None, "airlift contribute allocate disburse forgive send"),
    **_all("RETREAT", "withdraw", "withdraw retreat evacuate"),
    **_all("RETREAT", "release", "release free"),
    **_all("RETREAT", "disarm", "disarm demobilize demobilise"),
    **_all("RETREAT", "resign", "resign quit"),
    **_all("REQUEST", None, "ask urge demand appeal request press seek insist implore plead petition beg exhort"),
    **_all("ACCUSE", "disapprove", "condemn criticize criticise denounce deplore decry complain rebuke slam"),
    **_all("ACCUSE", "disapprove", "blast censure lambast lambaste summon"),
    **_all("ACCUSE", "allege", "accuse blame allege charge sue indict prosecute"),
    **_all("ACCUSE", "investigate", "investigate probe"),
    **_all("REJECT", None, "reject refuse deny veto decline rebuff dismiss oppose spurn repudiate defy"),
    **_all("THREATEN", None, "threaten warn menace"),
    **_all("PROTEST", "demo", "demonstrate march rally picket"),
    **_all("PROTEST", "riot", "riot"),
    **_all("PROTEST", "boycott", "boycott"),
    **_all("PROTEST", "obstruct", "blockade"),
    **_all("SANCTION", None, "sanction embargo suspend freeze sever"),
    **_all("SANCTION", "expel", "expel"),
    **_all("SANCTION", "convict", "convict sentence"),
    **_all("COERCE", "arrest", "arrest detain jail imprison"),
    **_all("COERCE", "seize", "seize confiscate"),
    **_all("COERCE", "restrict", "ban outlaw prohibit restrict bar"),
    **_all("COERCE", "deport", "deport"),
    **_all("COERCE", "censor", "censor"),
    **_all("MOBILIZE", None, "mobilize mobilise deploy mass reinforce"),
    **_all("ASSAULT", None, "attack kill invade ambush clash fight storm hit raid wound massacre murder"),
    **_all("ASSAULT", "aerial", "bomb bombard"),
    **_all("ASSAULT", "heavy-weapons", "shell"),
    **_all("ASSAULT", "firearms", "shoot"),
    **_all("ASSAULT", "abduct", "abduct kidnap"),
    **_all("ASSAULT", "torture", "torture"),
    **_all("ASSAULT", "beat", "beat"),
    **_all("ASSAULT", "targeted", "assassinate"),
    **_all("ASSAULT", "destroy", "destroy"),
    **_all("ASSAULT", None, "retake recapture overrun"),
    **_all("COERCE", None, "disperse"),
}

PHRASAL: dict[tuple[str, str], Trigger] = {
    ("call", "for"): Trigger("REQUEST"),
    ("call", "on"): Trigger("REQUEST"),
    ("call", "upon"): Trigger("REQUEST"),
    ("pull", "out"): Trigger("RETREAT", "withdraw"),
    ("pull", "back"): Trigger("RETREAT", "withdraw"),
    ("step", "down"): Trigger("RETREAT", "resign"),
    ("walk", "out"): Trigger("PROTEST", "demo"),
    ("crack", "down"): Trigger("COERCE"),
    ("turn", "down"): Trigger("REJECT"),
    ("back", "down"): Trigger("CONCEDE"),
    ("open", "fire"): Trigger("ASSAULT", "firearms"),
    ("fire", "on"): Trigger("ASSAULT", "firearms"),
    ("fire", "at"): Trigger("ASSAULT", "firearms"),
    ("speak", "with"): Trigger("CONSULT", "phone"),
    ("side", "with"): Trigger("SUPPORT"),
    ("hand", "over"): Trigger("AID"),
    ("cut", "off"): Trigger("SANCTION", "discontinue"),
}

VERB_OBJECT: dict[tuple[str, str], Trigger] = {
    **{("hold", word): Trigger("CONSULT") for word in ("talk", "talks", "meeting", "discussion", "negotiation")},
    **{("impose", word): Trigger("SANCTION") for word in ("sanction", "sanctions", "embargo", "tariff")},
    ("impose", "curfew"): Trigger("COERCE", "curfew"),
    ("impose", "ban"): Trigger("COERCE", "restrict"),
    ("declare", "curfew"): Trigger("COERCE", "curfew"),
    ("declare", "ceasefire"): Trigger("CONCEDE"),
    ("declare", "truce"): Trigger("CONCEDE"),
    ("lift", "curfew"): Trigger("CONCEDE"),
    ("lift", "ban"): Trigger("CONCEDE"),
    ("lift", "sanction"): Trigger("CONCEDE"),
    ("lift", "siege"): Trigger("RETREAT"),
    ("break", "relation"): Trigger("SANCTION", "discontinue"),
    ("break", "tie"): Trigger("SANCTION", "discontinue"),
    ("cut", "tie"): Trigger("SANCTION", "discontinue"),
    ("cut", "aid"): Trigger("SANCTION", "discontinue"),
    ("recall", "ambassador"): Trigger("SANCTION", "withdraw"),
    ("launch", "attack"): Trigger("ASSAULT"),
    ("launch", "offensive"): Trigger("ASSAULT"),
    ("launch", "strike"): Trigger("ASSAULT", "aerial"),
    ("launch", "missile"): Trigger("ASSAULT", "heavy-weapons"),
    ("launch", "investigation"): Trigger("ACCUSE", "investigate"),
    ("open", "investigation"): Trigger("ACCUSE", "investigate"),
    ("file", "lawsuit"): Trigger("ACCUSE", "allege"),
    ("file", "complaint"): Trigger("ACCUSE", "disapprove"),
    ("express", "concern"): Trigger("ACCUSE", "disapprove"),
    ("express", "regret"): Trigger("CONCEDE"),
    ("express", "support"): Trigger("SUPPORT"),
    ("express", "solidarity"): Trigger("SUPPORT"),
    ("issue", "ultimatum"): Trigger("THREATEN"),
    ("issue", "warning"): Trigger("THREATEN"),
    ("stage", "protest"): Trigger("PROTEST", "demo"),
    ("stage", "demonstration"): Trigger("PROTEST", "demo"),
    **{("stage", word): Trigger("PROTEST", "demo") for word in ("march", "rally", "sit-in", "walkout", "vigil")},
    ("stage", "strike"): Trigger("PROTEST", "strike"),
    ("go", "strike"): Trigger("PROTEST", "strike"),
    ("reach", "agreement"): Trigger("AGREE"),
    ("reach", "deal"): Trigger("AGREE"),
    ("sign", "agreement"): Trigger("SUPPORT"),
    ("grant", "asylum"): Trigger("AID"),
    ("grant", "amnesty"): Trigger("CONCEDE"),
    ("share", "intelligence"): Trigger("COOPERATE"),
    ("share", "information"): Trigger("COOPERATE"),
    ("conduct", "exercise"): Trigger("COOPERATE"),
    ("send", "troop"): Trigger("MOBILIZE", "troops"),
    ("send", "soldier"): Trigger("MOBILIZE", "troops"),
    ("take", "hostage"): Trigger("ASSAULT", "abduct"),
    ("allow", "access"): Trigger("RETREAT", "access"),
    ("allow", "observer"): Trigger("RETREAT", "access"),
    ("go", "hunger"): Trigger("PROTEST", "hunger"),
    **{(verb, "aid"): Trigger("SANCTION", "discontinue") for verb in ("halt", "suspend", "end", "freeze", "stop")},
    **{("lift", word): Trigger("RETREAT") for word in ("blockade", "siege", "closure")},
    **{(verb, "withdrawal"): Trigger("RETREAT", "withdraw") for verb in ("complete", "begin", "start", "announce")},
    **{("mount", word): Trigger("ASSAULT") for word in ("invasion", "attack", "offensive", "raid", "assault")},
    **{("block", word): Trigger("PROTEST", "obstruct") for word in ("road", "street", "bridge", "highway", "border")},
    ("hold", "hearing"): Trigger("ACCUSE", "investigate"),
    ("open", "hearing"): Trigger("ACCUSE", "investigate"),
    ("open", "inquiry"): Trigger("ACCUSE", "investigate"),
    ("deny", "entry"): Trigger("SANCTION"),
}

# Nouns that name an event when a sentence has no event verb ("Palestinian riots against ...", "arrived on
# a visit", "Israel's invasion of Lebanon"), from the PLOVER categories and general English.
NOUNS: dict[str, Trigger] = {
    **_all("PROTEST", "demo", "demonstration protest rally sit-in"),
    **_all("PROTEST", "riot", "riot unrest"),
    **_all("PROTEST", "boycott", "boycott"),
    **_all("ASSAULT", None, "attack invasion offensive raid ambush massacre incursion"),
    **_all("ASSAULT", "aerial", "bombing airstrike air-strike"),
    **_all("ASSAULT", "heavy-weapons", "shelling"),
    **_all("ASSAULT", "targeted", "assassination"),
    **_all("ASSAULT", "abduct", "kidnapping abduction"),
    **_all("CONSULT", "visit", "visit"),
    **_all("CONSULT", None, "talks summit negotiation"),
    **_all("ACCUSE", "investigate", "investigation inquiry probe hearing"),
    **_all("ACCUSE", "disapprove", "condemnation criticism"),
    **_all("ACCUSE", "allege", "accusation lawsuit indictment"),
    **_all("RETREAT", "withdraw", "withdrawal pullout evacuation"),
    **_all("RETREAT", "resign", "resignation"),
    **_all("SANCTION", None, "sanction embargo"),
    **_all("SANCTION", "expel", "expulsion"),
    **_all("COERCE", "arrest", "arrest detention"),
    **_all("COERCE", None, "crackdown curfew deportation"),
    **_all("THREATEN", None, "threat ultimatum"),
    **_all("REQUEST", None, "appeal"),
    **_all("REJECT", None, "refusal rejection veto"),
    **_all("MOBILIZE", None, "deployment mobilization mobilisation"),
    **_all("AGREE", None, "agreement accord"),
    **_all("CONCEDE", None, "ceasefire truce apology"),
    **_all("COOPERATE", None, "cooperation"),
}

# Verbs whose complement is the event, said of the future ("pledged to deliver", "plans to send"), a
# schedule too, whatever its tense ("had been scheduled to speak on Monday" is a plan for a coming Monday).
INTENTION_VERBS = frozenset(
    ["agree", "promise", "pledge", "vow", "offer", "plan", "intend", "decide", "commit", "prepare", "aim", "expect",
     "swear", "schedule"]
)  # fmt: skip
# Adjectives that make their complement an intention: "is willing to send", "stands ready to mediate".
READINESS_ADJECTIVES = frozenset(["ready", "willing", "prepared", "determined"])
# Verbs of saying: "X said that Y must ..." is a demand of Y (REQUEST, the manual's old DEMAND).
REPORTING_VERBS = frozenset(["say", "declare", "reiterate", "state", "insist", "conclude", "announce", "tell"])
OBLIGATION_REQUEST = Trigger("REQUEST")
# "ordered X to do Y" is a demand of X; "ordered patrols" alone is not.
ORDER_TO = Trigger("REQUEST")
# A hunger strike, whatever the verb (stage, start, begin, continue).
HUNGER_STRIKE = Trigger("PROTEST", "hunger")

# Verbs that govern an event but are themselves the event: "urged Israel to withdraw" is a REQUEST.
GOVERNING_TYPES = frozenset({"REQUEST", "THREATEN", "REJECT", "ACCUSE", "SUPPORT"})

# A government protesting is a diplomatic protest: ACCUSE 'disapprove' (manual 3.9.2), not a PROTEST.
PROTEST_BY_STATE = Trigger("ACCUSE", "disapprove")
# "strike" without a struck object is a labour strike.
STRIKE_WITHOUT_OBJECT = Trigger("PROTEST", "strike")
STRIKE_WITH_OBJECT = Trigger("ASSAULT")
VERBS["protest"] = Trigger("PROTEST", "demo")
VERBS["strike"] = STRIKE_WITH_OBJECT

# "send" is AID only when what is sent is material; these objects make it a MOBILIZE.
TROOP_WORDS = frozenset(["troop", "troops", "soldier", "soldiers", "force", "forces", "warship", "warships"])


def _digest() -> str:
    parts = (
        VERBS, PHRASAL, VERB_OBJECT, sorted(INTENTION_VERBS), sorted(GOVERNING_TYPES), sorted(TROOP_WORDS),
        sorted(READINESS_ADJECTIVES), sorted(REPORTING_VERBS), NOUNS,
    )  # fmt: skip
    return hashlib.sha256(repr(parts).encode()).hexdigest()


LEXICON_DIGEST = _digest()
