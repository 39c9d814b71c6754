"""Count background document frequencies for story linking, reproducibly.

A corpus of a few dozen articles cannot tell a rare word from a common one, so the story clusterer
adds these counts to its own: in how many of a few thousand general news articles each content term
occurs (`newstrace.link.features.content_terms`). Terms seen in fewer than `MIN_DOCUMENTS` articles
are left out, so the file holds word statistics only, no text. The sources are the PolNeAR train split
and the PTC train articles; ECB+ is not used, because `newstrace eval stories` scores on it.

    python scripts/build_background_frequencies.py [--shared ../shared/data]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from newstrace.link.features import content_terms

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = REPO.parent / "shared" / "data"
OUTPUT = REPO / "src" / "newstrace" / "link" / "data" / "background_frequencies.json"
MIN_DOCUMENTS = 3
SOURCES = ("polnear/train/text", "ptc/train-articles")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared data folder")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    arguments = parser.parse_args()
    counts: Counter[str] = Counter()
    documents = 0
    for source in SOURCES:
        folder = arguments.shared / source
        if not folder.is_dir():
            raise SystemExit(f"{folder}: not found; pass --shared with the folder that holds {source}")
        for path in sorted(folder.rglob("*.txt")):
            counts.update(content_terms(path.read_text(encoding="utf-8", errors="replace")).keys())
            documents += 1
    kept = {term: count for term, count in sorted(counts.items()) if count >= MIN_DOCUMENTS}
    payload = {"documents": documents, "min_documents": MIN_DOCUMENTS, "sources": list(SOURCES), "df": kept}
    arguments.output.write_text(json.dumps(payload, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"{documents} documents, {len(kept)} terms -> {arguments.output}")


if __name__ == "__main__":
    main()
