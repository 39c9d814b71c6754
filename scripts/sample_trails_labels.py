"""Draw the items to label for `newstrace eval trails` from a database of the PolNeAR train and dev texts.

    python scripts/sample_trails_labels.py trails_dev.db > to_label.jsonl

Each line is one item to read and label by hand: a rendering with its utterance's statement (the 30
utterances of most renderings, then 30 at random, up to 8 renderings each), every rendering flagged
`altered_direct_quote`, and 100 random quotes for their true speaker. The lines carry the texts to read
(never commit them); the labels file keeps only stems, offsets and verdicts.
"""

from __future__ import annotations

import json
import random
import sqlite3
import sys
from pathlib import Path

SEED = 18
PER_UTTERANCE = 8


def main(db_path: str) -> None:
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    quotes = {
        row["id"]: row
        for row in db.execute("SELECT q.*, a.path, a.text FROM quotes q JOIN articles a ON a.id = q.article_id")
    }
    rng = random.Random(SEED)
    sized = db.execute(
        "SELECT id, canonical_quote_id FROM utterances WHERE n_renderings >= 2 ORDER BY n_renderings DESC, id"
    ).fetchall()
    chosen = sized[:30] + rng.sample(sized[30:], min(30, len(sized) - 30))
    for utterance in chosen:
        canonical = quotes[utterance["canonical_quote_id"]]
        others = [
            row["quote_id"]
            for row in db.execute(
                "SELECT quote_id FROM renderings WHERE utterance_id = ? ORDER BY quote_id", (utterance["id"],)
            )
            if row["quote_id"] != canonical["id"]
        ]
        for quote_id in sorted(rng.sample(others, min(PER_UTTERANCE, len(others)))):
            _emit("rendering", quotes[quote_id], canonical, utterance["id"])
    flagged = (
        "SELECT r.quote_id, u.canonical_quote_id, u.id FROM renderings r JOIN utterances u ON u.id = r.utterance_id "
        "WHERE r.flags LIKE '%altered_direct_quote%' ORDER BY r.quote_id"
    )
    for row in db.execute(flagged):
        _emit("flag", quotes[row[0]], quotes[row[1]], row[2])
    for quote_id in rng.sample(sorted(quotes), 100):
        _emit("speaker", quotes[quote_id], None, None)


def _emit(kind: str, quote: sqlite3.Row, statement: sqlite3.Row | None, utterance: str | None) -> None:
    item: dict[str, object] = {
        "kind": kind,
        **_key(quote, ""),
        "content": _words(quote),
        "system_speaker": quote["speaker"],
        "utterance": utterance,
    }
    if statement is not None:
        item |= _key(statement, "statement_") | {
            "statement": _words(statement),
            "statement_speaker": statement["speaker"],
        }
    else:
        start = max(0, int(quote["content_start"]) - 700)
        item["context"] = quote["text"][start : int(quote["content_end"]) + 200]
    print(json.dumps(item, ensure_ascii=False))


def _words(quote: sqlite3.Row) -> str:
    """The quote's content, all its pieces (as trails compare it)."""
    pieces = json.loads(quote["content_fragments"] or "[]") or [[quote["content_start"], quote["content_end"]]]
    return " ".join(quote["text"][start:end].strip() for start, end in sorted(pieces))


def _key(quote: sqlite3.Row, prefix: str) -> dict[str, object]:
    return {
        f"{prefix}stem": Path(quote["path"]).stem,
        f"{prefix}start": quote["content_start"],
        f"{prefix}end": quote["content_end"],
    }


if __name__ == "__main__":
    main(sys.argv[1])
