#!/usr/bin/env bash
# The screenshots of docs/web.md's tour, taken by the browser tests from the fictional sample corpus
# (examples/corpus): each test saves the part of its page the tour shows to docs/images/web-*.png.
set -euo pipefail
cd "$(dirname "$0")/.."
NEWSTRACE_TOUR_IMAGES="$PWD/docs/images" PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}" \
    "${PYTHON:-python}" -m pytest tests/web/test_browser_framing.py -q -p no:cacheprovider "$@"
ls -l docs/images/web-*.png
