"""Label the real news corpus (Wikipedia Current events items) through a real Label Studio server.

The rounds, in the order the team runs them (issue 15; the datasheet is ``seeds/news/README.md``):

1. ``corpus``   the pool corpus from ``.cache/news/pool.jsonl`` (``python -m tools.news.pool``), every
                event one unlabeled article whose meta keeps its own id, date, story line and portal section;
2. ``project``  a Label Studio project from the taxonomy's config (predictions stored, never shown to
                annotators), one Label Studio user per annotator and one for the adjudications;
3. ``random``   round 0: items drawn at random from the pool, stratified by month, imported as tasks;
   (rounds 1..K: ``newstag annotate next --project`` chooses and imports the tasks, then ``claim`` reads
   the project's new tasks into a round)
4. ``assign``   each item of a round to two of the three annotators (rotating pairs): the todo files that
                the annotators read hold the text and date only — no model output, no other annotator;
5. ``post``     each annotator's labels file (``tools/news/labels/rK-<annotator>.jsonl``) posted as that
                Label Studio user's annotation;
6. ``disagree`` items whose two annotations differ on any facet, for the annotator who was not in the
                pair: the text and the two label sets, unnamed;
7. ``settle``   the adjudications (``rK-adjudicator.jsonl``) posted as ground-truth annotations by the
                ``adjudicator`` user;
8. ``export``   the project's JSON export and the annotated items' texts into ``seeds/news/``.

A conventions review re-reads earlier rounds against the conventions as they stand now: ``review NAME --rounds
...`` splits their items, with the labels they were settled with, into shares for reviewers who flag only what a
numbered convention or the guide decides otherwise (``NAME-flags-K.jsonl``); ``confirm NAME`` hands each flag to a
reviewer who did not raise it; ``post NAME adjudicator`` posts the confirmations as ground truth, which supersede
the item's earlier labels (a round's adjudication is revised in place); ``check-review`` checks a reviewer's file.
A review of one revised rule reads only the items it can touch: ``review NAME --rounds ... --with-themes T ...`` (the
items whose settled themes hold every one of them) or ``--text REGEX`` (the items whose text matches it).

On a new machine (the server's data is not committed), ``python -m tools.news.replay`` first rebuilds the project
from the repository: the committed export's tasks, every round's labels files posted as the same users, checked
against the export.

Run each step as ``.venv/bin/python -m tools.news.label STEP [...]`` with a running server whose URL and
token are in ``$NEWSTAG_LS_URL`` / ``$NEWSTAG_LS_TOKEN``. Nothing here needs the network.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

from tools.news.pool import write_jsonl

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / ".cache" / "news"
POOL = WORK / "pool.jsonl"
POOL_CORPUS = WORK / "corpus"
STATE = WORK / "state.json"
LABELS = ROOT / "tools" / "news" / "labels"
SEEDS = ROOT / "seeds" / "news"
ANNOTATORS = ("annotator-a", "annotator-b", "annotator-c")
ADJUDICATOR = "adjudicator"
PAIRS = ((0, 1), (1, 2), (2, 0))  # the annotators of an item; the third one adjudicates
FACETS = ("region", "themes", "actors")


def _state() -> dict:
    return json.loads(STATE.read_text()) if STATE.exists() else {}


def _save_state(state: dict) -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    STATE.write_text(json.dumps(state, indent=1, sort_keys=True))


def _client():
    from annotation.client import connect

    return connect(os.environ["NEWSTAG_LS_URL"], os.environ["NEWSTAG_LS_TOKEN"])


def _jsonl(path: Path) -> list[dict]:
    out = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise SystemExit(f"{path}:{lineno}: invalid JSON ({exc.msg})") from None
    return out


def pool_articles():
    """The pool records as Articles: body = the event text; meta = own id, date, story line, section."""
    from corpus import Article

    for r in _jsonl(POOL):
        y, m, d = (int(x) for x in r["date"].split("-"))
        yield Article(title="", body=r["text"], raw=r["text"], date_text=r["date"], year=y, month=m, day=d,
                      source="Wikipedia Current events", url=r["url"], origin=f"{POOL.name}:{r['id']}",
                      meta={"source_id": r["id"], "date": r["date"], "story_line": r["story_line"],
                            "portal_section": r["portal_section"], "outlets": r["outlets"]})


def cmd_corpus(args) -> None:
    from corpus import from_articles, load_taxonomy, save

    corpus = from_articles(pool_articles(), load_taxonomy())
    save(corpus, POOL_CORPUS)
    print(f"pool corpus: {len(corpus)} articles -> {POOL_CORPUS}", file=sys.stderr)


def _texts_and_dates(corpus) -> tuple[dict[str, str], dict[str, str]]:
    """article id -> its text, and -> its date, as the annotators' files show them."""
    cols = corpus.dataset.select_columns(["id", "body", "date_text"]).to_dict()
    return dict(zip(cols["id"], cols["body"])), dict(zip(cols["id"], cols["date_text"]))


