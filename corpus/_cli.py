"""The ``newstag`` command: a thin layer over the library.

The root command lives here; ``annotation`` and ``classifier`` plug their sub-commands in through the
``newstag.commands`` entry-point group (see pyproject.toml), so ``corpus`` never imports them.
"""

from __future__ import annotations

import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from .console import err as console, out, progress_bar, run_command
from .errors import InputError

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  help="newstag: news articles -> annotated corpus -> taggers for region, themes and actors.")
corpus_app = typer.Typer(no_args_is_help=True, help="Build, inspect and split corpora.")
app.add_typer(corpus_app, name="corpus")


def version_text() -> str:
    """What ``newstag --version`` prints: the package version, then the model the lookup finds (its version and
    training data, from its model card), or why there is none."""
    from importlib.metadata import PackageNotFoundError, version

    from .errors import NewstagError
    from .models import find_model

    try:
        lines = [f"newstag {version('newstag')}"]
    except PackageNotFoundError:
        lines = ["newstag (not installed: no package metadata)"]
    try:
        lines.append(f"model: {find_model().summary()}")
    except NewstagError as exc:
        lines.append(f"model: none ({exc})")
    return "\n".join(lines)


def _print_version(value: bool) -> None:
    if value:
        out.print(version_text(), highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit()


@app.callback()
def root(version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                      help="Print the version of newstag and of its default model, and exit.")) -> None:
    """newstag: news articles -> annotated corpus -> taggers for region, themes and actors."""


