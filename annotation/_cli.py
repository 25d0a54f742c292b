"""`newstag annotate …` sub-commands: thin wrappers, each calling one library function."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(no_args_is_help=True, help="Label Studio: config, tasks, push, pull, import, agreement.")
out = Console()
err = Console(stderr=True)

_URL = typer.Option(..., "--url", envvar="NEWSTAG_LS_URL", help="Label Studio URL (or NEWSTAG_LS_URL).")
_TOKEN = typer.Option(..., "--token", envvar="NEWSTAG_LS_TOKEN", show_default=False,
                      help="Label Studio API token (or NEWSTAG_LS_TOKEN).")
_MENTIONS = typer.Option([], "--mentions", help="Facet whose mentions get span labels (repeatable), e.g. actors.")
_FORMATS = "auto, JSON, JSON_MIN, CSV or TSV"


def _progress(description: str):
    from corpus.console import progress_bar

    return progress_bar(description)


def _print_import_report(report, corpus_dir: Path) -> None:
    table = Table(title=f"annotation import: {report.export} ({report.format}) -> {corpus_dir}", show_header=False)
    rows = [("tasks in export", report.tasks)]
    if report.articles_built:
        rows.append(("articles built from the tasks (new corpus)", report.articles_built))
    rows += [("facets seen (the others untouched)", ", ".join(report.facets_seen) or "-"),
             ("controls -> facets", ", ".join(f"{c} -> {f}" for c, f in report.controls.items()) or "-"),
             ("controls mapped to no facet", ", ".join(report.unmapped_controls) or "-"),
             ("tasks matching no article", len(report.unmatched_tasks)), ("annotations read", report.records),
            ("annotations used", report.records_used), ("articles updated", report.articles_updated),
            ("annotators", ", ".join(report.annotators) or "-")]
    rows += [(f"skipped: {kind}", n) for kind, n in report.counts().items()]
    rows += [("needs adjudication (article, facet)", len(report.needs_adjudication)),
             ("predictions ignored (never labels)", report.predictions_ignored),
             ("mention spans (checked, not stored)", report.spans), ("corpus fingerprint", report.corpus_fingerprint)]
    for k, v in rows:
        table.add_row(k, str(v))
    out.print(table)
    if report.needs_adjudication:
        adj = Table(title="needs adjudication (ties are not guessed)")
        for col in ("article", "facet", "tied labels", "votes", "tasks"):
            adj.add_column(col)
        for item in report.needs_adjudication[:50]:
            adj.add_row(item["article_id"], item["facet"], ", ".join(item["tied"]),
                        ", ".join(f"{k} {v}" for k, v in item["votes"].items()), ", ".join(map(str, item["task_ids"])))
        out.print(adj)
        if len(report.needs_adjudication) > 50:
            out.print(f"… {len(report.needs_adjudication) - 50} more in {corpus_dir / 'annotation-report.json'}")
    for s in sorted(report.skipped, key=lambda s: s.kind == "untouched")[:20]:  # the unexpected ones first
        err.print(f"[yellow]skipped[/yellow] {s}", highlight=False, soft_wrap=True)
    if len(report.skipped) > 20:
        err.print(f"… {len(report.skipped) - 20} more skipped; all listed in {corpus_dir / 'annotation-report.json'}")
    for note in report.notes:
        err.print(f"[dim]note: {note}[/dim]", highlight=False, soft_wrap=True)


@app.command("config")
def config_command(
    taxonomy: Optional[Path] = typer.Option(None, "--taxonomy", help="Taxonomy TOML (default: the one shipped with newstag, corpus/data/taxonomy.toml)."),
    mentions: list[str] = _MENTIONS,
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write the XML here (default: print it)."),
) -> None:
    """Print (or write) the Label Studio labeling config generated from the taxonomy."""
    from corpus import atomic_write_text, load_taxonomy

    from .config import labeling_config

    xml = labeling_config(load_taxonomy(taxonomy), mentions=mentions)
    if output is None:
        sys.stdout.write(xml)
    else:
        atomic_write_text(output, xml)
        err.print(f"labeling config written to {output}")


@app.command("tasks")
def tasks_command(
    corpus_dir: Path = typer.Argument(..., help="Corpus folder."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Tasks JSON file (default: print it)."),
    predictions: Optional[Path] = typer.Option(None, "--predictions", help="Predictions JSON (pre-annotations)."),
    mentions: list[str] = _MENTIONS,
    only_unlabeled: bool = typer.Option(False, "--only-unlabeled", help="Leave out labeled articles."),
) -> None:
    """Write the corpus articles as Label Studio tasks (with predictions as pre-annotations)."""
    from corpus import dumps_json, load

    from .tasks import load_predictions, make_tasks, write_tasks

    corpus = load(corpus_dir)
    preds = load_predictions(predictions, corpus.taxonomy) if predictions else None
    tasks = make_tasks(corpus, predictions=preds, mentions=mentions, only_unlabeled=only_unlabeled)
    if output is None:
        sys.stdout.write(dumps_json(tasks))
    else:
        write_tasks(tasks, output)
        err.print(f"{len(tasks)} task(s) written to {output}")


@app.command("push")
def push_command(
    corpus_dir: Path = typer.Argument(..., help="Corpus folder."),
    url: str = _URL,
    token: str = _TOKEN,
    project_title: Optional[str] = typer.Option(None, "--project-title", help="New project's title."),
    project: Optional[int] = typer.Option(None, "--project", help="Add to this existing project instead."),
    predictions: Optional[Path] = typer.Option(None, "--predictions", help="Predictions JSON (pre-annotations)."),
    mentions: list[str] = _MENTIONS,
    only_unlabeled: bool = typer.Option(False, "--only-unlabeled", help="Leave out labeled articles."),
) -> None:
    """Create a Label Studio project from the taxonomy and import the corpus as tasks; prints the project id."""
    from corpus import load

    from .client import push
    from .tasks import load_predictions

    corpus = load(corpus_dir)
    preds = load_predictions(predictions, corpus.taxonomy) if predictions else None
    with _progress("push") as bar:
        task = bar.add_task("importing tasks", total=None if only_unlabeled else len(corpus))
        result = push(corpus, url=url, token=token, title=project_title, project=project, predictions=preds,
                      mentions=mentions, only_unlabeled=only_unlabeled, progress=lambda n: bar.advance(task, n))
    err.print(f"{result.tasks} task(s), {result.predictions} prediction(s) imported into project "
              f"{result.project_id} at {result.url}")
    print(result.project_id)


@app.command("pull")
def pull_command(
    url: str = _URL,
    token: str = _TOKEN,
    project: int = typer.Option(..., "--project", help="Project id."),
    corpus_dir: Path = typer.Option(..., "--corpus", help="Corpus folder to label (written in place)."),
    fmt: str = typer.Option("JSON", "--format", help="JSON (complete), JSON_MIN or CSV."),
    output: Optional[Path] = typer.Option(None, "-o", "--output",
                                          help="Keep the raw export here (default: CORPUS/annotations/)."),
    strict: bool = typer.Option(False, "--strict", help="Fail when any record is skipped or unusable."),
    maps: list[str] = typer.Option([], "--map", metavar="CONTROL=FACET",
                                   help="Read a control as a facet (repeatable), e.g. --map topic=themes."),
) -> None:
    """Download a project's export, keep the raw file, and apply it to the corpus."""
    from corpus import load

    from .client import pull
    from .mapping import parse_overrides

    controls = parse_overrides(maps, load(corpus_dir).taxonomy) if maps else None
    result = pull(url=url, token=token, project=project, corpus=corpus_dir, fmt=fmt, output=output, strict=strict,
                  controls=controls)
    err.print(f"export saved to {result.export_path}")
    _print_import_report(result.report, corpus_dir)