def _pool():
    from corpus import load

    return load(POOL_CORPUS)


def cmd_project(args) -> None:
    from annotation import labeling_config

    state = _state()
    if state.get("project"):
        raise SystemExit(f"project {state['project']} exists already")
    ls = _client()
    corpus = _pool()
    project = ls.projects.create(title=args.title, label_config=labeling_config(corpus.taxonomy),
                                 show_collab_predictions=False, maximum_annotations=3)
    users = {}
    for who in (*ANNOTATORS, ADJUDICATOR):
        users[who] = ls.users.create(username=who, email=f"{who}@newstag.example", first_name=who,
                                     password=f"{who}-password-1").id
    state.update(project=project.id, users=users, rounds={})
    _save_state(state)
    print(project.id)


def _tasks(ls, project: int) -> dict[str, int]:
    """article id -> task id of every task in the project."""
    return {t.data["article_id"]: t.id for t in ls.tasks.list(project=project, fields="all")}


def cmd_random(args) -> None:
    """Round 0: ``--per-month`` items a month drawn at random (seeded), imported as tasks."""
    from annotation import make_tasks

    state = _state()
    corpus = _pool()
    cols = corpus.dataset.select_columns(["id", "year", "month"]).to_dict()
    by_month = defaultdict(list)
    for aid, y, m in zip(cols["id"], cols["year"], cols["month"]):
        by_month[(y, m)].append(aid)
    rng = np.random.default_rng(args.seed)
    chosen = []
    for key in sorted(by_month):
        ids = sorted(by_month[key])
        k = min(args.per_month, len(ids))
        chosen += [ids[i] for i in sorted(rng.choice(len(ids), size=k, replace=False))]
    keep = set(chosen)
    sub = corpus.dataset.filter(lambda r: r["id"] in keep)
    from corpus import Corpus

    tasks = make_tasks(Corpus(sub, corpus.taxonomy))
    for t in tasks:
        t["data"]["newstag_selection"] = {"strategy": "random", "round": 0, "stratum": "month", "seed": args.seed}
    ls = _client()
    for start in range(0, len(tasks), 250):
        ls.projects.import_tasks(id=state["project"], request=tasks[start:start + 250])
    state["rounds"]["r0"] = {"strategy": "random", "seed": args.seed, "per_month": args.per_month,
                             "articles": sorted(keep)}
    _save_state(state)
    print(f"round r0: {len(keep)} random items imported into project {state['project']}", file=sys.stderr)


def cmd_claim(args) -> None:
    """Round K: the project's tasks that no round holds yet (imported by ``newstag annotate next``); with
    ``--random``, a round that ``annotate next --random 1`` drew wholly at random (its items count as random)."""
    state = _state()
    held = {a for r in state["rounds"].values() for a in r["articles"]}
    ls = _client()
    new = sorted(set(_tasks(ls, state["project"])) - held)
    state["rounds"][args.round] = {"strategy": "random" if args.random else "annotate next", "articles": new,
                                   **({"match": args.match} if args.match else {})}
    _save_state(state)
    print(f"round {args.round}: {len(new)} new tasks", file=sys.stderr)


