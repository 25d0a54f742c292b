#!/usr/bin/env bash
# The main job on the bundled defaults (README: `make main`). Each step is one `newstag` command, so
# this file doubles as a worked example of the whole flow:
#   articles in seeds/ -> corpus -> labels from the committed Label Studio export -> splits
#   -> model (models/default, where `newstag tag` looks by default) -> evaluation report -> tags.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-out}"
MODEL="${NEWSTAG_MODEL:-models/default}"
NEWSTAG=".venv/bin/newstag"
step() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }

step "1/6 build the corpus from seeds/"
"$NEWSTAG" corpus build seeds -o "$OUT/corpus" --overwrite  # a rerun rebuilds; the labels come back in step 2
step "2/6 import the labels from the committed Label Studio export"
"$NEWSTAG" annotate import seeds/label-studio-export.json --corpus "$OUT/corpus" --strict
step "3/6 split: 80% train / 20% eval, stratified on every label, near-duplicates kept together"
"$NEWSTAG" corpus split "$OUT/corpus" --ratios 0.8,0.2 --seed 0
step "4/6 train (one head per facet) -> $MODEL"
"$NEWSTAG" train --corpus "$OUT/corpus" -o "$MODEL" --seed 0
step "5/6 evaluate on the eval split -> $OUT/report"
"$NEWSTAG" evaluate --corpus "$OUT/corpus" --model "$MODEL" -o "$OUT/report"
step "6/6 tag the user's seed article"
"$NEWSTAG" tag seeds/000_de4c56d6e12b58d7.txt --model "$MODEL" --top-terms 3 -o "$OUT/seed-tags.jsonl"
.venv/bin/python -m json.tool "$OUT/seed-tags.jsonl"
printf '\nmodel: %s\nreport: %s/report/report.md (plots beside it)\ntags: %s/seed-tags.jsonl\n' "$MODEL" "$OUT" "$OUT" >&2
