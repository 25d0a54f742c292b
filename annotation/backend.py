"""The model behind Label Studio's ML backend protocol: predictions, annotations learnt, retraining.

:class:`Backend` answers what Label Studio 1.23 asks an ML backend (the HTTP layer, ``annotation._http``,
only parses requests and turns errors into JSON); ``newstag annotate backend`` serves it:

- ``health()`` -> ``{"status": "UP", "model_version": ...}`` (plus training state);
- ``setup(payload)`` -> ``{"model_version": ...}``; the project's config (``schema``) must map to a facet;
- ``predict(payload)`` -> ``{"results": [{"result", "score", "model_version"}, ...]}``, one per task, in
  order (:func:`annotation.predictions.ls_predictions` on the project's controls);
- ``webhook(payload)``: ``ANNOTATION_CREATED`` / ``ANNOTATIONS_CREATED`` / ``ANNOTATION_UPDATED`` store the
  annotation (its task's text and the labels its result holds) in ``STATE_DIR/annotations.jsonl``;
  ``ANNOTATIONS_DELETED`` forgets them; ``START_TRAINING`` (Label Studio's "Start training") retrains;
  after ``retrain_after`` new annotations a retrain starts by itself;
- ``train(payload)``: the older ``/train`` call, with every annotated task in the payload.

A retrain runs in a background thread: the provider fits a new model on the base corpus's labeled
articles plus the stored annotations (the last one of each task; a task whose ``article_id`` is a corpus
article replaces that article's labels) and saves it into ``STATE_DIR/models/<model_version>``. The new
model replaces the old one by one reference assignment under a lock; ``predict`` only reads that
reference, so it never waits for a retrain. An annotation that cannot be used (cancelled, a choice that
stands for no label, a task without text) is not stored; it is logged and counted in ``health()``.
"""

from __future__ import annotations

__all__ = ["Backend", "AnnotationStore"]

import json
import logging
import os
import threading
import time
from collections import Counter, deque
from pathlib import Path
from typing import Any, Iterable, Mapping

from corpus import InputError

from .config import labeling_config
from .errors import BackendError, ConfigError
from .mapping import ConfigMap, map_label_config, task_text
from .predictions import ls_predictions
from .predictor import Predictor

log = logging.getLogger("newstag.backend")
LEARN_EVENTS = ("ANNOTATION_CREATED", "ANNOTATIONS_CREATED", "ANNOTATION_UPDATED")


