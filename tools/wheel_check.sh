#!/usr/bin/env bash
# The CI wheel job (issue 17): build the wheel, install it with the pinned constraints into a fresh venv in a
# temporary folder, and use it from an EMPTY folder as a new user would — the CLI (version, tag, corpus build,
# annotate config) and the library (Tagger.load()). Nothing of the repository is on the path there: the
# taxonomy and the model must come from the wheel. Temporary folders are removed on exit, pass or fail.
#   bash tools/wheel_check.sh          (make test runs it after the test suite; see docs/packaging.md)
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"
PYTHON="${PYTHON:-$([ -x .venv/bin/python ] && echo .venv/bin/python || echo python3)}"
START=$SECONDS
TMP="$(mktemp -d "${TMPDIR:-/tmp}/newstag-wheel.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
step() { printf '\n\033[1m== wheel check (%d s): %s\033[0m\n' "$((SECONDS - START))" "$*" >&2; }
fail() { echo "wheel check FAILED: $*" >&2; exit 1; }

step "build the wheel from a copy of the checkout (tracked and new files; build/ and *.egg-info stay out of the repository)"
mkdir "$TMP/src"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
    [ -e "$f" ] && printf '%s\0' "$f"
done | xargs -0 cp --parents -t "$TMP/src"
"$PYTHON" -m pip wheel -q --no-deps -w "$TMP/dist" "$TMP/src"
WHEEL="$(ls "$TMP"/dist/newstag-*.whl)"
ls -l "$WHEEL" >&2
"$PYTHON" - "$WHEEL" <<'PY' || fail "the wheel lacks its package data"
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
need = {"corpus/data/taxonomy.toml", "classifier/bundled/model.skops", "classifier/bundled/model_card.json",
        "classifier/bundled/taxonomy.toml", "corpus/datasets/__init__.py"}
missing = sorted(need - names)
print("missing from the wheel:", missing, file=sys.stderr) if missing else None
sys.exit(1 if missing else 0)
PY

step "install it into a fresh venv with constraints.txt"
"$PYTHON" -m venv "$TMP/venv"
"$TMP/venv/bin/python" -m pip install -q --upgrade "pip>=24"
"$TMP/venv/bin/python" -m pip install -q --no-compile -c constraints.txt "$WHEEL"  # .pyc files: on first import
BIN="$TMP/venv/bin"

step "use it from an empty folder"
mkdir "$TMP/empty"
cd "$TMP/empty"
unset NEWSTAG_MODEL
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 MPLBACKEND=Agg HF_HOME="$TMP/hf-home"

"$BIN/newstag" --version | tee version.txt
grep -q "^newstag 0.1.0$" version.txt || fail "newstag --version does not print the package version"
grep -q "^model: bundled default model (newstag .*, model_version [0-9a-f]\{12\}, trained on " version.txt \
    || fail "newstag --version does not name the bundled model and its training data"

cp "$REPO/seeds/000_de4c56d6e12b58d7.txt" seed.txt
"$BIN/newstag" tag seed.txt -o tags.jsonl 2> tag.err
cat tag.err >&2
grep -q "^model: bundled default model" tag.err || fail "newstag tag does not say it loaded the bundled model"
"$BIN/python" - <<'PY' || fail "the seed article's tags are not the expected ones"
import json
r = json.loads(open("tags.jsonl", encoding="utf-8").readline())
got = {"region": r["region"]["label"], "themes": {t["label"] for t in r["themes"]},
       "actors": {a["label"] for a in r["actors"]}}
print("seed article:", got)
assert got["region"] == "asia", got
assert {"USA", "JPN", "KOR"} <= got["actors"], got
assert {"military_training", "deterrence"} <= got["themes"], got
PY

mkdir articles
printf 'Tokyo and Seoul hold talks\n\nJapan and South Korea held talks in Tokyo on Monday about regional security.\n' > articles/one.txt
printf 'NATO exercise in the Baltic\n\nNATO forces began a military exercise in the Baltic Sea on Tuesday.\n' > articles/two.txt
"$BIN/newstag" corpus build articles -o c
[ -f c/manifest.json ] && [ -f c/taxonomy.toml ] || fail "newstag corpus build wrote no corpus"

"$BIN/python" -c "
from classifier import Tagger
tagger = Tagger.load()
assert tagger.source_.kind == 'bundled', tagger.source_
result = tagger.tag('Japan and South Korea held joint naval drills with the United States.')
print('Tagger.load():', tagger.source_.summary())
print('tagged:', result.labels('region'), result.labels('actors'))
assert result.labels('region') == 'asia'
"

"$BIN/newstag" annotate config > config.xml
grep -q "<View" config.xml || fail "newstag annotate config printed no labeling config"

[ -z "$(ls -A "$TMP/empty" | grep -v -x -e version.txt -e seed.txt -e tags.jsonl -e tag.err -e articles -e c -e .c.lock -e config.xml)" ] \
    || fail "something wrote unexpected files into the empty folder: $(ls -A "$TMP/empty")"
printf '\nwheel check passed in %d s (%s)\n' "$((SECONDS - START))" "$(basename "$WHEEL")" >&2