@app.command("import")
def import_command(
    export: Path = typer.Argument(..., help="Label Studio export file (JSON, JSON_MIN, CSV or TSV)."),
    corpus_dir: Path = typer.Option(..., "--corpus", help="Corpus folder to label (written in place, atomically); "
                                                          "a folder that does not exist is built from the tasks."),
    fmt: str = typer.Option("auto", "--format", help=_FORMATS),
    strict: bool = typer.Option(False, "--strict", help="Fail when any record is skipped or unusable."),
    annotators: Optional[Path] = typer.Option(None, "--annotators",
                                              help="JSON {email: user id} (or /api/users list) to name annotators "
                                                   "by id in every format."),
    maps: list[str] = typer.Option([], "--map", metavar="CONTROL=FACET",
                                   help="Read a control as a facet (repeatable), e.g. --map topic=themes. Controls "
                                        "named like a facet map by themselves."),
    text_field: Optional[str] = typer.Option(None, "--text-field", help="Task data field with the article text "
                                                                        "(default: text, body, content or html)."),
    title_field: Optional[str] = typer.Option(None, "--title-field", help="Task data field with the title "
                                                                          "(default: title or headline)."),
    id_field: Optional[str] = typer.Option(None, "--id-field", help="Task data field with the task's own id, kept "
                                                                    "as the source id (default: source_id, id, "
                                                                    "article_id, else url)."),
    taxonomy: Optional[Path] = typer.Option(None, "--taxonomy", help="Taxonomy TOML of a new corpus (default: "
                                                                     "the one shipped with newstag)."),
) -> None:
    """Apply an export file to a corpus (or build one from its tasks): consensus labels, every annotator's
    labels, ties flagged; facets the export says nothing about are left as they were."""
    from corpus import load_taxonomy
    from corpus.store import MANIFEST, load

    from ._export import read_annotators
    from .articles import TaskFields
    from .consensus import import_annotations
    from .mapping import parse_overrides

    tax = load(corpus_dir).taxonomy if (corpus_dir / MANIFEST).is_file() else load_taxonomy(taxonomy)
    mapping = read_annotators(annotators) if annotators else None
    with _progress("import") as bar:
        task = bar.add_task("reading export", total=None)
        _, report = import_annotations(export, corpus_dir, fmt=fmt, strict=strict, annotators=mapping,
                                       controls=parse_overrides(maps, tax), taxonomy=tax,
                                       fields=TaskFields(text_field, title_field, id_field),
                                       progress=lambda n: bar.advance(task, n))
    _print_import_report(report, corpus_dir)


