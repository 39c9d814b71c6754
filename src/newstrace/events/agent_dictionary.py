"""Agent sectors from a PETRARCH/NGEC agent dictionary (`PLOVER_agents.txt`) that the user points to.

The dictionary is not shipped with newstrace: set NEWSTRACE_AGENT_DICTIONARY to its path, and actor
phrases that newstrace's own sector words say nothing about ("Swiss doctors", "the cattlemen") take
the primary sector of the dictionary's entry (the first three letters of a composite code: GOVMIL is
GOV). Substitution sets (`!PERSON! = MAN, MEN, ...`) are expanded and `{PLURAL}` forms kept.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

DICTIONARY_VARIABLE = "NEWSTRACE_AGENT_DICTIONARY"

_ENTRY = re.compile(r"^(?P<phrase>[^\[#]+?)\s*(\{(?P<plural>[^}]*)\})?\s*\[~(?P<code>[A-Z]{3})[A-Z]*\]")
_SUBSTITUTION = re.compile(r"^(?P<name>![A-Z]+!)\s*=\s*(?P<values>.+)$")


@lru_cache(maxsize=1)
def agent_sectors() -> dict[str, str]:
    """The dictionary named by NEWSTRACE_AGENT_DICTIONARY, read once; empty when none is named."""
    path = os.environ.get(DICTIONARY_VARIABLE)
    if not path:
        return {}
    try:
        return read_agents(Path(path))
    except OSError as error:
        raise RuntimeError(f"{DICTIONARY_VARIABLE}={path}: cannot read the agent dictionary ({error})") from error


def read_agents(path: Path) -> dict[str, str]:
    """Every agent phrase of the dictionary, lower-cased with single spaces, and its primary sector."""
    substitutions: dict[str, list[str]] = {}
    sectors: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if found := _SUBSTITUTION.match(line):
            substitutions[found["name"]] = [value.strip() for value in found["values"].split(",")]
        elif found := _ENTRY.match(line):
            for phrase in (found["phrase"], found["plural"]):
                for expanded in _expand(phrase, substitutions) if phrase else []:
                    sectors.setdefault(_normalise(expanded), found["code"])
    return sectors


def _expand(phrase: str, substitutions: dict[str, list[str]]) -> list[str]:
    for name, values in substitutions.items():
        if name in phrase:
            return [form for value in values for form in _expand(phrase.replace(name, value, 1), substitutions)]
    return [phrase]


def _normalise(phrase: str) -> str:
    return " ".join(phrase.replace("_", " ").lower().split())
