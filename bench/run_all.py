"""Run every benchmark and rewrite bench/README.md from the result files (what ``make bench`` runs).

Run: ``.venv/bin/python -m bench.run_all``  (``--only NAME ...``, ``--skip NAME ...``, ``--render-only``)

Benchmarks are the modules of ``bench/`` (every ``bench/<name>.py`` but this one and the private
``_*.py``), each run as ``python -m bench.<name>`` in its own process, the issue-6 ones first. A
benchmark that fails is reported and the others still run; the exit code is then 1. The README is
rendered from *every* ``bench/results/*.json`` (a file without a renderer of its own gets a generic
table), so results committed by other benchmarks show up too; plots beside them (``<name>.png`` or
the file a result names) are embedded. ``bench/results/run_all.json`` records how long each took.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from typing import Any, Callable

from bench import model_quality
from bench._common import ROOT, RESULTS
from corpus import atomic_write_json, atomic_write_text

BENCH = ROOT / "bench"
README = BENCH / "README.md"
FIRST = ("reuters_accuracy", "wikinews_accuracy", "corpus_build_speed", "scale")


def benchmarks() -> list[str]:
    found = sorted(p.stem for p in BENCH.glob("*.py") if not p.stem.startswith("_") and p.stem != "run_all")
    return [n for n in FIRST if n in found] + [n for n in found if n not in FIRST]


def run(names: list[str]) -> dict[str, Any]:
    log: dict[str, Any] = {}
    for name in names:
        print(f"== bench.{name}", flush=True)
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", f"bench.{name}"], cwd=ROOT)
        log[name] = {"seconds": round(time.perf_counter() - t0, 1), "exit_code": proc.returncode}
        print(f"== bench.{name}: exit {proc.returncode} after {log[name]['seconds']} s", flush=True)
    return log


# ---------------------------------------------------------------------------------------------
# rendering
# ---------------------------------------------------------------------------------------------

def _fmt(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.4f}".rstrip("0").rstrip(".") if abs(v) < 10 else f"{v:,.1f}"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, (list, tuple)):
        return ", ".join(_fmt(x) for x in v)
    if isinstance(v, dict):
        return ", ".join(f"{k}: {_fmt(x)}" for k, x in v.items())
    return str(v).replace("|", "\\|").replace("\n", " ")


def table(header: list[str], rows: list[list[Any]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(_fmt(c) if not isinstance(c, str) else c.replace("|", "\\|") for c in r) + " |"
            for r in rows]
    return "\n".join(out)


def _f(x: float | None) -> str:
    return "–" if x is None else f"{x:.4f}"


def _machine(d: dict[str, Any]) -> str:
    m = d.get("machine") or {}
    bits = []
    if d.get("measured_at"):
        bits.append(f"measured {d['measured_at']}")
    if m.get("cpu"):
        bits.append(f"{m['cpu']}, {m.get('cores')} cores")
    if m.get("load_average_at_start"):
        bits.append(f"load average at start {m['load_average_at_start'][0]}")
    if m.get("commit"):
        bits.append(f"commit {m['commit']}")
    v = m.get("versions") or {}
    if v:
        bits.append(", ".join(f"{k} {x}" for k, x in v.items()))
    cmd = d.get("command")
    head = f"Reproduce: `.venv/bin/{cmd}`" if cmd and cmd.startswith("python") else (f"Reproduce: `{cmd}`" if cmd else "")
    return "\n\n".join(x for x in (head, "; ".join(bits)) if x)


def render_reuters(d: dict[str, Any]) -> str:
    out = ["## Reuters-21578 (ModApte)", _machine(d)]
    c = d.get("corpus", {})
    if c:
        out.append(
            f"{_fmt(c.get('documents'))} documents read ({_fmt(c.get('rejected'))} rejected); ModApte "
            f"{_fmt(c['modapte']['train'])} train / {_fmt(c['modapte']['test'])} test. "
            f"{_fmt(c.get('documents_repeating_an_earlier_text'))} documents repeat an earlier document's text: each stays a "
            f"row of its own (id `reuters-NEWID`, ModApte is defined on documents) and shares a near-duplicate group "
            f"with it; {_fmt(c['modapte']['near_duplicate_groups_across_the_split'])} such groups straddle the published split, "
            f"which is kept as published.")
    subs = d.get("subsets", {})
    r90 = subs.get("R(90)")
    if r90:
        goal = r90.get("goal", {})
        met = r90.get("goal_met")
        out.append(f"### R(90): {r90['categories']} categories, {_fmt(r90['train_documents'])} train / "
                   f"{_fmt(r90['test_documents'])} test documents")
        out.append(f"Goal: micro-F1 ≥ {goal.get('micro_f1')} and macro-F1 ≥ {goal.get('macro_f1')} with scikit-learn "
                   f"only — **{'met' if met else 'not met'}** by *{r90['best']}*: micro-F1 "
                   f"**{_f(r90['result']['micro_f1'])}**, macro-F1 **{_f(r90['result']['macro_f1'])}**.")
        rows = [[f"*{p['source']}*", p["method"], p["measure"], _f(p["micro"]), _f(p["macro"])]
                for p in d.get("published", []) if p.get("subset") == "R(90)"]
        rows += [[("**newstag run**" if a["name"] == r90["best"] else "newstag run")
                  + (" (tuned on test)" if a["tuned_on_test"] else ""), a["name"], "micro-F1 / macro-F1",
                  _f(a["micro_f1"]), _f(a["macro_f1"])] for a in r90["attempts"]]
        out.append("Published figures (constants, cited) beside this run's numbers, every attempt in the order tried:")
        out.append(table(["source", "method", "measure", "micro", "macro"], rows))
        out.append(table(["attempt", "how", "micro P", "micro R", "categories with F1 = 0", "seconds"],
                         [[a["name"], a["how"], _f(a["micro_precision"]), _f(a["micro_recall"]),
                           a["categories_with_zero_f1"], a["seconds"]] for a in r90["attempts"]]))
        speed = r90.get("fit_speed")
        if speed:  # issue 16: the Tagger's fit beside the plain pipeline's, same run, interleaved rounds
            out.append(f"Fit speed ({speed['rounds']} interleaved rounds, medians): the Tagger "
                       f"{speed['median_tagger_seconds']} s, the plain pipeline {speed['median_plain_pipeline_seconds']} s: "
                       f"**{speed['ratio']}x** (goal ≤ {speed['goal_ratio']}x: {'met' if speed['goal_met'] else 'not met'}; "
                       f"Tagger n_jobs={speed['tagger_n_jobs']}; 1-minute load average per round "
                       f"{speed['load_average_1min_per_round']}).")
    for name in ("R(10)", "places"):
        s = subs.get(name)
        if not s:
            continue
        what = "the 10 categories with most training documents" if name == "R(10)" else \
            "the PLACES facet as region/actor-like labels: places with a training and a test document"
        out.append(f"### {name}: {what} ({s['categories']} categories, {_fmt(s['train_documents'])} train / "
                   f"{_fmt(s['test_documents'])} test documents)")
        out.append(table(["attempt", "micro-F1", "macro-F1", "micro P", "micro R", "seconds"],
                         [[a["name"], _f(a["micro_f1"]), _f(a["macro_f1"]), _f(a["micro_precision"]),
                           _f(a["micro_recall"]), a["seconds"]] for a in s["attempts"]]))
    return "\n\n".join(out)


def render_wikinews(d: dict[str, Any]) -> str:
    c = d.get("corpus", {})
    out = ["## Wikipedia Current events (time split)", _machine(d)]
    if c:
        out.append(
            f"{_fmt(c['events'])} events; trained on {_fmt(c['train'])} ({c['dates']['train'][0]} – {c['dates']['train'][1]}), "
            f"evaluated on {_fmt(c['eval'])} ({c['dates']['eval'][0]} – {c['dates']['eval'][1]}); cutoff {d.get('cutoff')}. "
            f"{_fmt(c['moved_to_train_with_their_group'])} later event(s) moved to train with their near-duplicate group; "
            f"{_fmt(c['events_without_actor'])} events link no actor, {_fmt(c['events_without_region'])} have no derived "
            f"region (left out of the region scores); {_fmt(c['not_events_reported'])} bullets/lines that are not events "
            f"are reported by the reader.")
    facets = d.get("facets", {})
    order = ["sections", "region", "actors"]
    facets = {k: facets[k] for k in sorted(facets, key=lambda k: (order.index(k) if k in order else len(order), k))}
    rows = []
    for name, f in facets.items():
        for model, m in f["models"].items():
            rows.append([name, model, _f(m.get("accuracy")), _f(m.get("micro_f1")), _f(m["macro_f1"])])
    out.append(table(["facet", "model", "accuracy", "micro-F1", "macro-F1"], rows))
    sec = facets.get("sections")
    if sec:
        models = list(sec["models"])
        labels = list(next(iter(sec["models"].values()))["per_label"])
        out.append("Per section (F1 on the evaluation months; support = evaluation events):")
        out.append(table(["section", "train", "support"] + [f"F1 {m}" for m in models],
                         [[lab, sec["train_support"].get(lab, 0), sec["models"][models[0]]["per_label"][lab]["support"]]
                          + [_f(sec["models"][m]["per_label"][lab]["f1"]) for m in models] for lab in labels]))
    reg = facets.get("region")
    if reg:
        models = list(reg["models"])
        labels = list(next(iter(reg["models"].values()))["per_label"])
        out.append("Per region:")
        out.append(table(["region", "support"] + [f"F1 {m}" for m in models],
                         [[lab, reg["models"][models[0]]["per_label"][lab]["support"]]
                          + [_f(reg["models"][m]["per_label"][lab]["f1"]) for m in models] for lab in labels]))
    act = facets.get("actors")
    if act:
        models = list(act["models"])
        first = act["models"][models[0]]["per_label"]
        top = sorted(first, key=lambda lab: (-first[lab]["support"], lab))[:15]
        out.append(f"Actors: {act['labels_scored']} of {act['labels_in_taxonomy']} actors have a training and an "
                   f"evaluation event and are scored; the 15 most frequent (all of them are in the JSON):")
        out.append(table(["actor", "support"] + [f"F1 {m}" for m in models],
                         [[lab, first[lab]["support"]] + [_f(act["models"][m]["per_label"][lab]["f1"]) for m in models]
                          for lab in top]))
    if d.get("tagger"):
        t = d["tagger"]
        out.append(f"newstag Tagger: fitted in {t['fit_seconds']} s; tags {_fmt(t['eval_articles_per_second'])} "
                   f"articles/s (predict).")
    return "\n\n".join(out)


def render_scale(d: dict[str, Any]) -> str:
    out = ["## Speed and scale: training time, peak memory, tagging throughput", _machine(d)]
    p = d.get("pool", {})
    if p:
        out.append(f"Documents drawn (seeded) from {_fmt(p['pool'])} real texts ({_fmt(p['reuters_documents'])} Reuters, "
                   f"{_fmt(p['wikipedia_events'])} Wikipedia events); one multi-label facet of {p['labels']} labels. "
                   f"Each size runs in its own process (peak RSS = load + fit + tag); throughput on "
                   f"{_fmt(p['held_out'])} held-out texts.")
    names = {"tagger": "newstag Tagger", "sklearn": "TfidfVectorizer + OneVsRest(LinearSVC)"}
    out.append(table(["model", "documents", "fit s", "peak RSS MiB", "predict articles/s", "tag with evidence articles/s"],
                     [[names.get(r["model"], r["model"]), r["n"], r["fit_seconds"], r["peak_rss_mib"],
                       r.get("predict_articles_per_second"), r.get("tag_with_evidence_articles_per_second")]
                      for r in d.get("runs", [])]))
    if d.get("plot") and (RESULTS / d["plot"]).is_file():
        out.append(f"![training time and peak RSS](results/{d['plot']})")
    return "\n\n".join(out)


def render_build(d: dict[str, Any]) -> str:
    out = ["## Corpus build throughput (both corpora)", _machine(d)]
    g, met = d.get("goal", {}), d.get("goal_met", {})
    out.append(f"{d.get('what', '')}. Median of {d.get('repeats')} builds, each in a fresh process.")
    out.append(table(["records", "articles", "near-duplicate groups", "build s (median)", "articles/s",
                      "articles per CPU s", "goal articles/s", "peak RSS MiB", "goal peak RSS MiB"],
                     [[d["records"], d["articles"], f"{_fmt(d['near_duplicate_groups'])} ({_fmt(d['articles_in_groups'])} articles)",
                       d["build_seconds_median"], d["articles_per_second"], d.get("articles_per_cpu_second"),
                       f"{_fmt(g.get('articles_per_second'))} ({'met' if met.get('articles_per_second') else 'not met'})",
                       d["peak_rss_mib"], f"{_fmt(g.get('peak_rss_mib'))} ({'met' if met.get('peak_rss') else 'not met'})"]]))
    st = d.get("stage_seconds_median", {})
    if st:
        out.append("Stages (median seconds): " + ", ".join(f"{k} {v}" for k, v in st.items())
                   + (f"; saving the Parquet folder took {d['save_parquet_seconds']} s." if d.get("save_parquet_seconds") else "."))
    if d.get("notes"):
        out.append("\n".join(f"- {n}" for n in d["notes"]))
    return "\n\n".join(out)


def _flat(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in row.items():
        if isinstance(v, dict):
            out.update(_flat(v, f"{prefix}{k}."))
        elif not isinstance(v, list) or len(json.dumps(v)) < 80:
            out[f"{prefix}{k}"] = v
    return out


def render_generic(name: str, d: dict[str, Any]) -> str:
    """Any result file: its scalars as a list; in each dict, the entries that are dicts become the rows of a
    table (nested keys flattened to ``a.b`` columns) and the other entries list items."""
    title = d.get("benchmark", name)
    out = [f"## {title}", _machine(d)]
    scalars, tables = [], []
    for k, v in d.items():
        if k in ("benchmark", "machine", "measured_at", "command"):
            continue
        if isinstance(v, dict) and any(isinstance(x, dict) for x in v.values()):
            rows = {r: _flat(x) for r, x in v.items() if isinstance(x, dict)}
            cols = list(dict.fromkeys(c for x in rows.values() for c in x))
            if cols:
                tables.append(f"**{k}**\n\n" + table([k] + cols, [[r] + [x.get(c) for c in cols] for r, x in rows.items()]))
            scalars += [f"- {k}.{r}: {_fmt(x)}" for r, x in v.items() if not isinstance(x, dict)]
        elif isinstance(v, (str, int, float, bool)) or v is None or (isinstance(v, (list, dict)) and len(json.dumps(v)) < 300):
            scalars.append(f"- {k}: {_fmt(v)}")
    if scalars:
        out.append("\n".join(scalars))
    out += tables
    png = RESULTS / f"{name}.png"
    if png.is_file():
        out.append(f"![{name}](results/{png.name})")
    return "\n\n".join(out)


def render_news(d: dict[str, Any]) -> str:
    """news_time_split: the systems' headline figures, every theme and the learning curve, then its plot (the
    per-label figures of every system stay in the JSON)."""
    sp, systems = d["split"], d["systems"]
    out = [f"## {d.get('benchmark', 'news_time_split')}", _machine(d), d.get("what", ""),
           f"Trained on {_fmt(sp['train'])} items dated before {sp['cutoff']} ({_fmt(sp['train_starter_items'])} of them "
           f"starter items), evaluated on the {_fmt(sp['eval'])} items drawn at random from {sp['cutoff']} to "
           f"{sp['until']}; {_fmt(sp['held_out'])} labeled items of that period held out (active learning's picks), "
           f"{_fmt(sp['dropped_from_train'])} training items left out for sharing a story line with an evaluated one."]
    rows = [[name, _f(s["headline"]["region_accuracy"]), _f(s["headline"]["themes_micro_f1"]),
             _f(s["headline"]["actors_micro_f1"]), _f(s["facets"]["actors"]["macro_f1"]), _fmt(s.get("fit_seconds"))]
            for name, s in systems.items()]
    t = d.get("targets", {})
    rows.append(["target", _f(t.get("region_accuracy")), _f(t.get("themes_micro_f1")), _f(t.get("actors_micro_f1")),
                 "", ""])
    out.append(table(["system", "region accuracy", "themes micro-F1", "actors micro-F1", "actors macro-F1",
                      "fit seconds"], rows))
    themes = {n: s["facets"]["themes"]["per_label"] for n, s in systems.items()}
    first = themes.get("tagger") or next(iter(themes.values()))
    out.append("Per theme (F1 on the evaluation items; support = evaluation items with the theme):")
    out.append(table(["theme", "support"] + [f"F1 {n}" for n in themes],
                     [[lab, first[lab]["support"]] + [_f((themes[n].get(lab) or {}).get("f1")) for n in themes]
                      for lab in sorted(first, key=lambda lab: (-first[lab]["support"], lab))]))
    draws = d.get("fold_draws") or {}
    if draws.get("facets"):
        out.append(f"Threshold folds drawn with seeds {', '.join(map(str, draws['seeds']))} ({draws['folds']} story folds; "
                   f"seed {draws['seeds'][0]} is the main job's): micro-F1 of the model and the plain pipeline, and the "
                   f"model's lead:")
        out.append(table(["facet", "model", "plain pipeline", "lead: min / mean / max", "model ahead"],
                         [[f, " / ".join(_f(x) for x in v["model"]), " / ".join(_f(x) for x in v["sklearn"]),
                           f"{v['gap_min']:+.3f} / {v['gap_mean']:+.3f} / {v['gap_max']:+.3f}",
                           f"{v['model_ahead']} of {len(v['model'])}"] for f, v in draws["facets"].items()]))
    dev = d.get("dev_fold_draws") or {}
    if dev.get("themes"):
        out.append(f"The development folds ({', '.join(dev['folds'])}), the same fold seeds: themes micro-F1 of the "
                   f"model and the plain pipeline per fold and seed; the model leads by {dev['gap_mean']:+.3f} on average "
                   f"({_f(dev['model_mean'])} against {_f(dev['sklearn_mean'])}), ahead in {dev['model_ahead']} of "
                   f"{len(dev['themes'])} runs:")
        out.append(table(["fold", "seed", "train", "eval", "model", "plain pipeline"],
                         [[r["fold"], r["seed"], _fmt(r["train"]), _fmt(r["eval"]), _f(r["model"]), _f(r["sklearn"])]
                          for r in dev["themes"]]))
    curve = d.get("learning_curve") or {}
    if curve.get("arms"):
        out.append(f"Learning curve (on top of the {_fmt(curve.get('starter_items'))} starter items):")
        out.append(table(["arm", "real items", "region", "themes", "actors"],
                         [[arm, _fmt(p["real_items"]), _f(p["region_accuracy"]), _f(p["themes_micro_f1"]),
                           _f(p["actors_micro_f1"])] for arm, points in curve["arms"].items() for p in points]))
    out.append("![news_time_split](results/news_time_split.png)")
    return "\n\n".join(out)


def render_guide(d: dict[str, Any]) -> str:
    """guide_check: per set, the readers' agreement, the settled labels and each system against the guide-only readers,
    the commonest divergences, then its plot (the items of every divergence stay in the JSON)."""
    out = [f"## {d.get('benchmark', 'guide_check')}", _machine(d), d.get("what", "")]
    keys = ("region_accuracy", "themes_micro_f1", "actors_micro_f1")
    for name, s in d["sets"].items():
        rows = [["reader against reader", *(_f(s["readers"][k]) for k in keys)],
                ["settled labels against the readers", *(_f(s["settled_vs_readers"][k]) for k in keys)]]
        for system, v in s["systems"].items():
            rows += [[f"{system} against the settled labels", *(_f(v["settled"][k]) for k in keys)],
                     [f"{system} against the readers (mean of the two)", *(_f(v["readers"][k]) for k in keys)]]
        out.append(f"**{name}** ({_fmt(s['items'])} random items, two guide-only readers each):")
        out.append(table(["", "region accuracy", "themes micro-F1", "actors micro-F1"], rows))
        div = s["divergence"]
        out.append("Both readers agree and the settled labels differ: " + "; ".join(
            f"{f} {v['settled_differs']} of {v['readers_agree']} ("
            + ", ".join(f"{lab} {x['n']}" for lab, x in list(v["per_label"].items())[:4]) + ")"
            for f, v in div.items()))
    out.append("![guide_check](results/guide_check.png)")
    return "\n\n".join(out)


RENDERERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "reuters_accuracy": render_reuters, "wikinews_accuracy": render_wikinews,
    "corpus_build_speed": render_build, "scale": render_scale, "model_quality": model_quality.render,
    "news_time_split": render_news, "guide_check": render_guide,
}


def render() -> str:
    files = sorted(RESULTS.glob("*.json"), key=lambda p: (FIRST.index(p.stem) if p.stem in FIRST else len(FIRST), p.stem))
    parts = [
        "# Benchmarks",
        "Generated by `make bench` (`.venv/bin/python -m bench.run_all`) from the result files in `bench/results/`; "
        "do not edit by hand. Every number was measured by the command named in its section (rerun one with "
        "`.venv/bin/python -m bench.<name>`, then `python -m bench.run_all --render-only` to refresh this page). "
        "Timings are medians or single runs on the machine named; they move with its load.",
    ]
    log_path = RESULTS / "run_all.json"
    for path in files:
        if path == log_path:
            continue
        try:
            d = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            parts.append(f"## {path.stem}\n\n(unreadable result file: {exc})")
            continue
        renderer = RENDERERS.get(path.stem)
        try:
            parts.append(renderer(d) if renderer else render_generic(path.stem, d))
        except (KeyError, TypeError, IndexError) as exc:  # a renderer out of step with its file: fall back
            parts.append(render_generic(path.stem, d) + f"\n\n(rendered generically: {type(exc).__name__} {exc})")
    if log_path.is_file():
        log = json.loads(log_path.read_text(encoding="utf-8"))
        rows = [[k, v["seconds"], "ok" if v["exit_code"] == 0 else f"failed (exit {v['exit_code']})"]
                for k, v in log.get("benchmarks", {}).items()]
        parts.append("## Last `make bench`\n\n" + f"{log.get('measured_at', '')}, {log.get('total_seconds')} s in all.\n\n"
                     + table(["benchmark", "seconds", "status"], rows))
    return "\n\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", nargs="*", help="run only these benchmarks")
    ap.add_argument("--skip", nargs="*", default=[], help="do not run these benchmarks")
    ap.add_argument("--render-only", action="store_true", help="only rewrite bench/README.md from the results")
    args = ap.parse_args(argv)
    status = 0
    if not args.render_only:
        names = [n for n in (args.only or benchmarks()) if n not in args.skip]
        unknown = [n for n in names if n not in benchmarks()]
        if unknown:
            print(f"error: unknown benchmark(s) {unknown}; the benchmarks are {benchmarks()}.", file=sys.stderr)
            return 2
        t0 = time.perf_counter()
        log = run(names)
        if not args.only and not args.skip:
            atomic_write_json(RESULTS / "run_all.json", {
                "benchmarks": log, "total_seconds": round(time.perf_counter() - t0, 1),
                "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())})
        failed = [n for n, v in log.items() if v["exit_code"] != 0]
        if failed:
            print(f"failed: {failed}", file=sys.stderr)
            status = 1
    atomic_write_text(README, render())
    print(f"wrote {README.relative_to(ROOT)}")
    return status


if __name__ == "__main__":
    sys.exit(main())
