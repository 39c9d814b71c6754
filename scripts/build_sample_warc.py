"""Rebuild examples/corpus/granite_times.warc.gz, the sample corpus's web archive (fictional pages).

Run from the repository root: `python scripts/build_sample_warc.py`. The output is deterministic
(fixed record ids and dates), so rebuilding it changes nothing unless this script changes.
"""

from __future__ import annotations

import html
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

TARGET = Path(__file__).resolve().parent.parent / "examples" / "corpus" / "granite_times.warc.gz"

PAGES = [
    (
        "https://granitetimes.example/2025/05/21/brennick-flood",
        "2025-05-21",
        "Brennick flood: residents count the cost",
        [
            "Residents of Brennick began clearing mud from their homes on Wednesday, a day after the river "
            "flooded the old town.",
            "Mayor Tomas Riel said the town would need weeks to recover. \u201cWe were lucky that nobody died,\u201d "
            "Riel said.",
        ],
    ),
    (
        "https://granitetimes.example/2025/07/08/tallowmere-plant-opens",
        "2025-07-08",
        "Chip plant opens in Tallowmere",
        [
            "Quarrel Semiconductors opened its plant in Tallowmere on Tuesday, bringing what governor Elsa "
            "Brandt called \u201cthe first factory of its kind in the valley.\u201d",
            "Brandt said the plant would employ 900 people when both production lines run.",
        ],
    ),
]


def page_html(title: str, date: str, paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{html.escape(text, quote=False)}</p>" for text in paragraphs)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<!-- Fictional article written for the newstrace sample corpus. -->"
        f"<title>{html.escape(title)}</title><meta property='og:site_name' content='Granite Times'>"
        f"<meta property='article:published_time' content='{date}T07:00:00+00:00'></head>"
        f"<body><article><h1>{html.escape(title)}</h1>{body}</article></body></html>"
    ).encode()


def main() -> None:
    with TARGET.open("wb") as output:
        writer = WARCWriter(output, gzip=True)
        for number, (url, date, title, paragraphs) in enumerate(PAGES, start=1):
            payload = page_html(title, date, paragraphs)
            http_headers = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            record = writer.create_warc_record(
                url,
                "response",
                payload=BytesIO(payload),
                http_headers=http_headers,
                warc_headers_dict={
                    "WARC-Date": f"{date}T08:00:00Z",
                    "WARC-Record-ID": f"<urn:uuid:00000000-0000-4000-8000-{number:012d}>",
                },
            )
            writer.write_record(record)
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
