"""``newstag train | evaluate | tag``: thin commands over the library.

The ``newstag`` root command (``corpus._cli``) registers these plain functions with ``app.command(name)(fn)`` through the
``newstag.commands`` entry points (pyproject.toml); errors newstag raises on purpose print as
``error: ...`` and exit 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Iterator, Optional, Sequence, TextIO

import typer
from rich.console import Console
from rich.table import Table

from corpus import InputError
from corpus.atomic import atomic_path

err = Console(stderr=True)


def _char_range(text: Optional[str]) -> tuple[int, int] | None:
    if not text:
        return None
    try:
        lo, hi = (int(x) for x in text.split(","))
    except ValueError:
        raise InputError(f"--char-ngrams {text!r}: expected two integers like 2,5 (smallest and largest n).") from None
    if not 1 <= lo <= hi:
        raise InputError(f"--char-ngrams {text!r}: expected 1 <= smallest <= largest.")
    return lo, hi


def _positive(value: float, name: str) -> float:
    if not value > 0:  # NaN too
        raise typer.BadParameter(f"{value!r} is not a positive number.", param_hint=f"'{name}'")
    return value


def train_command(
    corpus: Path = typer.Option(..., "--corpus", help="Corpus folder with its split manifest (newstag corpus split)."),
    output: Optional[Path] = typer.Option(None, "-o", "--output",
                                          help="Model folder to write (default: $NEWSTAG_MODEL, else ./models/default)."),
    seed: int = typer.Option(0, "--seed", min=0, help="Seeds every random step; same corpus and seed, same model."),
    split_name: str = typer.Option("train", "--split-name", help="The split to train on."),
    eval_split: str = typer.Option("eval", "--eval-split", help="The split to report metrics on ('' for none)."),
    c: float = typer.Option(1.0, "--C", callback=lambda v: _positive(v, "--C"),
                            help="Inverse regularisation strength of every head (> 0)."),
    char_ngrams: Optional[str] = typer.Option(None, "--char-ngrams", help="Add character n-grams, e.g. 2,5."),
    embeddings: Optional[float] = typer.Option(
        None, "--embeddings", callback=lambda v: v if v is None else _positive(v, "--embeddings"),
        help="Add sentence embeddings (all-MiniLM-L6-v2) with this weight for the themes head, e.g. 0.5; needs "
             "pip install 'newstag\\[embeddings]'. Better themes, far slower tagging (docs/classifier.md)."),
    refit: bool = typer.Option(
        False, "--refit",
        help="After evaluating, refit on every labeled article (the evaluated ones and those the split held out "
             "too) and save that model, with the evaluation as its estimate: the model to tag new articles with."),
) -> None:
    """Train a tagger on a corpus's train split, evaluate it on the eval split, save model and card."""
    from corpus.console import progress_bar

    from ._train import train_model

    char_range = _char_range(char_ngrams)
    with progress_bar("train") as bar:
        task = bar.add_task("training", total=None)

        def tick(stage: str, detail: str) -> None:
            label = {"features": f"features ({detail})", "head": f"head: {detail}", "evaluate": f"evaluating on {detail}",
                     "save": f"saving to {detail}", "refit": f"refitting on {detail}",
                     "done": "heads fitted"}.get(stage, stage)
            bar.update(task, description=label)
            bar.advance(task)

        result = train_model(corpus, output, seed=seed, split=split_name, eval_split=eval_split or None,
                             progress=tick, refit=refit, C=c, char_ngram_range=char_range,
                             embeddings=embeddings)
        bar.update(task, description="done", total=bar.tasks[0].completed, completed=bar.tasks[0].completed)
    for note in result.warnings:
        err.print(f"[yellow]warning:[/yellow] {note}", highlight=False)
    out = Console()
    t = result.tagger.training_
    out.print(f"model written to [bold]{result.path}[/bold] (trained on {t['articles']} articles in {t['seconds']} s)")
    if result.report is not None and refit:
        out.print(f"refitted on every labeled article; the estimate below is the same recipe's, fitted on the "
                  f"{split_name!r} split and evaluated on the {eval_split!r} one (in the model card)")
    if result.report is not None:
        out.print(_summary_table(result.report))
    elif refit:
        out.print("refitted on every labeled article; nothing was evaluated, so the model card has no estimate of its "
                  f"quality (no {eval_split!r} split to evaluate on).")
    else:
        out.print(f"no {eval_split!r} split to evaluate on; the model card has no metrics.")


