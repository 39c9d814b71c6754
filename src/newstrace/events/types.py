"""The 16 PLOVER event types, the old names they replace, and the manual's reductions of auxiliary modes.

PLOVER (manual chapter 2.3 and 3.1) codes an event as one category: a cooperative action reported in the
future tense is an AGREE, an announced retreat a CONCEDE. newstrace keeps the action's own type with its
auxiliary mode (so "will donate a battery" stays an AID with mode `future`) and `single_category` gives
the manual's one-category reading when a comparison with PLOVER-coded data needs it.
"""

from __future__ import annotations

EVENT_TYPES = (
    "ACCUSE", "AGREE", "AID", "ASSAULT", "COERCE", "CONCEDE", "CONSULT", "COOPERATE",
    "MOBILIZE", "PROTEST", "REJECT", "REQUEST", "RETREAT", "SANCTION", "SUPPORT", "THREATEN",
)  # fmt: skip

# Earlier PLOVER and CAMEO names, per the manual's CAMEO-to-PLOVER table.
OLD_NAMES = {"DEMAND": "REQUEST", "DISAPPROVE": "ACCUSE", "FIGHT": "ASSAULT", "INVESTIGATE": "ACCUSE"}

AUXILIARY_MODES = ("future", "hypothetical", "negated")
FUTURE = "future"  # the mode of an event told as to come: a weekday it names is the coming one

_COOPERATIVE = frozenset({"CONSULT", "SUPPORT", "COOPERATE", "AID"})
_MATERIAL_CONFLICT = frozenset({"ASSAULT", "COERCE", "SANCTION"})


def current_type(name: str) -> str:
    """The current PLOVER name of an event type, old or new; ValueError for an unknown name."""
    upper = name.strip().upper()
    upper = OLD_NAMES.get(upper, upper)
    if upper not in EVENT_TYPES:
        raise ValueError(f"{name!r} is not a PLOVER event type")
    return upper


def single_category(event_type: str, auxiliary: str | None) -> str:
    """The one PLOVER category for a type with an auxiliary mode (manual 2.3, 3.1 and 3.4)."""
    if auxiliary in ("future", "hypothetical"):
        if event_type in _COOPERATIVE:
            return "AGREE"
        if event_type == "RETREAT":
            return "CONCEDE"
        if event_type in _MATERIAL_CONFLICT:
            return "THREATEN"
    return event_type
