"""Read the committed benchmark results (``bench/results/*.json``) as tables, and plot them.

What ``notebooks/04_benchmarks.ipynb`` shows. Every result file is read, whichever benchmarks were
run: the known ones (:data:`KNOWN`) get a table and a plot of their own; any other file, or a known
one whose layout changed, gets a generic table (its numbers, key by key) and, when it has a
``{row: {column: number}}`` section, a bar chart of that section's first column. Plots are PNG files
(Agg backend) written where the caller says.
"""

from __future__ import annotations

__all__ = ["KNOWN", "load_results", "missing_results", "results_overview", "result_heading", "result_table",
           "plot_result", "flat_numbers"]

import json
from pathlib import Path
from typing import Any, Callable, Mapping

from corpus import InputError

RESULTS = Path(__file__).resolve().parent / "results"

# The benchmarks of the project, in the order the notebook shows them.
KNOWN = ("annotation_import", "splits", "tagging_speed", "reuters_accuracy", "wikinews_accuracy", "scale",
         "corpus_build_speed", "dask_scaling", "news_time_split")
_NOT_RESULTS = {"run_all"}  # bench/results/run_all.json is the log of `make bench`, not a benchmark


# --------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------

def load_results(directory: str | Path = RESULTS) -> dict[str, dict[str, Any]]:
    """Every result file of ``directory`` by benchmark name (the file's stem): the known benchmarks
    first (in :data:`KNOWN` order), then the others by name.

    Raises
    ------
    InputError
        When the folder is missing, or a file is not a JSON object (the message names the file).
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(f"{directory}: no benchmark results folder; run `make bench` (or one `python -m bench.NAME`).")
    out = {}
    for path in directory.glob("*.json"):
        if path.stem in _NOT_RESULTS:
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise InputError(f"{path}: not a readable JSON result file ({exc}); rerun python -m bench.{path.stem}.") from None
        if not isinstance(data, dict):
            raise InputError(f"{path}: a result file holds a JSON object, this one holds a {type(data).__name__}.")
        out[path.stem] = data
    order = {name: k for k, name in enumerate(KNOWN)}
    return {k: out[k] for k in sorted(out, key=lambda n: (order.get(n, len(KNOWN)), n))}


def missing_results(results: Mapping[str, Any]) -> list[str]:
    """The known benchmarks that have no result file (yet)."""
    return [name for name in KNOWN if name not in results]


def _what(d: Mapping[str, Any]) -> str:
    what = d.get("what") or d.get("note") or ""
    return what if isinstance(what, str) else json.dumps(what)


def results_overview(results: Mapping[str, Mapping[str, Any]]):
    """One row per result: ``benchmark``, ``measured_at``, ``cores``, ``commit`` and the ``command`` that
    reproduces it (empty where the file does not say)."""
    import pandas as pd

    rows = []
    for name, d in results.items():
        m = d.get("machine") or {}
        rows.append({"benchmark": name, "measured_at": d.get("measured_at", ""), "cores": m.get("cores"),
                     "commit": m.get("commit", ""), "command": d.get("command", "")})
    return pd.DataFrame(rows, columns=["benchmark", "measured_at", "cores", "commit", "command"])


def result_heading(name: str, data: Mapping[str, Any]) -> str:
    """A Markdown heading for one result: its name, what it measured (when the file says) and the
    command that reproduces it."""
    command = data.get("command") or f"python -m bench.{name}"
    parts = [f"### {name}", _what(data), f"Reproduce: `.venv/bin/{command}`"]
    if data.get("measured_at"):
        parts[-1] += f" (measured {data['measured_at']})"
    return "\n\n".join(p for p in parts if p)


# --------------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------------

def flat_numbers(data: Mapping[str, Any], *, skip: tuple[str, ...] = ("machine",)):
    """Every number (and yes/no) of a result, one row per key path (``tag.single.seconds_median``):
    columns ``key`` and ``value``. Lists of numbers are left out (their median is in the file too)."""
    import pandas as pd

    rows = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, Mapping):
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        elif isinstance(value, bool) or isinstance(value, (int, float)):
            rows.append({"key": prefix, "value": value})

    for k, v in data.items():
        if k not in skip:
            walk(str(k), v)
    return pd.DataFrame(rows, columns=["key", "value"])


def _rows_table(section: Mapping[str, Mapping[str, Any]], index: str):
    import pandas as pd

    cols = list(dict.fromkeys(c for row in section.values() if isinstance(row, Mapping)
                              for c, v in row.items() if isinstance(v, (int, float, str, bool)) or v is None))
    return pd.DataFrame([{index: k, **{c: row.get(c) for c in cols}} for k, row in section.items()
                         if isinstance(row, Mapping)], columns=[index, *cols])


def _first_section(data: Mapping[str, Any]) -> tuple[str, Mapping[str, Mapping[str, Any]]] | None:
    """The first ``{row: {column: number}}`` section of a result (``results`` first when it has one)."""
    keys = sorted(data, key=lambda k: k != "results")
    for k in keys:
        v = data[k]
        if k != "machine" and isinstance(v, Mapping) and v and all(isinstance(x, Mapping) for x in v.values()):
            if any(isinstance(y, (int, float)) and not isinstance(y, bool) for x in v.values() for y in x.values()):
                return k, v
    return None


def _table_annotation_import(d):
    import pandas as pd

    med, target = d["median"], d.get("target", {})
    return pd.DataFrame([{"measure": k, "median": v, "target": target.get(k)} for k, v in med.items()],
                        columns=["measure", "median", "target"])


def _table_splits(d):
    return _rows_table(d["results"], "method")


def _table_tagging_speed(d):
    import pandas as pd

    rows = [{"how": k, "seconds_median": v["seconds_median"], "articles_per_second": v["articles_per_second"],
             "time_vs_baseline": v.get("time_vs_baseline")} for k, v in d["throughput"].items()]
    return pd.DataFrame(rows, columns=["how", "seconds_median", "articles_per_second", "time_vs_baseline"])


def _table_reuters(d):
    import pandas as pd

    rows = [{"subset": p["subset"], "system": f"published: {p['method']} ({p['source']})", "measure": p["measure"],
             "micro_f1": p.get("micro"), "macro_f1": p.get("macro"), "seconds": None, "tuned_on_test": False}
            for p in d.get("published", [])]
    for subset, s in d["subsets"].items():
        rows += [{"subset": subset, "system": a["name"], "measure": "micro-F1 / macro-F1", "micro_f1": a["micro_f1"],
                  "macro_f1": a["macro_f1"], "seconds": a.get("seconds"), "tuned_on_test": a.get("tuned_on_test", False)}
                 for a in s["attempts"]]
    return pd.DataFrame(rows, columns=["subset", "system", "measure", "micro_f1", "macro_f1", "seconds", "tuned_on_test"])


def _table_wikinews(d):
    import pandas as pd

    rows = [{"facet": facet, "model": model, "accuracy": m.get("accuracy"), "micro_f1": m.get("micro_f1"),
             "macro_f1": m["macro_f1"]}
            for facet, f in d["facets"].items() for model, m in f["models"].items()]
    return pd.DataFrame(rows, columns=["facet", "model", "accuracy", "micro_f1", "macro_f1"])


def _table_scale(d):
    import pandas as pd

    cols = ["model", "n", "fit_seconds", "peak_rss_mib", "predict_articles_per_second",
            "tag_with_evidence_articles_per_second"]
    return pd.DataFrame([{c: r.get(c) for c in cols} for r in d["runs"]], columns=cols)


def _table_build(d):
    import pandas as pd

    rows = [{"stage": k, "seconds_median": v} for k, v in d["stage_seconds_median"].items()]
    rows.append({"stage": "build (all stages)", "seconds_median": d["build_seconds_median"]})
    out = pd.DataFrame(rows, columns=["stage", "seconds_median"])
    out.attrs["articles_per_second"] = d["articles_per_second"]
    return out


def _table_dask(d):
    import pandas as pd

    rows = []
    for kind in ("tag", "build"):
        for config, v in d[kind].items():
            if isinstance(v, Mapping) and "seconds_median" in v:
                rows.append({"work": kind, "how": config, "seconds_median": v["seconds_median"],
                             "articles_per_second": v.get("articles_per_second")})
    if not rows:
        raise KeyError("seconds_median")
    return pd.DataFrame(rows, columns=["work", "how", "seconds_median", "articles_per_second"])


def _table_news(d):
    import pandas as pd

    rows = [{"system": name, **s["headline"]} for name, s in d["systems"].items()]
    return pd.DataFrame(rows, columns=["system", "region_accuracy", "themes_micro_f1", "actors_micro_f1"])


_TABLES: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    "annotation_import": _table_annotation_import, "splits": _table_splits, "tagging_speed": _table_tagging_speed,
    "reuters_accuracy": _table_reuters,
    "wikinews_accuracy": _table_wikinews, "scale": _table_scale, "corpus_build_speed": _table_build,
    "dask_scaling": _table_dask, "news_time_split": _table_news,
}


def result_table(name: str, data: Mapping[str, Any]):
    """The main table of one result, as a DataFrame.

    Known benchmarks get their own layout (e.g. reuters_accuracy: one row per published figure and per
    attempt; dask_scaling: one row per kind of work and way of running it). Any other result, or one
    whose file no longer has the expected keys, gets its first ``{row: {column: number}}`` section, or
    else :func:`flat_numbers`.
    """
    fn = _TABLES.get(name)
    if fn is not None:
        try:
            return fn(data)
        except (KeyError, TypeError, AttributeError):
            pass  # the file's layout changed: fall back to the generic table
    section = _first_section(data)
    if section is not None:
        return _rows_table(section[1], section[0])
    return flat_numbers(data)


# --------------------------------------------------------------------------------------------------
# Plots
# --------------------------------------------------------------------------------------------------

def _bars(ax, labels, values, title, xlabel, color="#4c72b0", ref=None, ref_label=None):
    ys = range(len(labels))
    ax.barh(list(ys), [v if v is not None else 0 for v in values], color=color)
    ax.set_yticks(list(ys), [str(x) for x in labels], fontsize=8)
    ax.invert_yaxis()
    ax.set_title(title, fontsize=9)
    ax.set_xlabel(xlabel, fontsize=8)
    if ref is not None:
        ax.axvline(ref, color="#c44e52", linestyle="--", linewidth=1, label=ref_label)
        ax.legend(fontsize=7, loc="lower right")


def _plot_annotation_import(d, plt):
    med, target = d["median"], d.get("target", {})
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3))
    stages = [k for k in ("parse_s", "consolidate_apply_s", "import_s", "agreement_s") if k in med]
    _bars(a1, stages, [med[k] for k in stages], "median seconds per stage", "seconds",
          ref=target.get("import_s"), ref_label="import target")
    runs = d.get("import_s_per_run", [])
    a2.plot(range(1, len(runs) + 1), runs, marker="o")
    a2.set_xticks(range(1, len(runs) + 1))
    if target.get("import_s") is not None:
        a2.axhline(target["import_s"], color="#c44e52", linestyle="--", linewidth=1, label="target")
        a2.legend(fontsize=7)
    a2.set_title("import seconds, run by run", fontsize=9)
    a2.set_xlabel("run", fontsize=8)
    inp = d.get("input", {})
    fig.suptitle(f"annotation import: {inp.get('tasks', '?')} tasks x {inp.get('annotators_per_task', '?')} annotators",
                 fontsize=10)
    return fig


def _plot_splits(d, plt):
    res = d["results"]
    names = list(res)
    keys = [("eval_share_per_label_mean_abs_error", "mean |eval share - ratio| per label"),
            ("eval_share_per_label_max_abs_error", "worst label: |eval share - ratio|"),
            ("groups_across_sides", "groups split across train/eval")]
    fig, axes = plt.subplots(1, 3, figsize=(13, 0.45 * len(names) + 1.8))
    for ax, (key, title) in zip(axes, keys):
        _bars(ax, [n.split(" (")[0] for n in names], [res[n][key] for n in names], title, "lower is better")
    fig.suptitle(f"splits of a {d.get('corpus', {}).get('articles', '?')}-article corpus", fontsize=10)
    return fig


def _plot_tagging_speed(d, plt):
    tp = d["throughput"]
    stages = {k: v for k, v in (d.get("tag_batch_stage_us_per_article") or {}).items() if isinstance(v, (int, float))}
    latency = {k: v for k, v in (d.get("latency_single_article") or {}).items()
               if isinstance(v, Mapping) and isinstance(v.get("p50_ms"), (int, float))}
    panels = 1 + bool(stages) + bool(latency)
    fig, axes = plt.subplots(1, panels, figsize=(5 * panels, 0.4 * len(tp) + 2), squeeze=False)
    axes = list(axes[0])
    _bars(axes.pop(0), list(tp), [v["articles_per_second"] for v in tp.values()],
          f"throughput ({d['articles']} articles)" if "articles" in d else "throughput", "articles/s")
    if stages:
        _bars(axes.pop(0), list(stages), list(stages.values()), "tag_batch: time per article by stage", "µs")
    if latency:
        _bars(axes.pop(0), [f"{k} {p}" for k in latency for p in ("p50", "p99")],
              [v.get(f"{p}_ms") for v in latency.values() for p in ("p50", "p99")], "one article at a time", "ms")
    return fig


def _plot_reuters(d, plt):
    subsets = list(d["subsets"])
    fig, axes = plt.subplots(len(subsets), 1, figsize=(9, sum(0.35 * len(d["subsets"][s]["attempts"]) + 1.2
                                                              for s in subsets)), squeeze=False)
    for ax, s in zip(axes[:, 0], subsets):
        att = d["subsets"][s]["attempts"]
        ys = range(len(att))
        ax.barh([y - 0.2 for y in ys], [a["micro_f1"] for a in att], height=0.4, label="micro-F1", color="#4c72b0")
        ax.barh([y + 0.2 for y in ys], [a["macro_f1"] for a in att], height=0.4, label="macro-F1", color="#dd8452")
        ax.set_yticks(list(ys), [a["name"][:60] + (" (tuned on test)" if a.get("tuned_on_test") else "") for a in att],
                      fontsize=7)
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        for p in d.get("published", []):
            if p.get("subset") == s and p.get("micro") is not None:
                ax.axvline(p["micro"], color="grey", linestyle=":", linewidth=0.8)
        ax.set_title(f"Reuters-21578 {s} (dotted: published micro figures)", fontsize=9)
        ax.legend(fontsize=7, loc="lower right")
    return fig


def _plot_wikinews(d, plt):
    import numpy as np

    facets = list(d["facets"])
    models = list(dict.fromkeys(m for f in facets for m in d["facets"][f]["models"]))
    fig, ax = plt.subplots(figsize=(8, 3.5))
    width = 0.8 / max(len(models), 1)
    for k, model in enumerate(models):
        vals = [d["facets"][f]["models"].get(model, {}).get("macro_f1", 0.0) for f in facets]
        ax.bar(np.arange(len(facets)) + k * width, vals, width, label=model)
    ax.set_xticks(np.arange(len(facets)) + width * (len(models) - 1) / 2, facets)
    ax.set_ylim(0, 1)
    ax.set_ylabel("macro-F1")
    ax.set_title("Wikipedia Current events (time split): macro-F1 by facet and model", fontsize=9)
    ax.legend(fontsize=7)
    return fig


def _plot_scale(d, plt):
    runs = d["runs"]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.8))
    for model in dict.fromkeys(r["model"] for r in runs):
        pts = sorted((r for r in runs if r["model"] == model), key=lambda r: r["n"])
        a1.plot([r["n"] for r in pts], [r["fit_seconds"] for r in pts], marker="o", label=model)
        a2.plot([r["n"] for r in pts], [r["peak_rss_mib"] for r in pts], marker="o", label=model)
    for ax, title, unit in ((a1, "training time", "seconds"), (a2, "peak RSS", "MiB")):
        ax.set_xscale("log")
        ax.set_xlabel("training documents", fontsize=8)
        ax.set_ylabel(unit, fontsize=8)
        ax.set_title(title, fontsize=9)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7)
    return fig


def _plot_build(d, plt):
    st = d["stage_seconds_median"]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 2.8))
    _bars(a1, list(st), list(st.values()), "median seconds per stage", "seconds")
    goal = d.get("goal", {})
    _bars(a2, ["measured"], [d["articles_per_second"]], f"articles per second ({d.get('records', '?')} records)",
          "articles/s", ref=goal.get("articles_per_second"), ref_label="goal")
    return fig


def _plot_dask(d, plt):
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.2))
    for ax, kind in zip(axes, ("tag", "build")):
        rows = [(k, v) for k, v in d[kind].items() if isinstance(v, Mapping) and "articles_per_second" in v]
        if not rows:
            raise KeyError("articles_per_second")
        _bars(ax, [k for k, _ in rows], [v["articles_per_second"] for _, v in rows],
              f"{kind}: articles per second ({d.get('articles', '?')} articles)", "articles/s")
    return fig


def _plot_embedding_cost(d, plt):
    batches = [k for k, v in d.items() if isinstance(v, dict) and "cpu_seconds_per_1000_texts_median" in v]
    fig, axes = plt.subplots(1, len(batches) + 1, figsize=(4 * (len(batches) + 1), 3))
    for ax, name in zip(axes, batches):
        per = d[name]["cpu_seconds_per_1000_texts_median"]
        _bars(ax, list(per), list(per.values()), f"{name}: CPU s per 1,000 texts", "CPU seconds (log scale)")
        ax.set_xscale("log")
    fit = d["fit"]
    systems = [k for k in fit if isinstance(fit[k], dict)]
    _bars(axes[-1], systems, [fit[k]["wall_seconds"] for k in systems], f"fit of {fit.get('articles', '?')} articles",
          "wall seconds")
    fig.suptitle("sentence embeddings: what the themes gain costs", fontsize=10)
    fig.tight_layout()
    return fig


def _plot_section(d, plt, name):
    section = _first_section(d)
    if section is None:
        return None
    key, rows = section
    col = next(c for x in rows.values() for c, v in x.items() if isinstance(v, (int, float)) and not isinstance(v, bool))
    fig, ax = plt.subplots(figsize=(8, 0.4 * len(rows) + 1.5))
    _bars(ax, list(rows), [x.get(col) if isinstance(x.get(col), (int, float)) else 0 for x in rows.values()],
          f"{name}: {key}, {col}", col)
    return fig


def _plot_news(d, plt):
    """The learning curve of the news time split: F1 per facet against real items in training, per arm."""
    curve = d["learning_curve"]["arms"]
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), sharex=True)
    for ax, (key, title) in zip(axes, [("region_accuracy", "region accuracy"), ("themes_micro_f1", "themes micro-F1"),
                                       ("actors_micro_f1", "actors micro-F1")]):
        for arm, style in (("random", "o-"), ("active", "s-"), ("as_annotated", "^--")):
            pts = curve.get(arm, [])
            ax.plot([p["real_items"] for p in pts], [p[key] for p in pts], style, label=arm.replace("_", " "))
        for name, style in (("sklearn", ":"), ("alias_rules", "-.")):
            v = d["systems"].get(name, {}).get("headline", {}).get(key)
            if v is not None:
                ax.axhline(v, linestyle=style, color="grey", linewidth=1)
                ax.annotate(name, (0, v), fontsize=7, color="grey", va="bottom")
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("real news items in training (+ the starter items)", fontsize=8)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    sp = d["split"]
    fig.suptitle(f"time split: trained before {sp['cutoff']}, evaluated on {sp['eval']} random items up to {sp['until']}",
                 fontsize=10)
    return fig


def _plot_guide(d, plt):
    """The guide-only check: per facet, the model and the plain pipeline against the settled labels and against the
    guide-only readers, beside the readers' agreement with each other and with the settled labels."""
    sets = d["sets"]
    fig, axes = plt.subplots(1, len(sets), figsize=(6.5 * len(sets), 3.8), sharey=True)
    keys = [("region_accuracy", "region"), ("themes_micro_f1", "themes"), ("actors_micro_f1", "actors")]
    bars = [("model vs settled", lambda s: s["systems"]["model"]["settled"], "#4c72b0"),
            ("model vs guide readers", lambda s: s["systems"]["model"]["readers"], "#8fa9d6"),
            ("plain vs guide readers", lambda s: s["systems"]["sklearn"]["readers"], "#bbbbbb"),
            ("reader vs reader", lambda s: s["readers"], "#55a868"),
            ("settled vs guide readers", lambda s: s["settled_vs_readers"], "#c44e52")]
    for ax, (name, s) in zip(list(axes) if len(sets) > 1 else [axes], sets.items()):
        for j, (label, get, color) in enumerate(bars):
            ax.bar([k + (j - 2) * 0.16 for k in range(len(keys))], [get(s)[key] for key, _ in keys], 0.16,
                   label=label, color=color)
        ax.set_xticks(range(len(keys)), [t for _, t in keys])
        ax.set_ylim(0.4, 1.0)
        ax.set_title(f"{name}: {s['items']} random items, two guide-only readers each", fontsize=9)
        ax.grid(axis="y", alpha=0.3)
    (axes[0] if len(sets) > 1 else axes).legend(fontsize=7, loc="lower left")
    return fig


_PLOTS: dict[str, Callable] = {
    "annotation_import": _plot_annotation_import, "splits": _plot_splits, "tagging_speed": _plot_tagging_speed,
    "reuters_accuracy": _plot_reuters,
    "wikinews_accuracy": _plot_wikinews, "scale": _plot_scale, "corpus_build_speed": _plot_build,
    "dask_scaling": _plot_dask, "news_time_split": _plot_news, "embedding_cost": _plot_embedding_cost,
    "guide_check": _plot_guide,
}


def plot_result(name: str, data: Mapping[str, Any], path: str | Path) -> Path | None:
    """Plot one result into a PNG at ``path``; returns the path, or None when the result has nothing
    to plot (no known layout and no ``{row: {column: number}}`` section)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from corpus.atomic import atomic_savefig

    fig = None
    fn = _PLOTS.get(name)
    if fn is not None:
        try:
            fig = fn(data, plt)
        except (KeyError, TypeError, AttributeError, ValueError):
            plt.close("all")  # the file's layout changed: fall back to the generic plot
            fig = None
    if fig is None:
        fig = _plot_section(data, plt, name)
    if fig is None:
        return None
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return atomic_savefig(fig, path, dpi=100)
