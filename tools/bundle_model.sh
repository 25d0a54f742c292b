#!/usr/bin/env bash
# Bundle the main job's model into the package (`make bundle-model`): copy every file of the model folder
# (model.skops, model_card.json, model_card.md, taxonomy.toml) into classifier/bundled/, which the wheel
# ships as package data and Tagger.load() falls back to (docs/packaging.md). Run it after `make main`,
# then commit classifier/bundled/. tests/integration/test_bundled_model.py checks the two stay the same model.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC="${1:-${NEWSTAG_MODEL:-models/default}}"
DEST="classifier/bundled"
if [ ! -f "$SRC/model.skops" ] || [ ! -f "$SRC/model_card.json" ]; then
    echo "error: $SRC holds no model (model.skops and model_card.json); run \`make main\` first." >&2
    exit 2
fi
rm -rf "$DEST.new"
mkdir -p "$DEST.new"
find "$SRC" -maxdepth 1 -type f ! -name '.*' -exec cp -p {} "$DEST.new/" \;
rm -rf "$DEST"
mv "$DEST.new" "$DEST"
ls -l "$DEST" >&2
echo "bundled $SRC into $DEST: commit it (git add $DEST)." >&2