@app.command("agreement")
def agreement_command(
    corpus_dir: Path = typer.Argument(..., help="Corpus folder with imported annotations."),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON instead of tables."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Also write the figures as JSON here."),
    plot: Optional[Path] = typer.Option(None, "--plot", help="Write a PNG chart of per-label alpha here."),
    ground_truth: bool = typer.Option(False, "--with-ground-truth", help="Count ground-truth (adjudication) annotations as ratings too."),
) -> None:
    """Inter-annotator agreement per facet and per label, each with the number of items behind it (ground-truth
    adjudications left out: they settle disagreements, they are not independent ratings)."""
    from corpus import atomic_write_json, dumps_json, load

    from .agreement import agreement, plot_agreement

    report = agreement(load(corpus_dir), ground_truth=ground_truth)
    data = report.as_dict()
    if output is not None:
        atomic_write_json(output, data)
    if plot is not None:
        plot_agreement(report, plot)
    if as_json:
        sys.stdout.write(dumps_json(data))
        return

    def show(f) -> str:
        if f is None:
            return "-"
        return f"{f.value:.3f} (n={f.n_items})" if f.value is not None else f"n/a (n={f.n_items})"

    summary = Table(title=f"agreement: {corpus_dir}")
    for col in ("facet", "items", "annotators", "Krippendorff's alpha", "Fleiss' kappa", "Cohen's kappa"):
        summary.add_column(col)
    for fa in report.facets.values():
        summary.add_row(f"{fa.facet} ({fa.kind})", str(fa.n_items), str(len(fa.annotators)),
                        show(fa.alpha) + (" MASI" if fa.kind == "multi" else ""), show(fa.fleiss), show(fa.cohen))
    out.print(summary)
    for fa in report.facets.values():
        if not fa.labels:
            continue
        t = Table(title=f"{fa.facet}: per label (present / absent)")
        for col in ("label", "positives", "alpha", "Fleiss' kappa", "Cohen's kappa"):
            t.add_column(col)
        for la in sorted(fa.labels.values(), key=lambda la: -la.positives):
            t.add_row(la.label, str(la.positives), show(la.alpha), show(la.fleiss), show(la.cohen))
        out.print(t)
    notes = {f.note for fa in report.facets.values() for f in (fa.alpha, fa.fleiss, fa.cohen) if f and f.note}
    for note in sorted(notes):
        err.print(f"[dim]n/a: {note}[/dim]", highlight=False)


