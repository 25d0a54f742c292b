"""Rebuild the real news Label Studio project on a new server from what the repository holds, so that a new
round can follow (``tools/news/label.py``; the server's own data is never committed).

Run ``.venv/bin/python -m tools.news.replay`` with ``$NEWSTAG_LS_URL`` / ``$NEWSTAG_LS_TOKEN`` set, after
``python -m tools.news.pool`` and ``python -m tools.news.label corpus``, on a server with no such project yet.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from tools.news.label import (ADJUDICATOR, ANNOTATORS, LABELS, SEEDS, WORK, _client, _jsonl, _pool, _save_state,
                              _state, cmd_confirm, cmd_disagree, cmd_post, cmd_project, cmd_review, review_filters,
                              review_order)


def _round_order(name: str) -> int:
    return int(name.lstrip("r"))


def _annotation_key(a: dict, user: str) -> tuple:
    return user, bool(a["ground_truth"]), tuple(
        (r["from_name"], tuple(sorted(r["value"]["choices"]))) for r in sorted(a["result"], key=lambda r: r["from_name"]))


def _annotations_by_article(export: list[dict], users: dict[int, str]) -> dict[str, list[tuple]]:
    return {t["data"]["article_id"]: sorted(_annotation_key(a, users.get(a["completed_by"], str(a["completed_by"])))
                                            for a in t["annotations"] if not a.get("was_cancelled"))
            for t in export}


def _task_predictions(task: dict) -> list[dict]:
    """A committed task's predictions, whole: the export's own (a snapshot export keeps them whole) or, where an older
    quick export listed only their ids, the one an annotation carries; [] when neither holds one."""
    whole = [p for p in task["predictions"] if isinstance(p, dict)]
    if not whole:
        whole = [a["prediction"] for a in task["annotations"] if a.get("prediction")][:1]
    return [{k: p[k] for k in ("result", "model_version", "score")} for p in whole]


def cmd_replay(args) -> None:
    """Rebuild the project on a new server from what the repository holds, so that a round can follow.

    The tasks are the committed export's (their data and stored predictions, in task order); the rounds, which
    items each holds and how they were chosen, come from ``seeds/news/items.jsonl``; the annotations are every
    round's labels files in ``tools/news/labels``, posted as the same users, disagreements found and settled as
    when the rounds ran; then each conventions review's confirmations (``reviewN.json`` and its files). At the end
    the rebuilt project's export is compared with the committed one, annotation by annotation (user, ground truth,
    every facet's choices) and task by task (the predictions restored): any difference stops the replay.
    """
    committed = json.loads((SEEDS / "label-studio-export.json").read_text(encoding="utf-8"))
    cmd_project(args)
    state = _state()
    ls = _client()
    ordered = sorted(committed, key=lambda t: t["id"])
    tasks = [{"data": t["data"], "predictions": _task_predictions(t)} for t in ordered]
    predicted = {t["data"]["article_id"]: task["predictions"] for t, task in zip(ordered, tasks)}
    lost = sum(bool(t["predictions"]) and not task["predictions"] for t, task in zip(ordered, tasks))
    for start in range(0, len(tasks), 250):
        ls.projects.import_tasks(id=state["project"], request=tasks[start:start + 250])
    corpus = _pool()
    cols = corpus.dataset.select_columns(["id", "meta"]).to_dict()
    by_source = {json.loads(m)["source_id"]: aid for aid, m in zip(cols["id"], cols["meta"])}
    rounds: dict[str, dict] = {}
    for r in _jsonl(SEEDS / "items.jsonl"):
        rnd = rounds.setdefault(r["round"], {"strategy": "random" if r["selection"] == "random" else "annotate next",
                                             "articles": [], **({"match": r["match"]} if "match" in r else {})})
        rnd["articles"].append(by_source[r["id"]])
    state["rounds"] = {name: {**rounds[name], "articles": sorted(rounds[name]["articles"])}
                       for name in sorted(rounds, key=_round_order)}
    _save_state(state)
    for name in state["rounds"]:
        for who in ANNOTATORS:
            cmd_post(argparse.Namespace(round=name, annotator=who))
        cmd_disagree(argparse.Namespace(round=name))
        if _jsonl(WORK / "rounds" / name / "disagreements.jsonl"):
            cmd_post(argparse.Namespace(round=name, annotator=ADJUDICATOR))
    for path in sorted(LABELS.glob("review*.json"), key=lambda p: review_order(p.stem)):  # after the rounds
        review = json.loads(path.read_text(encoding="utf-8"))
        cmd_review(argparse.Namespace(name=path.stem, rounds=review["rounds"], shares=review["shares"],
                                       **review_filters(review)))
        cmd_confirm(argparse.Namespace(name=path.stem, confirmers=review["confirmers"]))
        cmd_post(argparse.Namespace(round=path.stem, annotator=ADJUDICATOR))
    from annotation import download_export

    download_export(url=os.environ["NEWSTAG_LS_URL"], token=os.environ["NEWSTAG_LS_TOKEN"],
                    project=state["project"], fmt="JSON", path=WORK / "replayed-export.json")
    replayed = json.loads((WORK / "replayed-export.json").read_text(encoding="utf-8"))
    names = {v: k for k, v in state["users"].items()}
    new = _annotations_by_article(replayed, names)
    # the committed export's user ids are those of the server it came from: matched by the annotations they made
    old_ids = {a["completed_by"] for t in committed for a in t["annotations"]}
    old_users = {}
    for uid in sorted(old_ids):
        made = [(t["data"]["article_id"], _annotation_key(a, "")[1:]) for t in committed for a in t["annotations"]
                if a["completed_by"] == uid]
        fits = [who for who in state["users"] if all((who, *key) in new.get(aid, []) for aid, key in made)]
        if len(fits) != 1:
            raise SystemExit(f"user {uid} of the committed export matches {fits or 'no user'} of the replayed project")
        old_users[uid] = fits[0]
    old = _annotations_by_article(committed, old_users)
    differ = sorted(a for a in set(old) | set(new) if old.get(a) != new.get(a))
    differ += sorted(t["data"]["article_id"] for t in replayed if _task_predictions(t) != predicted[t["data"]["article_id"]])
    if differ:
        raise SystemExit(f"the replayed project differs from the committed export on {len(differ)} items, e.g. "
                         f"{differ[:3]}; the labels files and the export disagree.")
    print(f"project {state['project']} rebuilt: {len(replayed)} tasks, {sum(len(v) for v in new.values())} "
          f"annotations and {sum(map(bool, predicted.values()))} tasks' predictions, identical to the committed export "
          f"({lost} tasks whose predictions it lists by id only have none); users {old_users} of the committed export "
          f"are {state['users']} here", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--title", default="newstag real news (Wikipedia Current events)")
    cmd_replay(p.parse_args(argv))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    sys.exit(main())