def _assignment(round_name: str, articles: list[str]) -> dict[str, tuple[int, int]]:
    """article -> the pair of annotator indexes; rotating pairs over a seeded shuffle (balanced)."""
    rng = seeded_rng(round_name)
    order = [articles[i] for i in rng.permutation(len(articles))]
    return {a: PAIRS[k % 3] for k, a in enumerate(order)}


def cmd_assign(args) -> None:
    state = _state()
    rnd = state["rounds"][args.round]
    corpus = _pool()
    text, date = _texts_and_dates(corpus)
    pairs = _assignment(args.round, rnd["articles"])
    out = WORK / "rounds" / args.round
    for k, who in enumerate(ANNOTATORS):
        rows = [{"item": a, "date": date[a], "text": text[a]} for a in rnd["articles"] if k in pairs[a]]
        write_jsonl(out / f"todo-{who}.jsonl", rows)
        print(f"{who}: {len(rows)} items -> {out / f'todo-{who}.jsonl'}", file=sys.stderr)


def _row_labels(r: dict, taxonomy, where: str) -> dict:
    """One labels line's facets, checked: region one label id, themes and actors lists of ids."""
    labels = {f: r.get(f) for f in FACETS}
    if not isinstance(labels["region"], str) or not isinstance(labels["themes"], list) \
            or not isinstance(labels["actors"], list):
        raise ValueError(f"{where}: expected region (one label) and themes/actors lists, got {labels}")
    return taxonomy.check_labels(labels, where=where)


