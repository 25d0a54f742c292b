"""Talk to a running Label Studio with label-studio-sdk: push tasks, pull exports.

``label_studio_sdk`` is imported inside the functions (it pulls in ~500 MB of dependencies), so the
rest of the package, and the command line's other sub-commands, load without it.
"""

from __future__ import annotations

__all__ = ["PushResult", "PullResult", "RefreshResult", "connect", "push", "push_batch", "pull", "download_export",
           "annotator_ids", "create_project", "project_article_ids", "refresh_predictions"]

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, Sequence

from corpus import Corpus
from corpus.atomic import atomic_path
from corpus import load as load_corpus

from .config import labeling_config
from .consensus import ImportReport, import_annotations
from .config import SELECTION_FIELD
from .errors import ExportError, LabelStudioError
from .mapping import map_label_config, task_text
from .predictions import ls_predictions
from .predictor import Predictor, load_predictor
from .tasks import Predictions, make_tasks

if TYPE_CHECKING:
    from .active import Batch

EXPORT_SUFFIX = {"JSON": ".json", "JSON_MIN": ".min.json", "CSV": ".csv", "TSV": ".tsv"}


@dataclass(frozen=True)
class PushResult:
    url: str
    project_id: int
    tasks: int
    predictions: int


@dataclass(frozen=True)
class PullResult:
    corpus: Corpus
    report: ImportReport
    export_path: Path


@contextlib.contextmanager
def _errors(url: str, what: str) -> Iterator[None]:
    """Turn SDK and network failures into :class:`LabelStudioError` with what to do next."""
    import httpx
    from label_studio_sdk.core.api_error import ApiError

    try:
        yield
    except ApiError as exc:
        hint = {
            401: "the API token is wrong: copy it from Account & Settings in Label Studio (or NEWSTAG_LS_TOKEN).",
            403: "the token's user may not do this; use an administrator's token.",
            404: "no such project (or task) on this server; check --project.",
        }.get(exc.status_code or 0, "see the server's answer above.")
        raise LabelStudioError(f"Label Studio at {url} refused to {what}: HTTP {exc.status_code} "
                               f"{str(exc.body)[:300]}; {hint}") from None
    except httpx.HTTPError as exc:
        raise LabelStudioError(f"cannot reach Label Studio at {url} to {what} ({type(exc).__name__}: {exc}); "
                               f"is the server running, and is --url (or NEWSTAG_LS_URL) right?") from None


def connect(url: str, token: str, *, timeout: float = 120.0):
    """A ``label_studio_sdk.LabelStudio`` client for ``url`` with the (legacy) API token."""
    from label_studio_sdk import LabelStudio

    if not url or not token:
        raise LabelStudioError("a Label Studio URL and API token are needed: pass --url and --token "
                               "(or set NEWSTAG_LS_URL and NEWSTAG_LS_TOKEN).")
    return LabelStudio(base_url=url.rstrip("/"), api_key=token, timeout=timeout)


def push(corpus: Corpus, *, url: str, token: str, title: str | None = None, project: int | None = None,
         predictions: Predictions | None = None, mentions: Sequence[str] = (), only_unlabeled: bool = False,
         batch_size: int = 250, progress: Callable[[int], None] | None = None) -> PushResult:
    """Create a project from the taxonomy's labeling config (or use ``project``) and import the tasks.

    A project made here hides predictions from annotators (:func:`create_project`).

    Parameters
    ----------
    corpus : the articles to annotate (tasks carry their article id)
    title : the new project's title (at least 3 characters); default from the taxonomy name
    project : an existing project to add the tasks to instead of creating one
    predictions : model predictions, imported as pre-annotations
    mentions : facets that get span labels (config and alias pre-annotations)
    progress : called with the number of tasks sent after each batch
    """
    tasks = make_tasks(corpus, predictions=predictions, mentions=mentions, only_unlabeled=only_unlabeled)
    return _import_tasks(corpus, tasks, url=url, token=token, title=title, project=project, mentions=mentions,
                         batch_size=batch_size, progress=progress)


def create_project(client, corpus: Corpus, *, url: str, title: str | None = None, mentions: Sequence[str] = ()) -> int:
    """Create a project with the taxonomy's labeling config; returns its id.

    Annotators do not see model predictions in it (``show_collab_predictions`` off): predictions are
    stored for ranking and review, and a project's owner may turn them on in its settings. newstag
    never changes that setting of a project it did not create.
    """
    taxonomy = corpus.taxonomy
    title = title or f"newstag {taxonomy.name} v{taxonomy.version}"
    if len(title.strip()) < 3:
        raise LabelStudioError(f"project title {title!r} is too short: Label Studio needs at least 3 characters.")
    with _errors(url, "create a project"):
        config = labeling_config(taxonomy, mentions=mentions)
        return int(client.projects.create(title=title.strip(), label_config=config, show_collab_predictions=False).id)


