"""Distil the NGEC/PETRARCH agent dictionary (PLOVER_agents.txt, MIT licence, Open Event Data Alliance)
into `src/newstrace/events/agent_sectors.py`: each agent phrase, lower-cased with spaces, mapped to its
primary CAMEO/PLOVER sector (the first three letters of a composite code: GOVMIL is GOV).

    python scripts/build_agent_sectors.py [--agents ../shared/data/ngec/PLOVER_agents.txt] [--out FILE]

Substitution sets (`!PERSON! = MAN, MEN, ...`) are expanded and `{PLURAL}` forms kept. The same
dictionary gives the same file, byte for byte.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_AGENTS = REPO.parent / "shared" / "data" / "ngec" / "PLOVER_agents.txt"
DEFAULT_OUT = REPO / "src" / "newstrace" / "events" / "agent_sectors.py"

_ENTRY = re.compile(r"^(?P<phrase>[^\[#]+?)\s*(\{(?P<plural>[^}]*)\})?\s*\[~(?P<code>[A-Z]{3})[A-Z]*\]")
_SUBSTITUTION = re.compile(r"^(?P<name>![A-Z]+!)\s*=\s*(?P<values>.+)$")


def read_agents(path: Path) -> dict[str, str]:
    """Every agent phrase of the dictionary and its primary sector."""
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


def render(sectors: dict[str, str]) -> str:
    lines = [
        '"""Agent phrases and their CAMEO/PLOVER sectors, distilled from the NGEC agent dictionary',
        "(PLOVER_agents.txt, MIT licence, Open Event Data Alliance) by scripts/build_agent_sectors.py.",
        'Generated: do not edit."""',
        "",
        "AGENT_SECTORS: dict[str, str] = {",
        *(f"    {json.dumps(phrase)}: {json.dumps(code)}," for phrase, code in sorted(sectors.items())),
        "}",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=Path, default=DEFAULT_AGENTS)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    arguments = parser.parse_args()
    sectors = read_agents(arguments.agents)
    arguments.out.write_text(render(sectors), encoding="utf-8")
    print(f"{len(sectors)} agent phrases -> {arguments.out}")


if __name__ == "__main__":
    main()