def seeded_rng(key: str) -> np.random.Generator:
    """A generator seeded by ``key`` (a round's or a review's name): the same draw on every machine and run."""
    return np.random.default_rng(int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big"))


def _check(rows: list[dict], path: Path, taxonomy) -> dict[str, dict]:
    """item -> its checked labels, from a labels file's rows; stops at an invalid line or an item labeled twice."""
    out = {}
    for k, r in enumerate(rows, start=1):
        if r.get("item") in out:
            raise SystemExit(f"{path}:{k}: item {r['item']} labeled twice: keep one line per item")
        try:
            out[r["item"]] = _row_labels(r, taxonomy, f"{path.name} line {k} (item {r.get('item')})")
        except ValueError as exc:  # TaxonomyError too
            raise SystemExit(str(exc)) from None
    return out


def _result(labels: dict) -> list[dict]:
    return [{"from_name": f, "to_name": "text", "type": "choices",
             "value": {"choices": [labels[f]] if isinstance(labels[f], str) else list(labels[f])}}
            for f in FACETS]


def cmd_post(args) -> None:
    """Post ``rK-<annotator>.jsonl`` (or the adjudications, with --ground-truth) as that user's annotations."""
    state = _state()
    corpus = _pool()
    who = args.annotator
    path = LABELS / f"{args.round}-{who}.jsonl"
    labels = _check(_jsonl(path), path, corpus.taxonomy)
    review = args.round in state.get("reviews", {})
    if review and who != ADJUDICATOR:
        raise SystemExit(f"{args.round} is a conventions review: only its confirmations ({ADJUDICATOR}) are posted")
    rnd = state["rounds"].get(args.round) or state["reviews"][args.round]
    if who in ANNOTATORS:
        pairs = _assignment(args.round, rnd["articles"])
        k = ANNOTATORS.index(who)
        expected = {a for a in rnd["articles"] if k in pairs[a]}
    else:
        expected = {r["item"] for r in _jsonl(WORK / "rounds" / args.round / "disagreements.jsonl")}
    if set(labels) != expected:
        raise SystemExit(f"{path}: items differ from the assignment: missing {sorted(expected - set(labels))[:5]}, "
                         f"extra {sorted(set(labels) - expected)[:5]}")
    ls = _client()
    tasks = _tasks(ls, state["project"])
    posted = state.setdefault("posted", {}).setdefault(f"{args.round}/{who}", [])
    for aid in sorted(labels):
        if aid in posted:
            continue
        earlier = [a for a in ls.annotations.list(id=tasks[aid]) if a.completed_by == state["users"][who]] \
            if review else []
        if earlier:  # the round's adjudication: revised in place (a task keeps one ground truth a user)
            ls.annotations.update(id=earlier[0].id, result=_result(labels[aid]), ground_truth=True)
        else:
            ls.annotations.create(id=tasks[aid], result=_result(labels[aid]), completed_by=state["users"][who],
                                  ground_truth=who == ADJUDICATOR)
        posted.append(aid)
    _save_state(state)
    print(f"{args.round}/{who}: {len(labels)} annotations posted", file=sys.stderr)


def _labels_files(name: str, users, taxonomy) -> dict[str, dict[str, dict]]:
    """user -> article -> labels, from each user's ``NAME-USER.jsonl`` in ``tools/news/labels``, checked."""
    return {who: _check(_jsonl(LABELS / f"{name}-{who}.jsonl"), LABELS / f"{name}-{who}.jsonl", taxonomy)
            for who in users}


def differing_facets(x: dict, y: dict) -> list[str]:
    """The facets on which two label sets differ, the order of their themes and actors aside."""
    def norm(v):
        return sorted(v) if isinstance(v, list) else v
    return [f for f in FACETS if norm(x.get(f)) != norm(y.get(f))]


def cmd_disagree(args) -> None:
    state = _state()
    corpus = _pool()
    rnd = state["rounds"][args.round]
    pairs = _assignment(args.round, rnd["articles"])
    got = _labels_files(args.round, ANNOTATORS, corpus.taxonomy)
    text, date = _texts_and_dates(corpus)
    rows, per_adj = [], defaultdict(int)
    for a in rnd["articles"]:
        i, j = pairs[a]
        x, y = got[ANNOTATORS[i]][a], got[ANNOTATORS[j]][a]
        differ = differing_facets(x, y)
        if differ:
            third = ANNOTATORS[3 - i - j]
            per_adj[third] += 1
            rows.append({"item": a, "date": date[a], "text": text[a], "adjudicator": third, "differ": differ,
                         "first": {f: x[f] for f in FACETS}, "second": {f: y[f] for f in FACETS}})
    out = WORK / "rounds" / args.round
    write_jsonl(out / "disagreements.jsonl", rows)
    for who in ANNOTATORS:
        write_jsonl(out / f"adjudicate-{who}.jsonl", [{k: v for k, v in r.items() if k != "adjudicator"}
                                                        for r in rows if r["adjudicator"] == who])
    print(f"{args.round}: {len(rows)} of {len(rnd['articles'])} items differ; per adjudicator {dict(per_adj)}",
          file=sys.stderr)


def _file_errors(rows: list[dict], todo: set[str], taxonomy, rule: bool = False) -> tuple[list[str], set[str]]:
    """Every problem of a labels file at once (an item twice, one not in the todo file, invalid labels, with ``rule``
    a flag citing no rule), and the items it holds."""
    errors, seen = [], set()
    for k, r in enumerate(rows, start=1):
        item = r.get("item")
        if item in seen:
            errors.append(f"line {k}: item {item} labeled twice")
        seen.add(item)
        if item not in todo:
            errors.append(f"line {k}: item {item!r} is not in your todo file")
        if rule and not str(r.get("rule", "")).strip():
            errors.append(f"line {k} (item {item}): no rule cited (a convention's number or the guide's sentence)")
        try:
            _row_labels(r, taxonomy, f"line {k}")
        except Exception as exc:  # report every problem at once
            errors.append(f"line {k} (item {item}): {exc}")
    return errors, seen


def cmd_check(args) -> None:
    """Check an annotator's labels file against the taxonomy and its todo file (what is missing, extra, invalid)."""
    path = LABELS / f"{args.round}-{args.annotator}.jsonl"
    todo_name = "disagreements.jsonl" if args.annotator == ADJUDICATOR else f"todo-{args.annotator}.jsonl"
    if args.adjudicating:  # one adjudicator's share of the disagreements
        path = LABELS / f"{args.round}-adjudicator-by-{args.adjudicating}.jsonl"
        todo_name = f"adjudicate-{args.adjudicating}.jsonl"
    report_check(path, WORK / "rounds" / args.round / todo_name)


def report_check(path: Path, todo_path: Path) -> None:
    """Print what a labels file still lacks against its todo file, and every invalid line."""
    from corpus import load_taxonomy

    todo = {r["item"] for r in _jsonl(todo_path)}
    rows = _jsonl(path) if path.exists() else []
    errors, seen = _file_errors(rows, todo, load_taxonomy())
    missing = sorted(todo - seen)
    print(f"{path.name}: {len(rows)} lines, {len(seen & todo)} of {len(todo)} items done, {len(missing)} to do, "
          f"{len(errors)} error(s)")
    for e in errors[:40]:
        print("  " + e)
    if missing:
        print("  next items to do: " + ", ".join(missing[:5]))


def review_order(name: str) -> list:
    """Sort key of review names: ``review2`` before ``review10``."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def _settled(round_name: str, articles: list[str], taxonomy, earlier: list[str]) -> dict[str, dict]:
    """article -> its labels as its round settled them: the adjudication where the pair differed, else the pair's own
    (they agreed on every facet); then the confirmations of each of the ``earlier`` conventions reviews, in order."""
    pairs = _assignment(round_name, articles)
    got = _labels_files(round_name, ANNOTATORS, taxonomy)
    adjudicated = (LABELS / f"{round_name}-{ADJUDICATOR}.jsonl").exists()
    adj = _labels_files(round_name, [ADJUDICATOR], taxonomy)[ADJUDICATOR] if adjudicated else {}
    out = {a: adj.get(a) or got[ANNOTATORS[pairs[a][0]]][a] for a in articles}
    for name in earlier:
        if (LABELS / f"{name}-{ADJUDICATOR}.jsonl").exists():
            out.update({a: v for a, v in _labels_files(name, [ADJUDICATOR], taxonomy)[ADJUDICATOR].items()
                        if a in out})
    return out


def review_filters(record) -> dict:
    """The filters of a conventions review (``--with-themes``, ``--text``) from its arguments or its record, as
    ``cmd_review`` takes them; absent ones are off."""
    return {"with_themes": record.get("with_themes"), "text": record.get("text")}


def cmd_review(args) -> None:
    """A conventions review: the items of earlier rounds, with their settled labels, in ``--shares`` shares.

    The conventions grew round by round; items settled before a rule existed may contradict it. Each reviewer
    reads one share (text, date, the settled labels; never a model's output or who labeled it) and writes a flag
    only where a numbered convention or a sentence of the guide decides a facet otherwise
    (``tools/news/labels/NAME-flags-K.jsonl``: item, rule, the proposed region, themes and actors, why).
    ``confirm`` then hands every flag to a reviewer who did not raise it. A rule revised for one kind of item is re-read
    on those items alone: ``--with-themes T ...`` keeps the items whose settled themes hold every one of them,
    ``--text REGEX`` those whose text matches (case-insensitive).
    The record keeps the filters, so a replay draws the same items and shares.
    """
    filters = review_filters(vars(args))
    pattern = None
    if filters["text"]:
        try:
            pattern = re.compile(filters["text"], re.IGNORECASE)
        except re.error as exc:
            raise SystemExit(f"review {args.name}: --text {args.text!r}: not a regular expression ({exc}): "
                             f"fix the pattern") from None
    state = _state()
    corpus = _pool()
    text, date = _texts_and_dates(corpus)
    earlier = sorted((n for n in state.get("reviews", {}) if review_order(n) < review_order(args.name)),
                     key=review_order)
    settled: dict[str, dict] = {}
    for name in args.rounds:
        settled.update(_settled(name, state["rounds"][name]["articles"], corpus.taxonomy, earlier))
    with_themes = filters["with_themes"] or []
    articles = sorted(a for a, v in settled.items() if set(with_themes) <= set(v["themes"])
                      and (pattern is None or pattern.search(text[a])))
    rng = seeded_rng(args.name)
    share = {articles[i]: k % args.shares for k, i in enumerate(rng.permutation(len(articles)))}
    record = {"rounds": list(args.rounds), "shares": args.shares, **{k: v for k, v in filters.items() if v}}
    state.setdefault("reviews", {})[args.name] = {**record, "articles": articles}
    _save_state(state)
    (LABELS / f"{args.name}.json").write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    out = WORK / "rounds" / args.name
    for k in range(args.shares):
        write_jsonl(out / f"review-{k}.jsonl", [{"item": a, "date": date[a], "text": text[a], **settled[a]}
                                                 for a in articles if share[a] == k])
    print(f"{args.name}: {len(articles)} items of {', '.join(args.rounds)} in {args.shares} shares -> {out}",
          file=sys.stderr)


def _review_share(name: str, state: dict) -> dict[str, int]:
    out = WORK / "rounds" / name
    return {r["item"]: k for k in range(state["reviews"][name]["shares"])
            for r in _jsonl(out / f"review-{k}.jsonl")}


def cmd_confirm(args) -> None:
    """Every flag of a review, for a reviewer who did not raise it, blind: the text and two label sets, the settled and
    the proposed, as ``first`` and ``second`` in an order drawn per item — never which is which, nor the rule cited
    (``adjudicate-C.jsonl``; the decisions go to ``NAME-adjudicator-by-C.jsonl``). ``disagreements.jsonl`` keeps
    both, the rule and why."""
    state = _state()
    corpus = _pool()
    shares = state["reviews"][args.name]["shares"]
    share = _review_share(args.name, state)
    out = WORK / "rounds" / args.name
    rows = []
    for k in range(shares):
        path = LABELS / f"{args.name}-flags-{k}.jsonl"
        flags = _jsonl(path) if path.exists() else []
        proposed = _check(flags, path, corpus.taxonomy)
        settled = {r["item"]: r for r in _jsonl(out / f"review-{k}.jsonl")}
        for r in flags:
            if share.get(r["item"]) != k:
                raise SystemExit(f"{path}: item {r['item']} is not in share {k}")
            s = settled[r["item"]]
            rows.append({"item": r["item"], "date": s["date"], "text": s["text"], "flagged_by": k,
                         "settled": {f: s[f] for f in FACETS}, "proposed": proposed[r["item"]],
                         "rule": r.get("rule", ""), "why": r.get("why", "")})
    rows.sort(key=lambda r: r["item"])
    write_jsonl(out / "disagreements.jsonl", rows)
    # confirmer c (the reviewer of share c) never confirms its own flags; the load is balanced
    load = {c: 0 for c in range(args.confirmers)}
    mine: dict[int, list] = {c: [] for c in range(args.confirmers)}
    for r in rows:
        c = min((c for c in load if c != r["flagged_by"]), key=lambda c: (load[c], c))
        load[c] += 1
        swap = hashlib.sha256(f"{args.name}/{r['item']}".encode()).digest()[0] % 2
        pair = (r["proposed"], r["settled"]) if swap else (r["settled"], r["proposed"])
        mine[c].append({"item": r["item"], "date": r["date"], "text": r["text"], "first": pair[0], "second": pair[1]})
    for c in range(args.confirmers):
        write_jsonl(out / f"adjudicate-{c}.jsonl", mine[c])
    record = LABELS / f"{args.name}.json"
    record.write_text(json.dumps({**json.loads(record.read_text(encoding="utf-8")), "confirmers": args.confirmers},
                                 indent=1) + "\n", encoding="utf-8")
    print(f"{args.name}: {len(rows)} flags of {len(share)} items; per confirmer {load}", file=sys.stderr)


def cmd_check_review(args) -> None:
    """Check a reviewer's flags (``--flags K``) or confirmations (``--confirm C``) file: items, labels, rule."""
    from corpus import load_taxonomy

    out = WORK / "rounds" / args.name
    if args.flags is not None:
        path = LABELS / f"{args.name}-flags-{args.flags}.jsonl"
        todo, done_needed = {r["item"] for r in _jsonl(out / f"review-{args.flags}.jsonl")}, False
    else:
        path = LABELS / f"{args.name}-adjudicator-by-{args.confirm}.jsonl"
        todo, done_needed = {r["item"] for r in _jsonl(out / f"adjudicate-{args.confirm}.jsonl")}, True
    rows = _jsonl(path) if path.exists() else []
    errors, seen = _file_errors(rows, todo, load_taxonomy(), rule=args.flags is not None)
    if args.flags is not None:  # a flag must change something, or confirmation gets two identical label sets
        settled = {r["item"]: r for r in _jsonl(out / f"review-{args.flags}.jsonl")}
        errors += [f"line {k} (item {r.get('item')}): the flag's labels are the settled labels; write the labels the "
                   f"rule decides" for k, r in enumerate(rows, start=1)
                   if r.get("item") in settled and not differing_facets(r, settled[r["item"]])]
    missing = sorted(todo - seen) if done_needed else []
    print(f"{path.name}: {len(rows)} lines, {len(errors)} error(s)" + (f", {len(missing)} to do" if done_needed else ""))
    for e in errors[:40]:
        print("  " + e)
    if missing:
        print("  next items to do: " + ", ".join(missing[:5]))


WORK_CORPUS = WORK / "work-corpus"
LIVE_EXPORT = WORK / "live-export.json"
STARTER_EXPORT = ROOT / "seeds" / "label-studio-export.json"


def cmd_train(args) -> None:
    """The model of an active-learning round: fitted on every labeled article so far (starter + real).

    The work corpus is the pool plus the starter articles; the starter export and the project's live
    export are imported into a fresh copy of it each time (consensus; ground truth wins).
    """
    import shutil

    from annotation import download_export, import_annotations
    from classifier import Tagger
    from corpus import from_articles, load_taxonomy, read_paths, save
    from corpus.store import copy_corpus

    base = WORK / "work-corpus-base"
    if not base.exists():
        taxonomy = load_taxonomy()
        starter = read_paths([ROOT / "seeds" / "starter", ROOT / "seeds" / "000_de4c56d6e12b58d7.txt"], taxonomy)
        save(from_articles([*pool_articles(), *starter.articles], taxonomy), base)
    shutil.rmtree(WORK_CORPUS, ignore_errors=True)
    copy_corpus(base, WORK_CORPUS)
    download_export(url=os.environ["NEWSTAG_LS_URL"], token=os.environ["NEWSTAG_LS_TOKEN"],
                    project=_state()["project"], fmt="JSON", path=LIVE_EXPORT)
    import_annotations(STARTER_EXPORT, WORK_CORPUS)
    corpus, _ = import_annotations(LIVE_EXPORT, WORK_CORPUS)
    print(f"work corpus: {len(corpus)} articles, {corpus.n_labeled} labeled", file=sys.stderr)
    tagger = Tagger(random_state=0).fit(corpus)
    out = WORK / "models" / args.round
    tagger.save(out)
    print(out)


def cmd_export(args) -> None:
    """The project's JSON export, the annotated items and their attribution into seeds/news/.

    ``items.jsonl``: one annotated item a line — its own id, date, text, the day's portal page (``url``),
    story line, and ``selection`` (``random`` for round 0, ``active`` for the ``annotate next`` rounds)
    with its ``round``. ``ATTRIBUTION.md``: the licence and every portal page an item comes from.
    """
    from annotation import download_export

    state = _state()
    SEEDS.mkdir(parents=True, exist_ok=True)
    download_export(url=os.environ["NEWSTAG_LS_URL"], token=os.environ["NEWSTAG_LS_TOKEN"],
                    project=state["project"], fmt="JSON", path=SEEDS / "label-studio-export.json")
    round_of = {a: (name, r["strategy"]) for name, r in state["rounds"].items() for a in r["articles"]}
    corpus = _pool()
    cols = corpus.dataset.select_columns(["id", "meta"]).to_dict()
    by_source = {json.loads(m)["source_id"]: aid for aid, m in zip(cols["id"], cols["meta"])}
    rows = []
    for r in _jsonl(POOL):
        aid = by_source.get(r["id"])
        if aid in round_of:
            name, strategy = round_of[aid]
            rows.append({"id": r["id"], "date": r["date"], "text": r["text"], "url": r["url"],
                         "story_line": r["story_line"], "round": name,
                         "selection": "random" if strategy == "random" else "active",
                         **({"match": state["rounds"][name]["match"]} if "match" in state["rounds"][name] else {})})
    write_jsonl(SEEDS / "items.jsonl", rows)
    days = sorted({(r["date"], r["url"]) for r in rows})
    lines = [
        "# Attribution: the real news items in this folder", "",
        "The texts of `items.jsonl` (and of the tasks in `label-studio-export.json`) are event summaries from",
        "Wikipedia's [Portal:Current events](https://en.wikipedia.org/wiki/Portal:Current_events), written by",
        "Wikipedia contributors and licensed under the",
        "[Creative Commons Attribution-ShareAlike 4.0 International licence (CC BY-SA 4.0)]"
        "(https://creativecommons.org/licenses/by-sa/4.0/).",
        "They are reproduced as they appear on the portal (links reduced to their words, outlet citations",
        "removed); the labels are newstag's annotations and are shared under the same licence.",
        "The rest of the repository keeps its own licence.", "",
        f"{len(rows)} items from {len(days)} daily pages, each item's `date` naming its page:", "",
    ]
    lines += [f"- {d}: {u}" for d, u in days]
    (SEEDS / "ATTRIBUTION.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(rows)} items, the export and the attribution -> {SEEDS}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="step", required=True)
    sub.add_parser("corpus")
    s = sub.add_parser("project")
    s.add_argument("--title", default="newstag real news (Wikipedia Current events)")
    s = sub.add_parser("random")
    s.add_argument("--per-month", type=int, default=40)
    s.add_argument("--seed", type=int, default=0)
    for name in ("assign", "disagree"):
        sub.add_parser(name).add_argument("round")
    s = sub.add_parser("claim")
    s.add_argument("round")
    s.add_argument("--random", action="store_true", help="the round was drawn wholly at random (annotate next --random 1)")
    s.add_argument("--match", help="the round was drawn from a keyword pool (annotate next --match PATTERN)")
    s = sub.add_parser("post")
    s.add_argument("round")
    s.add_argument("annotator", choices=(*ANNOTATORS, ADJUDICATOR))
    sub.add_parser("train").add_argument("round")
    s = sub.add_parser("check")
    s.add_argument("round")
    s.add_argument("annotator", choices=(*ANNOTATORS, ADJUDICATOR))
    s.add_argument("--adjudicating", choices=ANNOTATORS, help="check this annotator's share of the adjudications")
    s = sub.add_parser("review")
    s.add_argument("name")
    s.add_argument("--rounds", nargs="+", required=True)
    s.add_argument("--shares", type=int, default=6)
    s.add_argument("--with-themes", nargs="+", metavar="THEME", help="only items whose settled themes hold all of these")
    s.add_argument("--text", metavar="REGEX", help="only items whose text matches this pattern (case-insensitive)")
    s = sub.add_parser("confirm")
    s.add_argument("name")
    s.add_argument("--confirmers", type=int, default=3)
    s = sub.add_parser("check-review")
    s.add_argument("name")
    who = s.add_mutually_exclusive_group(required=True)
    who.add_argument("--flags", type=int, metavar="K", help="check reviewer K's flags")
    who.add_argument("--confirm", type=int, metavar="C", help="check confirmer C's confirmations")
    sub.add_parser("export")
    args = p.parse_args(argv)
    globals()[f"cmd_{args.step.replace('-', '_')}"](args)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    sys.exit(main())