def _import_tasks(corpus: Corpus, tasks: list[dict[str, Any]], *, url: str, token: str, title: str | None,
                  project: int | None, mentions: Sequence[str], batch_size: int,
                  progress: Callable[[int], None] | None) -> PushResult:
    client = connect(url, token)
    if project is None:
        project = create_project(client, corpus, url=url, title=title, mentions=mentions)
    with _errors(url, f"import tasks into project {project}"):
        for start in range(0, len(tasks), batch_size):
            batch = tasks[start:start + batch_size]
            client.projects.import_tasks(id=project, request=batch)
            if progress:
                progress(len(batch))
    return PushResult(url, int(project), len(tasks), sum(len(t.get("predictions", ())) for t in tasks))


def project_article_ids(*, url: str, token: str, project: int, page_size: int = 500) -> set[str]:
    """The ``data.article_id`` of every task already in a project (so a batch never sends one twice)."""
    client = connect(url, token)
    with _errors(url, f"list the tasks of project {project}"):
        return {str(t.data["article_id"]) for t in client.tasks.list(project=project, page_size=page_size)
                if isinstance(getattr(t, "data", None), dict) and t.data.get("article_id")}


def push_batch(corpus: Corpus, batch: "Batch", *, url: str, token: str, project: int | None = None,
               title: str | None = None, mentions: Sequence[str] = (), batch_size: int = 250,
               progress: Callable[[int], None] | None = None) -> PushResult:
    """Import an active-learning batch as tasks, with the model's predictions and why each was chosen.

    Each task's ``data`` is what ``annotate tasks`` writes plus ``newstag_selection`` (the batch's WHY
    record); its predictions are the model's (``model_version`` = the batch's) and, with ``mentions``,
    the alias spans. With ``project`` None a new project is made (predictions hidden from annotators:
    :func:`create_project`); an existing project's settings are left as they are.
    """
    tasks = make_tasks(corpus, mentions=mentions, ids=list(batch.ids))
    for task in tasks:
        aid = task["data"]["article_id"]
        task["data"][SELECTION_FIELD] = dict(batch.why[aid])
        if aid in batch.predictions:
            task["predictions"] = [dict(batch.predictions[aid])] + task.get("predictions", [])
    return _import_tasks(corpus, tasks, url=url, token=token, title=title, project=project, mentions=mentions,
                         batch_size=batch_size, progress=progress)


def annotator_ids(*, url: str, token: str) -> dict[str, str]:
    """Email -> user id (as a string) of every user the server lists."""
    client = connect(url, token)
    with _errors(url, "list users"):
        users = client.users.list()
    return {u.email: str(u.id) for u in users if getattr(u, "email", None)}


# What a JSON export asks Label Studio for (an export snapshot: its quick export gives a task's predictions as ids
# only, and has no option for more): every task, every annotation (ground truth and skipped ones too), and the
# predictions and drafts whole, so that the committed export shows what the model proposed for each task.
_SNAPSHOT = {"task_filter_options": {"only_with_annotations": False},
             "annotation_filter_options": {"usual": True, "ground_truth": True, "skipped": True},
             "serialization_options": {"predictions": {"only_id": False}, "drafts": {"only_id": False},
                                       "annotations__completed_by": {"only_id": True}}}


def download_export(*, url: str, token: str, project: int, fmt: str = "JSON", path: str | Path,
                    timeout: float = 600.0) -> Path:
    """Download a project's export (every task, untouched ones included) to ``path``, atomically.

    ``JSON`` comes from an export snapshot with the predictions and drafts whole (Label Studio's quick export
    gives their ids only); the snapshot is deleted from the server once downloaded. Other formats carry no
    predictions and come from the quick export. ``timeout``: seconds to wait for the snapshot.
    """
    fmt = fmt.upper().replace("-", "_")
    if fmt not in EXPORT_SUFFIX:
        raise LabelStudioError(f"unknown export format {fmt!r}; expected one of {list(EXPORT_SUFFIX)}.")
    client = connect(url, token)
    with _errors(url, f"export project {project} as {fmt}"), atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            if fmt == "JSON":
                _download_snapshot(client, project, fh, timeout)
            else:
                for chunk in client.projects.exports.download_sync(project, export_type=fmt, download_all_tasks=True):
                    fh.write(chunk)
    return Path(path)


def _download_snapshot(client, project: int, fh, timeout: float) -> None:
    import time

    exports = client.projects.exports
    snapshot = exports.create(project, title="newstag export", **_SNAPSHOT)
    try:
        deadline = time.monotonic() + timeout
        while (status := str(exports.get(project, export_pk=snapshot.id).status or "")) != "completed":
            if status == "failed" or time.monotonic() > deadline:
                raise LabelStudioError(
                    f"Label Studio's export of project {project} {'failed' if status == 'failed' else 'took longer than'}"
                    f"{'' if status == 'failed' else f' {timeout:.0f} s'}; see the server log, or export from its web page "
                    f"(Export > JSON) and run `newstag annotate import` on the file.")
            time.sleep(0.2)
        for chunk in exports.download(project, export_pk=snapshot.id, export_type="JSON"):
            fh.write(chunk)
    finally:
        exports.delete(project, export_pk=snapshot.id)


