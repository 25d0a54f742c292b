"""Talk to a running Label Studio with label-studio-sdk: push tasks, pull exports.

``label_studio_sdk`` is imported inside the functions (it pulls in ~500 MB of dependencies), so the
rest of the package, and the command line's other sub-commands, load without it.
"""

from __future__ import annotations

__all__ = ["PushResult", "PullResult", "connect", "push", "pull", "download_export", "annotator_ids"]

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, Sequence

from corpus import Corpus
from corpus.atomic import atomic_path
from corpus import load as load_corpus

from .config import labeling_config
from .consensus import ImportReport, import_annotations
from .errors import LabelStudioError
from .tasks import Predictions, make_tasks

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

    Parameters
    ----------
    corpus : the articles to annotate (tasks carry their article id)
    title : the new project's title (at least 3 characters); default from the taxonomy name
    project : an existing project to add the tasks to instead of creating one
    predictions : model predictions, imported as pre-annotations
    mentions : facets that get span labels (config and alias pre-annotations)
    progress : called with the number of tasks sent after each batch
    """
    taxonomy = corpus.taxonomy
    tasks = make_tasks(corpus, predictions=predictions, mentions=mentions, only_unlabeled=only_unlabeled)
    client = connect(url, token)
    if project is None:
        title = title or f"newstag {taxonomy.name} v{taxonomy.version}"
        if len(title.strip()) < 3:
            raise LabelStudioError(f"project title {title!r} is too short: Label Studio needs at least 3 characters.")
        with _errors(url, "create a project"):
            project = client.projects.create(title=title.strip(), label_config=labeling_config(
                taxonomy, mentions=mentions)).id
    with _errors(url, f"import tasks into project {project}"):
        for start in range(0, len(tasks), batch_size):
            batch = tasks[start:start + batch_size]
            client.projects.import_tasks(id=project, request=batch)
            if progress:
                progress(len(batch))
    return PushResult(url, int(project), len(tasks), sum(len(t.get("predictions", ())) for t in tasks))


def annotator_ids(*, url: str, token: str) -> dict[str, str]:
    """Email -> user id (as a string) of every user the server lists."""
    client = connect(url, token)
    with _errors(url, "list users"):
        users = client.users.list()
    return {u.email: str(u.id) for u in users if getattr(u, "email", None)}


def download_export(*, url: str, token: str, project: int, fmt: str = "JSON", path: str | Path) -> Path:
    """Download a project's export (every task, untouched ones included) to ``path``, atomically."""
    fmt = fmt.upper().replace("-", "_")
    if fmt not in EXPORT_SUFFIX:
        raise LabelStudioError(f"unknown export format {fmt!r}; expected one of {list(EXPORT_SUFFIX)}.")
    client = connect(url, token)
    with _errors(url, f"export project {project} as {fmt}"), atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            for chunk in client.projects.exports.download_sync(project, export_type=fmt, download_all_tasks=True):
                fh.write(chunk)
    return Path(path)


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
