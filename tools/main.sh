#!/usr/bin/env bash
# The main job on the bundled defaults (README: `make main`). Each step is one `newstag` command, so
# this file doubles as a worked example of the whole flow:
#   articles in seeds/ (the starter items and the real news items in seeds/news) -> corpus -> labels from
#   the two committed Label Studio exports -> a time split -> a model trained before the evaluation period ->
#   its evaluation report on real news of a later period -> the model refitted on every labeled item
#   (models/default, where `newstag tag` looks by default) -> tags.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-out}"
MODEL="${NEWSTAG_MODEL:-models/default}"
NEWSTAG=".venv/bin/newstag"
step() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }

step "1/8 build the corpus from seeds/ (starter items and real news items)"
"$NEWSTAG" corpus build seeds -o "$OUT/corpus" --overwrite
step "2/8 import the starter items' labels from their Label Studio export"
"$NEWSTAG" annotate import seeds/label-studio-export.json --corpus "$OUT/corpus" --strict
step "3/8 import the real news items' labels (two annotators each, disagreements adjudicated)"
"$NEWSTAG" annotate import seeds/news/label-studio-export.json --corpus "$OUT/corpus" --strict
# The user's seed article has no year: --undated drop keeps it out of the split (it stays unseen).
step "4/8 time split: train before 2026-03-01; evaluate on the items drawn at random from 2026-03 to 2026-05"
"$NEWSTAG" corpus split "$OUT/corpus" --time 2026-03-01 --until 2026-05-31 --eval-where meta.selection=random --group-column meta.story_line --undated drop --folds 10
step "5/8 train on the train split (one head per facet) -> $OUT/time-split-model"
"$NEWSTAG" train --corpus "$OUT/corpus" -o "$OUT/time-split-model" --seed 0
step "6/8 evaluate it on real news of the later period -> $OUT/report"
"$NEWSTAG" evaluate --corpus "$OUT/corpus" --model "$OUT/time-split-model" -o "$OUT/report"
# The model to tag new articles with has learned from every labeled item, the evaluation period's (the latest
# news) too; its card keeps the time split's figures as the estimate of its quality (docs/classifier.md).
step "7/8 refit on every labeled item (the evaluation period's too) -> $MODEL"
"$NEWSTAG" train --corpus "$OUT/corpus" -o "$MODEL" --seed 0 --refit
step "8/8 tag the user's seed article"
"$NEWSTAG" tag seeds/000_de4c56d6e12b58d7.txt --model "$MODEL" --top-terms 3 -o "$OUT/seed-tags.jsonl"
.venv/bin/python -m json.tool "$OUT/seed-tags.jsonl"
printf '\nmodel: %s\nreport: %s/report/report.md (plots beside it)\ntags: %s/seed-tags.jsonl\n' "$MODEL" "$OUT" "$OUT" >&2