@corpus_app.command("build")
def build_command(
    sources: list[Path] = typer.Argument(..., help="Article files or folders (read recursively)."),
    output: Path = typer.Option(..., "-o", "--output", help="Corpus folder to write."),
    taxonomy: Optional[Path] = typer.Option(None, "--taxonomy", help="Taxonomy TOML (default: the one shipped with newstag, corpus/data/taxonomy.toml)."),
    strict: bool = typer.Option(False, "--strict", help="Fail when any record is rejected."),
    dask: Optional[str] = typer.Option(None, "--dask", metavar="ADDRESS|local",
                                       help="Build on a Dask cluster (scheduler address tcp://HOST:8786, or 'local' "
                                            "for worker processes on this machine); same folder, byte for byte."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace the corpus already in -o (its labels and "
                                                              "split go); without it that is refused."),
) -> None:
    """Read articles, fingerprint, dedupe and save a corpus folder."""
    from .readers import iter_files
    from .store import build, check_build_output

    check_build_output(output, overwrite)  # refuse before reading anything
    files = sum(1 for _ in iter_files(sources))
    with progress_bar("build") as bar:
        tasks = {"read": bar.add_task("reading files", total=files), "fingerprint": bar.add_task("fingerprinting", total=None)}
        if dask:
            tasks["write"] = bar.add_task("writing shards", total=None)

        def tick(stage: str, n: int) -> None:
            bar.advance(tasks[stage], n)

        if dask:
            from ._dask_build import build_dask

            _, report = build_dask(sources, output, dask, taxonomy=taxonomy, strict=strict, progress=tick,
                                   overwrite=overwrite)
        else:
            _, report = build(sources, taxonomy=taxonomy, output=output, strict=strict, progress=tick,
                              overwrite=overwrite)
        bar.update(tasks["fingerprint"], total=report.added, completed=report.added)
    table = Table(title=f"corpus {output}", show_header=False)
    for k, v in [("files read", report.files_read), ("records read", report.records_read),
                 ("articles added", report.added), ("exact duplicates merged", len(report.duplicates)),
                 ("near-duplicate groups", f"{report.near_duplicate_groups} ({report.articles_in_groups} articles)"),
                 ("rejected", len(report.rejections)), ("files skipped (not articles)", len(report.skipped_files))]:
        table.add_row(k, str(v))
    out.print(table)
    for r in report.rejections:
        console.print(f"[red]rejected[/red] {r}")
    for s in report.skipped_files:
        console.print(f"[dim]skipped (unknown suffix) {s}[/dim]")
    if report.rejections:
        console.print(f"{len(report.rejections)} record(s) rejected; details in {output / 'report.json'}.")


@corpus_app.command("info")
def info_command(path: Path = typer.Argument(..., help="Corpus folder.")) -> None:
    """Counts, fingerprint, taxonomy and label counts of a corpus folder."""
    from .store import load

    corpus = load(path)
    m = corpus.manifest
    out.print(f"[bold]{path}[/bold]  {m['counts']['articles']} articles, {m['counts']['labeled']} labeled, "
              f"{m['counts']['near_duplicate_groups']} near-duplicate groups")
    out.print(f"fingerprint {m['fingerprint']}")
    out.print(f"taxonomy {m['taxonomy']['name']} v{m['taxonomy']['version']} ({m['taxonomy']['hash'][:12]})")
    for facet, counts in m["label_counts"].items():
        top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        out.print(f"  {facet}: " + (", ".join(f"{k} {v}" for k, v in top[:15]) or "(no labels)"))


def _real_corpus(kind: str, source: Path, output: Path, strict: bool, overwrite: bool, split) -> None:
    """Build a real corpus folder with its split manifest (``newstag corpus reuters|wikinews``)."""
    from . import datasets

    build = datasets.build_reuters if kind == "reuters" else datasets.build_wikipedia_current_events
    with progress_bar(kind) as bar:
        task = bar.add_task(f"reading {source}", total=None)
        corpus, report = build(source, output=output, strict=strict, overwrite=overwrite,
                               progress=lambda stage, n: bar.advance(task, n))
    manifest = split(corpus)
    written = manifest.save(output)
    out.print(f"{output}: {report.added} articles from {report.files_read} files ({len(report.duplicates)} exact "
              f"duplicates merged, {report.near_duplicate_groups} near-duplicate groups, {len(report.rejections)} "
              f"records rejected); {manifest.method} split {len(manifest.ids['train'])} train / "
              f"{len(manifest.ids['eval'])} eval in {written.name}", highlight=False)
    for r in report.rejections[:20]:
        console.print(f"[red]rejected[/red] {r}", highlight=False)
    if report.rejections:
        console.print(f"{len(report.rejections)} record(s) rejected; all of them are in {output / 'report.json'}.")


@corpus_app.command("reuters")
def reuters_command(
    data_dir: Path = typer.Argument(..., help="The Reuters-21578 folder (reut2-*.sgm and all-*-strings.lc.txt)."),
    output: Path = typer.Option(..., "-o", "--output", help="Corpus folder to write."),
    subset: str = typer.Option("all", "--subset", help="ModApte documents to split: all (9,603/3,299), r90 or r10."),
    strict: bool = typer.Option(False, "--strict", help="Fail when any record is rejected."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace the corpus already in -o (its labels and "
                                                              "split go); without it that is refused."),
) -> None:
    """Build Reuters-21578 (facets topics, places, people, orgs) and save its ModApte split as splits.json."""
    from .datasets import modapte_split

    _real_corpus("reuters", data_dir, output, strict, overwrite, lambda c: modapte_split(c, subset))


@corpus_app.command("wikinews")
def wikinews_command(
    posts_dir: Path = typer.Argument(..., help="The Current events pages (one YYYY-MM-DD-index.md per day)."),
    output: Path = typer.Option(..., "-o", "--output", help="Corpus folder to write."),
    cutoff: str = typer.Option("2026-01-01", "--cutoff", help="Train before this day, evaluate from it (YYYY-MM[-DD])."),
    strict: bool = typer.Option(False, "--strict", help="Fail when any record is rejected."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace the corpus already in -o (its labels and "
                                                              "split go); without it that is refused."),
) -> None:
    """Build the Wikipedia Current events corpus (sections, actors, region) and save a time split as splits.json."""
    from .time_split import parse_day, time_split

    parse_day(cutoff)  # a bad date fails before the build, not after
    _real_corpus("wikinews", posts_dir, output, strict, overwrite, lambda c: time_split(c, cutoff))


@corpus_app.command("split")
def split_command(
    path: Path = typer.Argument(..., help="Corpus folder; the split is saved as DIR/splits.json."),
    ratios: Optional[str] = typer.Option(None, "--ratios", help="train,eval[,test] shares, e.g. 0.8,0.2 (default 0.8,0.2 or the existing split's)."),
    test: Optional[float] = typer.Option(None, "--test", help="Share held out as a test split; train and eval share the rest in the --ratios proportions."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Random seed (default 0 or the existing split's)."),
    folds: Optional[int] = typer.Option(None, "--folds", help="Also cut the train split into K cross-validation folds."),
    group_column: Optional[list[str]] = typer.Option(None, "--group-column", help="Keep articles sharing this column's value together (e.g. source, meta.story); repeatable. Near-duplicates always stay together."),
    reshuffle: bool = typer.Option(False, "--reshuffle", help="Split from scratch instead of extending DIR/splits.json (articles may change sides)."),
    time: Optional[str] = typer.Option(None, "--time", metavar="YYYY-MM-DD", help="A time split instead: train on articles dated before this day, evaluate on those from it."),
    until: Optional[str] = typer.Option(None, "--until", metavar="YYYY-MM-DD", help="With --time: the last day evaluated."),
    eval_where: Optional[list[str]] = typer.Option(None, "--eval-where", metavar="COLUMN=VALUE", help="With --time: evaluate only articles matching this (e.g. meta.selection=random); repeatable."),
    undated: str = typer.Option("error", "--undated", help="With --time: a labeled article without a full date is an error, or goes to train, or is dropped (error|train|drop)."),
) -> None:
    """Stratified, grouped, reproducible train/eval(/test) split (and folds) of a corpus's labeled articles,
    or with --time a time split (train before a day, evaluate after it, stories kept whole)."""
    from ._split_command import parse_where, split_corpus, split_table, time_split_corpus

    if time is not None:
        if ratios is not None or test is not None or reshuffle:
            raise InputError("--time makes a time split: --ratios, --test and --reshuffle do not apply.")
        if seed is not None and folds is None:
            raise InputError("--seed with --time seeds the folds: give --folds K too (the time split itself has no "
                             "randomness).")
        if group_column and len(group_column) > 1:
            raise InputError("--time takes one --group-column (the story an article belongs to, e.g. meta.story_line).")
        manifest, written = time_split_corpus(path, time, until=until, eval_where=parse_where(eval_where),
                                              group_column=group_column[0] if group_column else None, undated=undated,
                                              folds=folds, seed=seed)
        rep = manifest.label_report
        console.print(f"wrote {written}: train {len(manifest.ids['train'])} ({rep['dates']['train'][0]} .. "
                      f"{rep['dates']['train'][1]}), eval {len(manifest.ids['eval'])} ({rep['dates']['eval'][0]} .. "
                      f"{rep['dates']['eval'][1]}); {rep['held_out']} labeled articles of the evaluation period held out "
                      f"by --eval-where/--until, {rep['dropped_from_train']} left out of training for sharing a story "
                      f"with an evaluated one, {rep['moved_to_train']} moved to train with their near-duplicates, "
                      f"{rep['undated']['articles']} undated ({rep['undated']['placed']})"
                      + (f"; train cut into {len(manifest.folds)} folds, stories whole" if manifest.folds else ""),
                      highlight=False)
        return
    if until is not None or eval_where or undated != "error":
        raise InputError("--until, --eval-where and --undated go with --time.")
    with console.status("splitting"):
        manifest, written = split_corpus(path, ratios=ratios, test=test, seed=seed, folds=folds,
                                         group_columns=group_column, reshuffle=reshuffle)
    Console().print(split_table(manifest))
    rep = manifest.label_report
    console.print(f"wrote {written}  ({rep['labeled']} labeled articles in {rep['groups']} groups; "
                  f"{rep['unlabeled']} unlabeled articles are in no split)", highlight=False)
    for scope, r in [("split", rep), ("fold", rep.get("folds") or {})]:
        few = "; ".join(f"{f}: " + ", ".join(f"{lab} ({n})" for lab, n in sorted(labs.items(), key=lambda kv: (kv[1], kv[0])))
                        for f, labs in (r.get("too_few") or {}).items() if labs)
        if few:
            console.print(f"[yellow]too few examples to be in every {scope}[/yellow] (< {r['min_examples']} groups): {few}",
                          highlight=False)
        for name, labs in (r.get("not_covered") or {}).items():
            console.print(f"[red]missing from {scope} {name}[/red] (groups or kept articles left no way): {labs}", highlight=False)
    smallest = min(manifest.ratios.values())
    if rep["largest_group"] > smallest * rep["labeled"]:
        console.print(f"[yellow]one group holds {rep['largest_group']} of {rep['labeled']} articles[/yellow], more than the "
                      f"smallest split's share ({smallest:g}); labels concentrated in it cannot be stratified. Check the "
                      f"group columns.", highlight=False)
    ext = manifest.extends or {}
    if ext:
        console.print(f"extended the previous split: {ext['kept']} kept, {ext['added']} added, {ext['dropped']} dropped",
                      highlight=False)
        for c in ext.get("group_conflicts", []):
            console.print(f"[yellow]group across splits[/yellow] (new articles link them; --reshuffle resolves it): {c}",
                          highlight=False)


_plugins_loaded = False


def _load_plugins() -> None:
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    for ep in sorted(entry_points(group="newstag.commands"), key=lambda e: e.name):
        try:
            obj = ep.load()
        except Exception as exc:  # a broken optional plug-in must not take the other commands down
            console.print(f"[yellow]warning:[/yellow] command {ep.name!r} unavailable ({type(exc).__name__}: {exc}).")
            continue
        if isinstance(obj, typer.Typer):
            app.add_typer(obj, name=ep.name)
        else:
            app.command(ep.name)(obj)


def register(name: str, command) -> None:
    """Add a sub-app or command (used by tests and by packages not installed through entry points)."""
    if isinstance(command, typer.Typer):
        app.add_typer(command, name=name)
    else:
        app.command(name)(command)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (errors newstag raises on purpose exit 2, no traceback)."""
    _load_plugins()
    return run_command(typer.main.get_command(app), argv, "newstag")


if __name__ == "__main__":
    sys.exit(main())
