"""Label the starter corpus through a real Label Studio server and commit its JSON export.

What it does, in the order a team would:
1. builds a corpus from ``seeds/`` (the user's seed article and the starter items);
2. starts a local Label Studio server (``annotation.LabelStudioServer``: offline, loopback, its own data dir);
3. pushes the articles as tasks with the tool's own ``newstag annotate push`` command;
4. creates one Label Studio user per writer and posts each writer's labels (``tools/starter/labels-*.jsonl``;
   the seed article's labels from DESIGN.md, by the lead) through the API as that user's annotation;
5. pulls the JSON export with ``newstag annotate pull`` into ``seeds/label-studio-export.json``;
6. checks that importing the committed export into a fresh corpus gives exactly the labels decided.

Run: ``.venv/bin/python tools/label_starter.py`` (after ``make install install-labelstudio``). Needs no network.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXPORT = ROOT / "seeds" / "label-studio-export.json"
SEED = "seeds/000_de4c56d6e12b58d7.txt"
# DESIGN.md: the seed article as tagged by a person.
SEED_LABELS = {"region": "asia", "themes": ["alliance", "military_training", "deterrence", "missile_nuclear", "diplomacy"],
               "actors": ["USA", "JPN", "KOR", "PRK", "CHN"]}


def decisions() -> dict[str, tuple[str, dict]]:
    """file (relative to the repository) -> (annotator, labels)."""
    out = {SEED: ("lead", SEED_LABELS)}
    for path in sorted((ROOT / "tools" / "starter").glob("labels-*.jsonl")):
        writer = "writer-" + path.stem.split("-", 1)[1]
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                rec = json.loads(line)
                if rec["file"] in out:
                    raise SystemExit(f"{path}:{lineno}: {rec['file']} labeled twice")
                out[rec["file"]] = (writer, {k: rec[k] for k in ("region", "themes", "actors")})
    return out


def newstag(*args: str) -> str:
    exe = Path(sys.executable).with_name("newstag")
    done = subprocess.run([str(exe), *args], cwd=ROOT, check=True, capture_output=True, text=True)
    sys.stderr.write(done.stderr)
    return done.stdout


def choices(facet: str, labels: list[str]) -> dict:
    return {"from_name": facet, "to_name": "text", "type": "choices", "value": {"choices": labels}}


def main() -> int:
    from annotation import LabelStudioServer
    from annotation.server import find_label_studio, migrated_template
    from corpus import load, load_taxonomy

    taxonomy = load_taxonomy()
    wanted = decisions()
    for f, (who, labels) in wanted.items():
        taxonomy.check_labels(labels, where=f"{f} ({who})")
    with tempfile.TemporaryDirectory(prefix="newstag-label-starter-") as tmp:
        tmp = Path(tmp)
        corpus_dir = tmp / "corpus"
        newstag("corpus", "build", "seeds", "-o", str(corpus_dir))
        corpus = load(corpus_dir)
        by_file = {}
        for aid, sources in zip(corpus.ids, corpus.dataset["sources"]):
            for s in sources:
                by_file[s] = aid
        missing = sorted(set(wanted) - set(by_file))
        unlabeled = sorted(set(by_file) - set(wanted))
        if missing or unlabeled:
            raise SystemExit(f"labels without article: {missing}; articles without labels: {unlabeled}")
        executable = find_label_studio(ROOT)
        if executable is None:
            raise SystemExit("no Label Studio server: run `make install-labelstudio` first")
        template = migrated_template(ROOT / ".cache" / "label-studio", executable=executable)
        with LabelStudioServer(tmp / "ls", executable=executable, template=template, startup_timeout=300.0) as server:
            env_args = ("--url", server.url, "--token", server.token)
            project = int(newstag("annotate", "push", str(corpus_dir), *env_args, "--project-title",
                                  "newstag starter corpus").strip().splitlines()[-1])
            from label_studio_sdk import LabelStudio

            ls = LabelStudio(base_url=server.url, api_key=server.token)
            users = {}
            for who in sorted({w for w, _ in wanted.values()}):
                users[who] = ls.users.create(username=who, email=f"{who}@newstag.example",
                                             first_name=who, password=f"{who}-password-1").id
            tasks = {t.data["article_id"]: t.id for t in ls.tasks.list(project=project)}
            for f, (who, labels) in sorted(wanted.items()):
                result = [choices(facet, [labels[facet]] if facet == "region" else labels[facet])
                          for facet in ("region", "themes", "actors")]
                ls.annotations.create(id=tasks[by_file[f]], result=result, completed_by=users[who])
            newstag("annotate", "pull", *env_args, "--project", str(project), "--corpus", str(corpus_dir),
                    "--format", "JSON", "-o", str(EXPORT), "--strict")
        # Check: the committed export, imported into a fresh corpus, gives the labels decided.
        fresh = tmp / "fresh"
        newstag("corpus", "build", "seeds", "-o", str(fresh))
        newstag("annotate", "import", str(EXPORT), "--corpus", str(fresh), "--strict")
        labeled = load(fresh)
        got = {}
        for i, sources in enumerate(labeled.dataset["sources"]):
            for s in sources:
                got[s] = {f: labeled.labels(f)[i] for f in ("region", "themes", "actors")}
        for f, (_, labels) in wanted.items():
            norm = taxonomy.check_labels(labels)
            if got[f] != norm:
                raise SystemExit(f"{f}: imported {got[f]} but decided {norm}")
    print(f"{len(wanted)} articles labeled by {len(users)} annotators; export in {EXPORT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    sys.exit(main())
