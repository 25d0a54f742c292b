"""The articles of an export's tasks: build a corpus from them, or find them in an existing corpus.

A task's ``data`` becomes an article (:func:`task_article`):

- text: the ``text_field`` (default: the first of ``text``, ``body``, ``content``, ``html``); HTML markup
  (a ``HyperText`` field) is reduced to its text, paragraph by paragraph;
- title: the ``title_field`` (default: ``title``, else ``headline``);
- source id, the task's own id kept beside newstag's: the ``id_field`` (default: the first non-empty of
  ``source_id``, ``id``, ``article_id``), else the ``url``;
- ``url``, ``section``, ``date``, ``source``, ``tags`` as in a JSON Lines record; ``article_id`` and
  ``group_id`` (newstag's own task fields) are dropped; every other field is kept in the article's
  ``meta`` (values as text, nested objects and lists as canonical JSON), so that the JSON, JSON_MIN,
  CSV and TSV exports of one project give the same articles.

Field names may be dotted paths into nested data (``article.body``). Matching tasks to a corpus
(:func:`match_tasks`): ``data.article_id`` when it is a corpus id, else the source id when exactly one
article carries it, else the fingerprint of the task's text (the article id it would get).
"""

from __future__ import annotations

__all__ = ["TaskFields", "task_article", "task_articles", "corpus_from_export", "match_tasks"]

import json
from dataclasses import dataclass
from typing import Any, Mapping

from corpus import (Article, Corpus, InputError, Taxonomy, article_id, from_articles, html_text, looks_like_html,
                    record_article)

from ._records import Export, Skipped

TEXT_FIELDS = ("text", "body", "content", "html")
TITLE_FIELDS = ("title", "headline")
ID_FIELDS = ("source_id", "id", "article_id")
_ARTICLE_FIELDS = ("url", "section", "date", "source", "tags")
_NEWSTAG_FIELDS = ("article_id", "group_id", "source_id")
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode


@dataclass(frozen=True)
class TaskFields:
    """Which task data fields hold the text, the title and the task's own id (None: the defaults)."""

    text: str | None = None
    title: str | None = None
    id: str | None = None


def _get(data: Mapping[str, Any], name: str) -> Any:
    """A field, or a dotted path into nested objects (``article.body``)."""
    if name in data or "." not in name:
        return data.get(name)
    value: Any = data
    for part in name.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return _CANONICAL(value)
    return str(value)


def _first(data: Mapping[str, Any], given: str | None, defaults: tuple[str, ...]) -> tuple[str | None, Any]:
    for name in (given,) if given else defaults:
        value = _get(data, name)
        if value not in (None, ""):
            return name, value
    return None, None


def task_article(data: Mapping[str, Any], fields: TaskFields = TaskFields(), where: str = "task", *,
                 with_id: bool = False, **changes: Any) -> Article:
    """The article of one task's ``data`` (rules in the module docstring), with ``changes`` to any other
    :class:`~corpus.Article` field; ``id`` is left to the corpus unless ``with_id`` (:func:`corpus.article_id`).

    Raises
    ------
    InputError
        When the text field is absent or empty, naming the fields the task has.
    """
    if not isinstance(data, Mapping):
        raise InputError(f"{where}: task data must be an object, got {type(data).__name__}.")
    text_name, text = _first(data, fields.text, TEXT_FIELDS)
    if text_name is None or not _text(text).strip():
        wanted = repr(fields.text) if fields.text else f"one of {list(TEXT_FIELDS)}"
        raise InputError(f"{where}: no article text: expected {wanted} in the task data, found fields "
                         f"{sorted(map(str, data))[:12]}. Name the field that holds the text with --text-field.")
    raw = text = _text(text)
    if looks_like_html(text):
        text = html_text(text) or text
    title_name, title = _first(data, fields.title, TITLE_FIELDS)
    id_name, own_id = _first(data, fields.id, ID_FIELDS)
    record = {k: _text(_get(data, k)) for k in _ARTICLE_FIELDS if _get(data, k) not in (None, "")}
    if isinstance(_get(data, "tags"), list):
        record["tags"] = [str(t) for t in data["tags"]]
    record.update(text=text, title=_text(title), id=_text(own_id))
    used = {text_name, title_name, id_name, *_ARTICLE_FIELDS, *_NEWSTAG_FIELDS}
    meta = {str(k): _text(v) for k, v in data.items() if k not in used and v not in (None, "")}
    a = record_article(record, where)
    if with_id:
        changes["id"] = article_id(a.title, a.body)
    return a.with_changes(meta=meta, raw=raw, **changes)


def task_articles(export: Export, fields: TaskFields = TaskFields()
                  ) -> tuple[dict[int | str, Article], list[Skipped]]:
    """Each task's article (with its id), and a ``no_text`` entry for every task that has no text."""
    out: dict[int | str, Article] = {}
    skipped = []
    for task_id, data in export.task_data.items():
        where = f"annotation export {export.path!r}, task {task_id}"
        try:
            out[task_id] = task_article(data, fields, where, with_id=True, origin=f"{export.path}, task {task_id}")
        except InputError as exc:
            skipped.append(Skipped("no_text", f"{export.path}, task {task_id}", task_id, None, None,
                                   str(exc).removeprefix(f"{where}: ")))
    return out, skipped


def corpus_from_export(export: Export, taxonomy: Taxonomy, fields: TaskFields = TaskFields(), *,
                       taxonomy_text: str | None = None) -> tuple[Corpus, dict[int | str, str], list[Skipped]]:
    """A new (unlabeled) corpus of the export's task articles, each task's article id, and the tasks
    without text (``no_text``). Exact duplicates merge, near-duplicates are grouped, as in any build."""
    arts, skipped = task_articles(export, fields)
    corpus = from_articles(arts.values(), taxonomy, taxonomy_text=taxonomy_text)
    return corpus, {t: a.id for t, a in arts.items()}, skipped


def match_tasks(export: Export, corpus: Corpus, fields: TaskFields = TaskFields()
                ) -> tuple[dict[int | str, str], list[int | str]]:
    """Each task's article in ``corpus`` (rules in the module docstring), and the tasks that match none."""
    cols = corpus.dataset.select_columns(["id", "source_id"]).to_dict()
    ids = set(cols["id"])
    by_source: dict[str, list[str]] = {}
    for aid, sid in zip(cols["id"], cols["source_id"]):
        if sid:
            by_source.setdefault(sid, []).append(aid)
    found: dict[int | str, str] = {}
    unmatched = []
    for task_id, data in export.task_data.items():
        own = _text(data.get("article_id")) if isinstance(data, Mapping) else ""
        if own in ids:
            found[task_id] = own
            continue
        try:
            a = task_article(data, fields)
        except InputError:
            a = None
        candidates = by_source.get(a.source_id, ()) if a is not None and a.source_id else ()
        if len(candidates) == 1:
            found[task_id] = candidates[0]
            continue
        aid = article_id(a.title, a.body) if a is not None else None
        if aid in ids:
            found[task_id] = aid
        else:
            unmatched.append(task_id)
    return found, unmatched