def pull(*, url: str, token: str, project: int, corpus: Corpus | str | Path, fmt: str = "JSON",
         output: str | Path | None = None, strict: bool = False, facets: Iterable[str] | None = None,
         controls: Mapping[str, str] | None = None, save: bool = True) -> PullResult:
    """Download a project's export, keep the raw file, and apply it to the corpus.

    Parameters
    ----------
    corpus : a corpus folder (or a loaded Corpus with a ``path``); saved in place when ``save``
    fmt : ``JSON`` (complete: skips, drafts, ground truth), ``JSON_MIN`` or ``CSV``
    output : where to keep the raw export (default ``CORPUS/annotations/project-ID<suffix>``)
    strict : fail when any record is skipped or unusable (nothing is saved then)
    controls : ``{control: facet}`` for controls not named like their facet (``--map``)

    Annotators are named by user id in every format: the server's user list maps emails to ids.
    """
    if not isinstance(corpus, Corpus):
        corpus = load_corpus(corpus)
    fmt = fmt.upper().replace("-", "_")
    if output is None:
        if corpus.path is None:
            raise LabelStudioError("pass an output path for the export (the corpus has no folder).")
        output = Path(corpus.path) / "annotations" / f"project-{project}{EXPORT_SUFFIX.get(fmt, '.json')}"
    path = download_export(url=url, token=token, project=project, fmt=fmt, path=output)
    new, report = import_annotations(path, corpus, fmt=fmt, strict=strict, facets=facets, controls=controls,
                                     save=save, annotators=annotator_ids(url=url, token=token))
    return PullResult(new, report, path)


@dataclass(frozen=True)
class RefreshResult:
    """What :func:`refresh_predictions` changed: predictions created and deleted, tasks left as they were."""

    project_id: int
    model_version: str
    tasks: int
    created: int
    deleted: int
    already_current: int
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def refresh_predictions(*, url: str, token: str, project: int, model: str | Path | None = None,
                        predictor: Predictor | None = None, keep_versions: Sequence[str] = ("aliases",),
                        strict: bool = False, batch_size: int = 250,
                        progress: Callable[[int], None] | None = None) -> RefreshResult:
    """Replace the predictions on a project's tasks with the current model's.

    Every task gets one prediction of the model's ``model_version`` (tasks that have one already keep it),
    mapped onto the project's own controls (:func:`annotation.mapping.map_label_config`); then the
    predictions of other model versions are deleted, except those of ``keep_versions`` (the alias
    mention spans of ``push --mentions`` by default). New predictions are created before old ones go, so
    an interrupted run leaves every task with a prediction.

    Parameters
    ----------
    model : a model folder (None: the default model); or give a loaded ``predictor``
    strict : fail, before changing anything, when a task has no text (else it is skipped and reported)
    progress : called with the number of tasks predicted after each batch

    Raises
    ------
    ConfigError
        When no control of the project's config maps to a facet of the model's taxonomy.
    ExportError
        With ``strict``, when some tasks have no text.
    LabelStudioError
        When the server refuses or cannot be reached.
    """
    predictor = predictor if predictor is not None else load_predictor(model)
    version = predictor.model_version
    client = connect(url, token)
    with _errors(url, f"read project {project}"):
        config_xml = client.projects.get(id=project).label_config
        tasks = [(t.id, t.data) for t in client.tasks.list(project=project, page_size=500)]
        existing = client.predictions.list(project=project)
    config = map_label_config(config_xml, predictor.taxonomy, where=f"project {project} at {url}")
    current = {p.task for p in existing if p.model_version == version}
    todo, texts, skipped = [], [], []
    for tid, data in tasks:
        if tid in current:
            continue
        try:
            texts.append(task_text(data, config.text_field, where=f"project {project}, task {tid}"))
            todo.append(tid)
        except ValueError as exc:
            skipped.append(str(exc))
    if skipped and strict:
        raise ExportError(f"{len(skipped)} task(s) of project {project} have no text (--strict), e.g. {skipped[0]}")
    created = 0
    for start in range(0, len(todo), batch_size):
        ids, batch = todo[start:start + batch_size], texts[start:start + batch_size]
        preds = ls_predictions(predictor.predict(batch), config, model_version=version)
        request = [{"task": tid, **p} for tid, p in zip(ids, preds) if p["result"]]
        if request:
            with _errors(url, f"create predictions in project {project}"):
                client.projects.import_predictions(id=project, request=request)
        created += len(request)
        if progress:
            progress(len(ids))
    stale = [p.id for p in existing if p.model_version != version and p.model_version not in set(keep_versions)]
    with _errors(url, f"delete old predictions in project {project}"):
        for pid in stale:
            client.predictions.delete(id=pid)
    return RefreshResult(int(project), version, len(tasks), created, len(stale), len(current), skipped,
                         config.notes())
