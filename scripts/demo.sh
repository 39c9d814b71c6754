#!/usr/bin/env bash
# Quick start, part 1: set up a virtual environment, install newstrace, and analyze the bundled
# (fictional) sample corpus into the embedded database newstrace.db, ending with the run's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
.venv/bin/newstrace analyze examples/corpus --lexicon examples/corpus/framing.toml --db newstrace.db "$@"
echo
echo "Next: .venv/bin/newstrace stories --db newstrace.db"
echo "      .venv/bin/newstrace compare STORY_ID --db newstrace.db     (a story id from the list)"
echo "      .venv/bin/newstrace outlet VDA --db newstrace.db"
echo "      .venv/bin/newstrace serve --db newstrace.db                (then open http://127.0.0.1:8000)"
echo "      .venv/bin/newstrace search \"gravest danger\" --db newstrace.db"
echo "      .venv/bin/newstrace export articles --db newstrace.db --format csv -o articles.csv"