def _summary_table(report) -> Table:
    table = Table(title=f"{report.split} split, {report.articles} articles")
    for col in ("facet", "system", "micro-F1", "macro-F1", "Hamming", "subset acc."):
        table.add_column(col)
    for facet, fr in report.facets.items():
        for name, m in fr.systems.items():
            if m is None:
                table.add_row(facet, name, "n/a", "n/a", "n/a", "n/a")
            else:
                table.add_row(facet, name, f"{m.micro_f1:.3f}", f"{m.macro_f1:.3f}", f"{m.hamming_loss:.3f}",
                              f"{m.subset_accuracy:.3f}")
    return table


def evaluate_command(
    corpus: Path = typer.Option(..., "--corpus", help="Corpus folder with its split manifest."),
    output: Path = typer.Option(..., "-o", "--output", help="Report folder: report.json, report.md, PNG plots."),
    model: Optional[Path] = typer.Option(None, "--model", help="Model folder (default: $NEWSTAG_MODEL, else ./models/default, else the bundled model)."),
    split: str = typer.Option("eval", "--split", help="The split to evaluate on."),
    exclude_seen: bool = typer.Option(
        False, "--exclude-seen",
        help="Leave out the split's articles the model was trained on (the same text) and score the rest, "
             "instead of refusing to evaluate."),
) -> None:
    """Evaluate a model on a split: per-facet metrics beside majority and alias-rules baselines, with plots."""
    from corpus import load, load_splits

    from ._evaluate import evaluate
    from ._tagger import load_model

    tagger = load_model(model)
    err.print(f"model: {tagger.source_.summary()}", highlight=False, soft_wrap=True)
    c = load(corpus)
    report = evaluate(tagger, c, split, load_splits(corpus), exclude_seen=exclude_seen)
    paths = report.write(output)
    out = Console()
    if report.seen_left_out:
        out.print(f"left out {report.seen_left_out} articles the model was trained on; scored the "
                  f"{report.articles} it never saw.")
    out.print(_summary_table(report))
    reliability = paths.get("reliability")
    out.print(f"report written to [bold]{paths['markdown']}[/bold] and {paths['json'].name}, "
              f"with {len(paths) - 2 - (reliability is not None)} plot(s) in {output}"
              + (f"; reliability diagram (calibration): {reliability.name}" if reliability is not None else ""))


def _line_problem(line: str) -> tuple[dict | None, str | None]:
    """A stdin line's record, or what is wrong with it."""
    try:
        rec = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, (f"not valid JSON ({exc.msg} at column {exc.colno}); each line must be an object like "
                      f"{{\"id\": \"a1\", \"title\": \"...\", \"text\": \"...\"}}.")
    if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
        got = type(rec).__name__ if not isinstance(rec, dict) else f"keys {sorted(rec)}"
        return None, f"expected a JSON object with a 'text' string (and optional 'id', 'title'), got {got}."
    if rec.get("title") is not None and not isinstance(rec["title"], str):
        return None, f"'title' must be a string, got {type(rec['title']).__name__}."
    if not rec["text"].strip() and not (rec.get("title") or "").strip():
        return None, "empty text (no title and no text): there is nothing to tag."
    return rec, None


def _stdin_records(stream: TextIO, bad: list[tuple[int, str]], skip_bad: bool) -> Iterator[dict]:
    """The records of JSON lines; a bad line is added to ``bad`` and either skipped (``skip_bad``) or ends
    the records, so that every line before it is still tagged and written."""
    for n, line in enumerate(stream, 1):
        if not line.strip():
            continue
        rec, problem = _line_problem(line)
        if problem is not None:
            bad.append((n, problem))
            if skip_bad:
                continue
            return
        yield rec


