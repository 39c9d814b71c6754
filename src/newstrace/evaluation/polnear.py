"""Read the PolNeAR attribution corpus: brat standoff files with Source, Cue and Content spans.

Each `.ann` file in `attributions/` belongs to the `.txt` file in `text/` whose name it starts with
(the annotator's id follows the last underscore). Discontinuous spans (`start end;start end`) are
kept fragment by fragment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

ROLES = ("Source", "Cue", "Content")


@dataclass(frozen=True)
class GoldAttribution:
    """One annotated attribution: for each role, its fragments as (start, end) character offsets."""

    fragments: dict[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class GoldDocument:
    name: str
    path: Path
    text: str
    attributions: tuple[GoldAttribution, ...]


def load_split(folder: Path) -> list[GoldDocument]:
    """Every annotated document of one split (a folder holding `text/` and `attributions/`).

    Some texts were annotated by more than one annotator; the first annotation file in name order is used,
    so each text counts once.
    """
    text_folder, annotation_folder = folder / "text", folder / "attributions"
    if not text_folder.is_dir() or not annotation_folder.is_dir():
        raise FileNotFoundError(f"{folder}: expected the PolNeAR folders text/ and attributions/")
    documents = []
    seen: set[str] = set()
    for annotation in sorted(annotation_folder.glob("*.ann")):
        text_path = text_folder / (annotation.stem.rsplit("_", 1)[0] + ".txt")
        if not text_path.exists() or text_path.name in seen:
            continue
        seen.add(text_path.name)
        text = text_path.read_text(encoding="utf-8")
        attributions = _read_annotation(annotation.read_text(encoding="utf-8"))
        documents.append(GoldDocument(text_path.name, text_path, text, attributions))
    return documents


def _read_annotation(content: str) -> tuple[GoldAttribution, ...]:
    spans: dict[str, tuple[str, tuple[tuple[int, int], ...]]] = {}
    events: list[dict[str, str]] = []
    for line in content.splitlines():
        columns = line.split("\t")
        if len(columns) < 2:
            continue  # the continuation of a span's surface text that held a newline
        if columns[0].startswith("T"):
            label, _, offsets = columns[1].partition(" ")
            fragments = tuple(_fragment(part) for part in offsets.split(";"))
            spans[columns[0]] = (label, fragments)
        elif columns[0].startswith("E"):
            events.append(dict(part.split(":", 1) for part in columns[1].split()))
    attributions = []
    for event in events:
        by_role = {role: spans[ref][1] for role, ref in event.items() if role in ROLES and ref in spans}
        attributions.append(GoldAttribution(by_role))
    return tuple(attributions)


def _fragment(text: str) -> tuple[int, int]:
    start, end = text.split()
    return int(start), int(end)
