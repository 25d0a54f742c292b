#!/usr/bin/env bash
# The main job on the bundled defaults (see README): build the corpus from seeds/, and more as the
# toolkit grows (annotation import, splits, training, evaluation, tagging the seed article).
set -euo pipefail
OUT="${1:-out}"
BIN=".venv/bin"
"$BIN/newstag" corpus build seeds -o "$OUT/corpus"
"$BIN/newstag" corpus info "$OUT/corpus"