def tag_command(
    files: list[str] = typer.Argument(..., help="Article files or folders, or - for JSON lines on stdin "
                                                "({\"text\": ..., \"title\"?: ..., \"id\"?: ...})."),
    model: Optional[Path] = typer.Option(None, "--model", help="Model folder (default: $NEWSTAG_MODEL, else ./models/default, else the bundled model)."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write here instead of stdout: .jsonl, .csv or .parquet "
                                                                         "(see --format, --layout)."),
    evidence: bool = typer.Option(True, "--evidence/--no-evidence", help="Include top terms and matched aliases."),
    top_terms: int = typer.Option(5, "--top-terms", min=0, help="Weighted terms shown per chosen label."),
    batch_size: int = typer.Option(512, "--batch-size", min=1, help="Articles per batch."),
    strict: bool = typer.Option(False, "--strict", help="Fail when any article file cannot be read (or, with "
                                                        "--skip-bad, when any line was skipped)."),
    skip_bad: bool = typer.Option(False, "--skip-bad", help="With -: skip bad lines (listed at the end) instead "
                                                            "of stopping at the first one."),
    dask: Optional[str] = typer.Option(None, "--dask", metavar="ADDRESS|local",
                                       help="Tag a corpus folder on a Dask cluster (scheduler tcp://HOST:8786, or "
                                            "'local'); -o names the result folder (Parquet parts + manifest)."),
    num_proc: Optional[int] = typer.Option(None, "--num-proc", min=1, help="Tag a corpus folder with N processes on this "
                                                                    "machine (1: this process); -o names the result folder."),
    fmt: Optional[str] = typer.Option(None, "--format", help="jsonl, csv, parquet, or ls-predictions (one JSON "
                                      "file for `newstag annotate tasks/push --predictions`); default: by the suffix "
                                      "of -o (.jsonl, .csv, .parquet), jsonl on stdout."),
    layout: Annotated[Optional[str], typer.Option(
        "--layout", help="long: a row per (article, facet, label) with its score and source; wide: a row per "
                         "article. Default: long for CSV and Parquet; JSON Lines keep the full record (with "
                         "evidence) unless --layout is given.")] = None,
    all_scores: bool = typer.Option(False, "--all-scores", help="Every label's score, given or not: tables get a "
                                    "row per (article, facet, label) with a 'given' column (long layout); JSON "
                                    "records an 'all_scores' field. For choosing your own cut-offs."),
) -> None:
    """Tag articles: one JSON line per input, in order, with region, themes, actors, scores and evidence.

    With -o FILE.csv or FILE.parquet (or --format), write a table instead: --layout long (one row per label
    given) or wide (one row per article). With --dask or --num-proc, tag a whole corpus folder into a result
    folder instead (same bytes either way). With --format ls-predictions, write one predictions file keyed by
    article id (stdin records without an "id" get the corpus's id for their title and text) for Label Studio
    pre-annotations.
    """
    if dask is not None or num_proc is not None:
        if all_scores:
            raise InputError("--all-scores tags on this machine; leave out --dask and --num-proc.")
        if fmt == "ls-predictions":
            raise InputError("--format ls-predictions tags on this machine; leave out --dask and --num-proc.")
        if fmt not in (None, "jsonl") or layout is not None:
            raise InputError("--dask and --num-proc write a result folder (Parquet parts and a manifest); leave "
                             "out --format and --layout.")
        tag_corpus_command(files, model=model, output=output, dask=dask, num_proc=num_proc, evidence=evidence,
                           top_terms=top_terms, batch_size=batch_size)
        return
    from corpus import article_id, read_paths

    from ._tag_files import LAYOUTS, tag_file_format
    from ._tagger import load_model

    if output is not None and output.is_dir():
        raise InputError(f"{output}: -o names a folder; without --num-proc or --dask, tag writes one file. Give a "
                         f"file path (e.g. {output / 'tags.jsonl'}), never a corpus or other folder.")
    try:
        fmt = tag_file_format(output, fmt)
    except InputError as exc:
        raise typer.BadParameter(str(exc), param_hint="'-o' / '--format'") from None
    if layout is not None and layout not in LAYOUTS:
        raise typer.BadParameter(f"{layout!r}: expected long or wide.", param_hint="'--layout'")
    if fmt == "ls-predictions" and layout is not None:
        raise typer.BadParameter("ls-predictions has one layout (Label Studio's); leave out --layout.",
                                 param_hint="'--layout'")
    if all_scores and fmt == "ls-predictions":
        raise typer.BadParameter("--all-scores is for tag files and records; Label Studio predictions hold the "
                                 "labels given. Leave out one of them.", param_hint="'--all-scores'")
    if all_scores and layout == "wide":
        raise typer.BadParameter("--all-scores writes a row per label: use the long layout (leave out --layout "
                                 "wide).", param_hint="'--all-scores'")
    tagger = load_model(model)
    err.print(f"model: {tagger.source_.summary()}", highlight=False, soft_wrap=True)
    bad: list[tuple[int, str]] = []
    if "-" in files:
        if files != ["-"]:
            raise InputError("tag: give either article files or - (stdin), not both.")
        items = _stdin_records(sys.stdin, bad, skip_bad)
        sources = None
    else:
        read = read_paths(files, tagger.fitted_taxonomy)
        for r in read.rejections:
            err.print(f"rejected {r}", highlight=False, markup=False, style="red")
        if read.rejections and strict:
            raise InputError(f"{len(read.rejections)} article record(s) could not be read (--strict).")
        articles = [a if a.id else a.with_changes(id=article_id(a.title, a.body)) for a in read.articles]
        items, sources = articles, [(a.origin, a.source_id) for a in articles]
    if fmt == "ls-predictions":
        _write_predictions(tagger, items, model, output, batch_size)
        return
    if fmt != "jsonl" or layout is not None:  # a table: rows of labels and scores, no evidence
        written = _write_table(tagger, items, sources, output, fmt, layout or "long", batch_size, all_scores)
    else:
        results = tagger.tag_batch(items, batch_size=batch_size, evidence=evidence, top_terms=top_terms,
                                   all_scores=all_scores)
        if output is None:
            written = _write_lines(results, sources, sys.stdout, flush=True)
        else:  # the lines before a bad one are kept: the file is committed, then the bad line reported
            with atomic_path(output) as tmp, open(tmp, "w", encoding="utf-8") as sink:
                written = _write_lines(results, sources, sink)
    _report_bad_lines(bad, written, output, skip_bad, strict)