@app.command("next")
def next_command(
    corpus_dir: Path = typer.Option(..., "--corpus", help="Corpus folder: the pool of articles."),
    model: Optional[Path] = typer.Option(None, "--model", help="Model folder (default: $NEWSTAG_MODEL, else ./models/default, else the bundled model)."),
    n: int = typer.Option(100, "-n", help="How many articles to choose."),
    random_share: float = typer.Option(0.3, "--random", help="Share drawn at random, stratified by month (0..1)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the random draw."),
    before: Optional[str] = typer.Option(None, "--before", metavar="YYYY-MM-DD",
                                         help="Only articles dated before this day (keep the eval period out)."),
    after: Optional[str] = typer.Option(None, "--after", metavar="YYYY-MM-DD",
                                        help="Only articles dated on or after this day."),
    match: Optional[str] = typer.Option(None, "--match", metavar="REGEX",
                                        help="A keyword pool: only articles whose title or body this regular "
                                             "expression finds (case-insensitive), e.g. 'deterr|drills'."),
    rare_below: int = typer.Option(30, "--rare-below", help="A label with fewer annotated positives is rare."),
    rare_share: float = typer.Option(0.3, "--rare-share", help="Share of the non-random part for rare labels."),
    rare_facets: list[str] = typer.Option([], "--rare-facet", help="Facet whose labels may be rare (repeatable; "
                                                                   "default: every facet)."),
    positives_from: list[Path] = typer.Option([], "--positives-from", help="Another annotated corpus the model learns "
                                              "from (e.g. the starter corpus): its positives count when deciding "
                                              "which labels are rare (repeatable)."),
    per_story: int = typer.Option(2, "--per-story", help="At most this many articles per story line."),
    per_source: Optional[int] = typer.Option(None, "--per-source", help="At most this many per source "
                                                                        "(default: a quarter of -n)."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write the batch file (ids, why) here."),
    project: Optional[int] = typer.Option(None, "--project", help="Push the batch as tasks into this project "
                                                                  "(its tasks are never chosen again)."),
    project_title: Optional[str] = typer.Option(None, "--project-title",
                                                help="Push into a new project with this title instead."),
    url: Optional[str] = typer.Option(None, "--url", envvar="NEWSTAG_LS_URL",
                                      help="Label Studio URL (or NEWSTAG_LS_URL)."),
    token: Optional[str] = typer.Option(None, "--token", envvar="NEWSTAG_LS_TOKEN", show_default=False,
                                        help="Label Studio API token (or NEWSTAG_LS_TOKEN)."),
    mentions: list[str] = _MENTIONS,
) -> None:
    """Choose the next articles to annotate (uncertainty, rare labels, a random share) and push them."""
    from corpus import load

    from .active import select_batch
    from .client import project_article_ids, push_batch
    from .errors import SelectionError
    from .predictor import load_predictor

    if project is not None and project_title is not None:
        raise SelectionError("pass --project (an existing project) or --project-title (a new one), not both.")
    pushing = project is not None or project_title is not None
    corpus = load(corpus_dir)
    predictor = load_predictor(model)
    err.print(f"model: {predictor.source} (model_version {predictor.model_version})", highlight=False)
    exclude = project_article_ids(url=url or "", token=token or "", project=project) if project is not None else set()
    batch = select_batch(corpus, predictor, n, random_share=random_share, seed=seed, before=before, after=after,
                         exclude_ids=exclude, rare_below=rare_below, rare_share=rare_share,
                         rare_facets=rare_facets or None, positives_from=[load(p) for p in positives_from],
                         per_story=per_story, per_source=per_source, match=match)
    if output is not None:
        batch.save(output)
    summary = Table(title=f"next batch (model {batch.model_version}, seed {batch.seed})", show_header=False)
    for k, v in batch.counts.items():
        summary.add_row(k.replace("_", " "), str(v))
    out.print(summary)
    for note in batch.notes:
        err.print(f"[yellow]note:[/yellow] {note}", highlight=False, soft_wrap=True)
    if output is not None:
        err.print(f"batch of {len(batch)} written to {output}")
    if pushing:
        result = push_batch(corpus, batch, url=url or "", token=token or "", project=project, title=project_title,
                            mentions=mentions)
        err.print(f"{result.tasks} task(s), {result.predictions} prediction(s) imported into project "
                  f"{result.project_id} at {result.url}")
        print(result.project_id)


@app.command("backend")
def backend_command(
    model: Optional[Path] = typer.Option(None, "--model", help="Model folder (default: $NEWSTAG_MODEL, else ./models/default, else the bundled model)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on; other than loopback needs --token."),
    port: int = typer.Option(9090, "--port", help="Port to listen on."),
    token: Optional[str] = typer.Option(None, "--token", envvar="NEWSTAG_BACKEND_TOKEN", show_default=False,
                                        help="Required on every request (Token/Bearer header, or basic-auth password); "
                                             "or NEWSTAG_BACKEND_TOKEN."),
    retrain_after: int = typer.Option(0, "--retrain-after", help="Retrain after this many new annotations "
                                                                 "(0: only when Label Studio asks)."),
    corpus_dir: Optional[Path] = typer.Option(None, "--corpus", help="Base corpus a retrain starts from "
                                                                     "(its labeled articles plus the annotations)."),
    state_dir: Path = typer.Option(Path("newstag-backend"), "--state-dir",
                                   help="The backend's folder: annotations learnt and retrained models."),
    max_body_mb: float = typer.Option(10.0, "--max-body-mb", help="Largest request body accepted, in MB."),
) -> None:
    """Serve a model to Label Studio as an ML backend: predictions, annotations learnt, background retrains."""
    from ._http import serve
    from .backend import Backend
    from .predictor import load_predictor

    predictor = load_predictor(model)
    backend = Backend(predictor, state_dir=state_dir, corpus=corpus_dir, retrain_after=retrain_after)
    err.print(f"ML backend for {predictor.source} (model_version {predictor.model_version}) on http://{host}:{port}; "
              f"state in {state_dir}. Connect it in Label Studio: project Settings -> Model -> Connect Model.")
    serve(backend, host=host, port=port, token=token, max_body=int(max_body_mb * 1024 * 1024))


@app.command("predict")
def predict_command(
    project: int = typer.Option(..., "--project", help="Project id."),
    model: Optional[Path] = typer.Option(None, "--model", help="Model folder (default: $NEWSTAG_MODEL, else ./models/default, else the bundled model)."),
    url: str = _URL,
    token: str = _TOKEN,
    keep: list[str] = typer.Option(["aliases"], "--keep", help="Model versions whose predictions stay (repeatable)."),
    strict: bool = typer.Option(False, "--strict", help="Fail when a task has no text."),
) -> None:
    """Replace the predictions on a project's tasks with the current model's."""
    from .client import refresh_predictions

    with _progress("predict") as bar:
        task = bar.add_task("predicting", total=None)
        result = refresh_predictions(url=url, token=token, project=project, model=model, keep_versions=keep,
                                     strict=strict, progress=lambda n: bar.advance(task, n))
    for s in result.skipped[:20]:
        err.print(f"[yellow]skipped[/yellow] {s}", highlight=False, soft_wrap=True)
    for note in result.notes:
        err.print(f"[dim]note: {note}[/dim]", highlight=False, soft_wrap=True)
    err.print(f"project {result.project_id}: {result.created} prediction(s) of model_version {result.model_version} "
              f"created, {result.deleted} of other versions deleted, {result.already_current} task(s) already current, "
              f"{len(result.skipped)} skipped, of {result.tasks} task(s)")
