"""Analysis time per word over text sizes: does a long text cost more per word than a short one?

Each text is one paragraph of fictional reported speech, repeated to the size asked for, in one of
two shapes:

    sentences   `Minister Anneke Holm said that the plan would "protect the schools." ` (many sentences)
    run-on      the same clauses joined by commas: one paragraph that is one enormous sentence,
                as in a transcript without full stops

Every size is analysed in this process after a warm-up (model loading is not counted), with the
document stages `analyze` runs (`analyse_texts`: chunking, spaCy, sentences, entities, quotes). It
prints milliseconds per 1,000 words at each size and the ratio of the largest size's rate to the
smallest's: near 1 when cost grows with the text, far above 1 when something is quadratic. It is a
benchmark to read, not a test.

    python benchmarks/text_sizes.py                         # 25, 50, 100, 200, 400 KB, both shapes
    python benchmarks/text_sizes.py --shape run-on --sizes 25,50,100,200,400,800,1600
"""

from __future__ import annotations

import argparse
import itertools
import time

from newstrace.nlp import analyse_texts, load_pipeline
from newstrace.nlp.model import DEFAULT_PIPELINE
from newstrace.records import AnalysisRequest

# Fictional clauses (names and claims invented for this benchmark).
CLAUSES = (
    'Minister Anneke Holm said that the plan would "protect the schools"',
    "the minister said that the budget would cover the new hospital wards",
    "her deputy Dorn Varlek told reporters the cuts were over",
    "the minister said that the unions had agreed to the terms",
)
SHAPES = {"sentences": ". ", "run-on": ", "}


def paragraph(shape: str, size_kb: int) -> str:
    """One paragraph of about `size_kb` kilobytes in `shape`."""
    separator, target = SHAPES[shape], size_kb * 1000
    pieces: list[str] = []
    length = 0
    for clause in itertools.cycle(CLAUSES):
        if length >= target:
            break
        piece = (clause[0].upper() + clause[1:] if separator == ". " else clause) + separator
        pieces.append(piece)
        length += len(piece)
    return "".join(pieces).rstrip(", ") + "."


def measure(nlp: object, text: str) -> tuple[float, int, int]:
    """Seconds to analyse `text`, its words, and the quotes found."""
    started = time.perf_counter()
    outputs = analyse_texts(nlp, [AnalysisRequest("benchmark", text, "en", ())])
    seconds = time.perf_counter() - started
    quotes = sum(len(output.rows.get("quotes", [])) for output in outputs[0])
    return seconds, len(text.split()), quotes


def run_shape(nlp: object, shape: str, sizes: list[int]) -> None:
    print(f"\n{shape}")
    print(f"{'size':>8} {'words':>9} {'quotes':>7} {'seconds':>9} {'ms/1,000 words':>15}")
    rates: list[float] = []
    for size in sizes:
        seconds, words, quotes = measure(nlp, paragraph(shape, size))
        rates.append(seconds * 1000 / (words / 1000))
        print(f"{size:>6}KB {words:>9,} {quotes:>7,} {seconds:>9.2f} {rates[-1]:>15.1f}", flush=True)
    print(f"ratio of ms per 1,000 words, {sizes[-1]} KB / {sizes[0]} KB: {rates[-1] / rates[0]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="25,50,100,200,400", help="sizes in KB, comma-separated, ascending")
    parser.add_argument("--shape", choices=[*SHAPES, "both"], default="both")
    parser.add_argument("--pipeline", default=DEFAULT_PIPELINE)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    nlp = load_pipeline(args.pipeline)
    measure(nlp, paragraph("sentences", 5))  # warm-up: the first call loads the quote models
    for shape in SHAPES if args.shape == "both" else [args.shape]:
        run_shape(nlp, shape, sizes)


if __name__ == "__main__":
    main()