def _report_bad_lines(bad: list[tuple[int, str]], written: int, output: Path | None, skip_bad: bool,
                      strict: bool) -> None:
    if not bad:
        return
    where = f"to {output}" if output is not None else "to stdout"
    if not skip_bad:
        n, problem = bad[0]
        raise InputError(f"stdin line {n}: {problem} The {written} article(s) before it were tagged and written "
                         f"{where}. Fix the line and tag the rest (tail -n +{n}), or pass --skip-bad to skip bad "
                         f"lines.")
    for n, problem in bad[:20]:
        err.print(f"skipped stdin line {n}: {problem}", highlight=False, markup=False, style="yellow")
    more = " (the first 20 listed)" if len(bad) > 20 else ""
    lines = ", ".join(str(n) for n, _ in bad[:50]) + (", …" if len(bad) > 50 else "")
    err.print(f"skipped {len(bad)} bad line(s){more}: lines {lines}; {written} article(s) tagged {where}.",
              highlight=False, markup=False)
    if strict:
        raise InputError(f"{len(bad)} stdin line(s) skipped (--strict): lines {lines}.")


def _write_predictions(tagger, items, model: Optional[Path], output: Optional[Path], batch_size: int) -> None:
    from corpus import Article, article_id, atomic_write_json, dumps_json

    from ._predictor import predictions_document

    items = list(items)
    ids = [a.id if isinstance(a, Article) else str(a["id"]) if a.get("id") is not None
           else article_id(a.get("title") or "", a["text"]) for a in items]
    doc = predictions_document(tagger.tag_batch(items, batch_size=batch_size, evidence=False), ids,
                               model_version=tagger.source_.version())
    if output is None:
        sys.stdout.write(dumps_json(doc))
    else:
        atomic_write_json(output, doc)
        err.print(f"predictions for {len(ids)} article(s), model_version {doc['model_version']}, written to {output}")