class AnnotationStore:
    """The annotations a backend has learnt, as JSON lines (one record or deletion per line, appended).

    A record: ``{"key": "PROJECT/TASK", "annotation": id, "article_id", "text", "labels", "at"}``; a
    deletion: ``{"deleted": annotation id}``. :meth:`latest` gives the last record of each task, in key
    order (so the same events give the same training set). A line that cannot be read (a write cut by a
    crash) is reported in ``errors`` and left out.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.errors: list[str] = []
        self._records: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        if self.path.is_file():
            with open(self.path, encoding="utf-8") as fh:
                for n, line in enumerate(fh, 1):
                    if not line.strip():
                        continue
                    try:
                        self._apply(json.loads(line))
                    except (ValueError, KeyError, TypeError) as exc:
                        self.errors.append(f"{self.path}, line {n}: unreadable ({exc}); left out")
            for e in self.errors:
                log.warning(e)

    def _apply(self, rec: Mapping[str, Any]) -> None:
        if "deleted" in rec:
            gone = [k for k, r in self._records.items() if r["annotation"] == rec["deleted"]]
            for k in gone:
                del self._records[k]
        else:
            self._records[str(rec["key"])] = dict(rec)

    def _append(self, recs: Iterable[Mapping[str, Any]]) -> None:
        lines = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in recs)
        if not lines:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(lines)
            fh.flush()
            os.fsync(fh.fileno())

    def add(self, records: list[dict[str, Any]]) -> None:
        with self._lock:
            self._append(records)
            for r in records:
                self._apply(r)

    def delete(self, annotation_ids: Iterable[Any]) -> int:
        with self._lock:
            ids = {a for a in annotation_ids}
            known = sum(1 for r in self._records.values() if r["annotation"] in ids)
            self._append({"deleted": a} for a in sorted(ids, key=str))
            for a in ids:
                self._apply({"deleted": a})
            return known

    def latest(self) -> list[dict[str, Any]]:
        with self._lock:
            return [self._records[k] for k in sorted(self._records)]

    def __len__(self) -> int:
        return len(self._records)


class Backend:
    """A model served to Label Studio (see the module docstring).

    Parameters
    ----------
    predictor : the model (:func:`annotation.load_predictor`)
    state_dir : the backend's own folder: ``annotations.jsonl`` and ``models/``
    corpus : the base corpus folder retrains start from (None: the annotations alone)
    retrain_after : retrain after this many new annotations (0: only on ``START_TRAINING``)
    """

    def __init__(self, predictor: Predictor, *, state_dir: str | Path, corpus: str | Path | None = None,
                 retrain_after: int = 0):
        if retrain_after < 0:
            raise InputError(f"retrain_after must be 0 (never by count) or a positive number, got {retrain_after}.")
        self.state_dir = Path(state_dir)
        self.models_dir = self.state_dir / "models"
        self.corpus = None if corpus is None else str(corpus)
        self.retrain_after = retrain_after
        self.store = AnnotationStore(self.state_dir / "annotations.jsonl")
        self._predictor = predictor
        self._lock = threading.Lock()
        self._configs: dict[str, ConfigMap] = {}
        self._versions = [predictor.model_version]
        self._pending = 0
        self._training = False
        self._again = False
        self._thread: threading.Thread | None = None
        self.last_training: dict[str, Any] | None = None
        self.skipped: Counter[str] = Counter()
        self.recent_skips: deque[str] = deque(maxlen=50)

    # ---- the model -------------------------------------------------------------------------------

    @property
    def predictor(self) -> Predictor:
        with self._lock:
            return self._predictor

    @property
    def model_version(self) -> str:
        return self.predictor.model_version

    @property
    def training(self) -> bool:
        with self._lock:
            return self._training

    def config_map(self, label_config: Any, where: str) -> ConfigMap:
        """The project's controls (cached per config); the generated config's when none is given."""
        taxonomy = self.predictor.taxonomy
        if label_config is None:
            label_config = labeling_config(taxonomy)
        if not isinstance(label_config, str):
            raise BackendError(f"{where}: 'label_config' must be the project's XML string, got "
                               f"{type(label_config).__name__}.")
        key = f"{taxonomy.hash}:{label_config}"
        with self._lock:
            found = self._configs.get(key)
        if found is None:
            try:
                found = map_label_config(label_config, taxonomy, where=where)
            except ConfigError as exc:
                raise BackendError(str(exc), status=422) from None
            for note in found.notes():
                log.info("%s: %s", where, note)
            with self._lock:
                if len(self._configs) >= 64:
                    self._configs.clear()
                self._configs[key] = found
        return found

    # ---- the protocol ----------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        with self._lock:
            return {"status": "UP", "model_version": self._predictor.model_version, "model_class": "newstag",
                    "training": self._training, "annotations": len(self.store), "pending": self._pending,
                    "retrain_after": self.retrain_after, "last_training": self.last_training,
                    "skipped": dict(self.skipped), "store_errors": len(self.store.errors)}

    def versions(self) -> dict[str, Any]:
        with self._lock:
            return {"versions": list(reversed(self._versions))}

    def setup(self, payload: Any) -> dict[str, Any]:
        payload = _object(payload, "/setup")
        where = f"/setup, project {payload.get('project')}"
        if payload.get("schema") is not None:
            self.config_map(payload.get("schema"), where)
        return {"model_version": self.model_version}

    def predict(self, payload: Any) -> dict[str, Any]:
        payload = _object(payload, "/predict")
        project = payload.get("project")
        tasks = payload.get("tasks")
        if not isinstance(tasks, list):
            raise BackendError(f"/predict, project {project}: 'tasks' must be a list of tasks "
                               f"({{'id', 'data': {{'text': ...}}}}), got {type(tasks).__name__}.")
        config = self.config_map(payload.get("label_config"), f"/predict, project {project}")
        texts = []
        for n, task in enumerate(tasks):
            where = f"/predict, project {project}, task {n}" + (
                f" (id {task.get('id')})" if isinstance(task, Mapping) and task.get("id") is not None else "")
            if not isinstance(task, Mapping):
                raise BackendError(f"{where}: expected a task object, got {type(task).__name__}.")
            try:
                texts.append(task_text(task.get("data"), config.text_field, where=where))
            except InputError as exc:
                raise BackendError(str(exc)) from None
        predictor = self.predictor  # one model for the whole request, even if a retrain swaps one in now
        scores = predictor.predict(texts) if texts else {}
        return {"results": ls_predictions(scores, config, model_version=predictor.model_version) if texts else [],
                "model_version": predictor.model_version}

    def webhook(self, payload: Any) -> dict[str, Any]:
        payload = _object(payload, "/webhook")
        action = payload.get("action")
        if action == "START_TRAINING":
            return {"status": "training" if self.start_training() else "already training",
                    "model_version": self.model_version}
        if action == "ANNOTATIONS_DELETED":
            gone = payload.get("annotations") or []
            ids = [a.get("id") for a in gone if isinstance(a, Mapping) and a.get("id") is not None]
            return {"status": "ok", "forgotten": self.store.delete(ids)}
        if action not in LEARN_EVENTS:
            return {"status": "ignored", "action": action}
        project = payload.get("project") if isinstance(payload.get("project"), Mapping) else {}
        where = f"/webhook {action}, project {project.get('id')}"
        config = self.config_map(project.get("label_config"), where)
        anns = payload.get("annotation")
        anns = anns if isinstance(anns, list) else [anns]
        tasks = payload.get("task")
        tasks = tasks if isinstance(tasks, list) else [tasks]
        by_id = {t.get("id"): t for t in tasks if isinstance(t, Mapping)}
        records = []
        for n, ann in enumerate(anns):
            if not isinstance(ann, Mapping):
                self._skip("malformed", f"{where}: annotation {n} is not an object ({type(ann).__name__})")
                continue
            tid = ann.get("task")
            tid = tid.get("id") if isinstance(tid, Mapping) else tid
            task = by_id.get(tid) or (tasks[n] if n < len(tasks) and isinstance(tasks[n], Mapping) else None)
            rec = self._record(ann, task, project.get("id"), config, f"{where}, task {tid}, annotation {ann.get('id')}")
            if rec is not None:
                records.append(rec)
        self.store.add(records)
        with self._lock:
            self._pending += len(records)
            due = bool(records) and self.retrain_after > 0 and self._pending >= self.retrain_after
        started = self.start_training() if due else False
        return {"status": "ok", "learnt": len(records), "skipped": len(anns) - len(records),
                "training": started or self.training}

    def train(self, payload: Any) -> dict[str, Any]:
        """Label Studio's older ``/train``: every annotated task in ``annotations``; store them, retrain."""
        payload = _object(payload, "/train")
        where = f"/train, project {payload.get('project')}"
        config = self.config_map(payload.get("label_config"), where)
        tasks = payload.get("annotations")
        if not isinstance(tasks, list):
            raise BackendError(f"{where}: 'annotations' must be a list of tasks with their annotations, "
                               f"got {type(tasks).__name__}.")
        project = str(payload.get("project", "")).split(".", 1)[0] or None
        records = []
        for task in tasks:
            if not isinstance(task, Mapping):
                continue
            for ann in task.get("annotations") or []:
                if isinstance(ann, Mapping):
                    rec = self._record(ann, task, project, config, f"{where}, task {task.get('id')}, "
                                                                   f"annotation {ann.get('id')}")
                    if rec is not None:
                        records.append(rec)
        self.store.add(records)
        return {"status": "training" if self.start_training() else "already training", "learnt": len(records)}

    # ---- learning --------------------------------------------------------------------------------

    def _skip(self, kind: str, message: str) -> None:
        log.warning("annotation not learnt: %s", message)
        with self._lock:
            self.skipped[kind] += 1
            self.recent_skips.append(message)

    def _record(self, ann: Mapping[str, Any], task: Any, project: Any, config: ConfigMap,
                where: str) -> dict[str, Any] | None:
        if ann.get("was_cancelled"):
            self._skip("cancelled", f"{where}: skipped by the annotator")
            return None
        if not isinstance(task, Mapping):
            self._skip("no task", f"{where}: the payload has no task for it")
            return None
        try:
            labels = config.read_result(ann.get("result") or [], where)
            text = task_text(task.get("data"), config.text_field, where=where)
        except InputError as exc:
            self._skip("unusable", str(exc))
            return None
        if not any(v for v in labels.values()):
            self._skip("no labels", f"{where}: the result holds no choice of a facet")
            return None
        data = task.get("data") or {}
        aid = data.get("article_id") if isinstance(data.get("article_id"), str) else None
        return {"key": f"{project}/{task.get('id')}", "annotation": ann.get("id"), "article_id": aid,
                "text": text, "labels": labels, "at": ann.get("updated_at") or ann.get("created_at")}

    def start_training(self) -> bool:
        """Start a retrain in the background; False when one runs already (it runs once more after)."""
        with self._lock:
            if self._training:
                self._again = True
                return False
            self._training = True
            self._thread = threading.Thread(target=self._train_loop, name="newstag-retrain", daemon=True)
            self._thread.start()
            return True

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until no retrain runs; False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._lock:
                thread = self._thread if self._training else None
            if thread is None:
                return True
            thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
            if deadline is not None and time.monotonic() >= deadline and thread.is_alive():
                return False

    def _train_loop(self) -> None:
        while True:
            with self._lock:
                self._pending, self._again = 0, False
                predictor = self._predictor
            records = self.store.latest()
            started = time.time()
            info: dict[str, Any] = {"started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
                                    "annotations": len(records), "from_version": predictor.model_version}
            try:
                new = predictor.retrain([r["text"] for r in records], [r["labels"] for r in records],
                                        ids=[r.get("article_id") for r in records], models_dir=self.models_dir,
                                        corpus=self.corpus)
                info.update(model_version=new.model_version, model=new.source, error=None)
                log.info("retrained on %d annotations in %.1f s: model_version %s -> %s", len(records),
                         time.time() - started, predictor.model_version, new.model_version)
            except Exception as exc:  # the old model keeps serving; the error is reported in health()
                new = None
                info.update(model_version=predictor.model_version, error=f"{type(exc).__name__}: {exc}")
                log.error("retrain failed, the model stays %s: %s", predictor.model_version, info["error"])
            info["seconds"] = round(time.time() - started, 3)
            with self._lock:
                if new is not None:
                    self._predictor = new  # the swap: one reference assignment under the lock
                    if new.model_version not in self._versions:
                        self._versions.append(new.model_version)
                self.last_training = info
                if not self._again:
                    self._training = False
                    return


def _object(payload: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(payload, Mapping):
        raise BackendError(f"{where}: expected a JSON object, got {type(payload).__name__}.")
    return payload