def _write_table(tagger, items, sources, output: Optional[Path], fmt: str, layout: str, batch_size: int,
                 all_scores: bool = False) -> int:
    from ._tag_files import facet_kinds, write_tag_file, write_tag_stream

    results = tagger.tag_batch(items, batch_size=batch_size, evidence=False, all_scores=all_scores)
    kw = dict(facets=facet_kinds(tagger.fitted_taxonomy), fmt=fmt, layout=layout, sources=sources,
              all_scores=all_scores)
    if output is None:
        return write_tag_stream(results, sys.stdout, **kw)
    return write_tag_file(results, output, **kw)


def _write_lines(results, sources, sink: TextIO, flush: bool = False) -> int:
    """Write one JSON line per result (``flush``: each line goes out at once); returns how many."""
    n = 0
    for n, result in enumerate(results, 1):
        rec = result.to_dict()
        if sources is not None:  # the file it came from, and the record's own id there (JSONL/CSV id, else url)
            rec["source"], rec["source_id"] = sources[n - 1]
        sink.write(json.dumps(rec, ensure_ascii=False) + "\n")
        if flush:
            sink.flush()
    return n


# ---- `newstag tag CORPUS_DIR -o OUT_DIR --dask ADDRESS|local | --num-proc N` -------------------

def tag_corpus_command(inputs: Sequence[str], *, model: Path | None, output: Path | None, dask: str | None,
                       num_proc: int | None, evidence: bool, top_terms: int, batch_size: int) -> Path:
    """What ``newstag tag`` runs with ``--dask`` or ``--num-proc``: checks the arguments, shows a progress
    bar, calls :func:`tag_corpus_dask` or :func:`tag_corpus` and prints where the results are."""
    from corpus.console import out as stdout, progress_bar
    from corpus.store import MANIFEST

    from ._dask_tag import tag_corpus, tag_corpus_dask

    if dask is not None and num_proc is not None:
        raise InputError("tag: give --dask (a cluster) or --num-proc (this machine), not both.")
    flag = "--dask" if dask is not None else "--num-proc"
    if len(inputs) != 1 or inputs[0] == "-" or not (Path(inputs[0]) / MANIFEST).is_file():
        raise InputError(
            f"tag {flag} tags one corpus folder (with a {MANIFEST}, from `newstag corpus build`), got "
            f"{list(inputs)}; build a corpus from the articles first, or drop {flag} to tag files directly."
        )
    if output is None:
        raise InputError(f"tag {flag}: give -o OUT_DIR, the folder for the result parts and their manifest.")
    corpus_dir = Path(inputs[0])
    total = json.loads((corpus_dir / MANIFEST).read_text(encoding="utf-8")).get("counts", {}).get("articles")
    kw = dict(evidence=evidence, top_terms=top_terms, batch_size=batch_size)
    with progress_bar("tag") as bar:
        task = bar.add_task(f"tagging ({'dask ' + dask if dask is not None else f'{num_proc} process(es)'})",
                            total=total)

        def tick(n: int) -> None:
            bar.update(task, completed=n)

        if dask is not None:
            path = tag_corpus_dask(model, corpus_dir, output, dask, progress=tick, **kw)
        else:
            path = tag_corpus(model, corpus_dir, output, num_proc=num_proc, progress=tick, **kw)
    stdout.print(f"tagged {total} articles -> {path}/data/part-*.parquet (manifest {path / 'manifest.json'})")
    return path
