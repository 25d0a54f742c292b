"""Where the default model is: the one lookup shared by ``Tagger.load()``, every ``--model`` default and
``newstag --version``.

Without an explicit path the model is, in this order:

1. ``$NEWSTAG_MODEL`` (a model folder or ``.skops`` file; it must exist when set),
2. ``./models/default`` in the current folder, when it exists (what ``make main`` trains),
3. the bundled default model, package data of ``classifier`` (``classifier/bundled/``).

The lookup lives here, in ``corpus``, because the root command (``newstag --version``) needs it and must
not import ``classifier``; it finds the bundled folder with :func:`importlib.util.find_spec`, which locates
the package without importing it. Only files are read (the model card JSON), never the model itself.
"""

from __future__ import annotations

__all__ = ["ModelSource", "find_model", "model_output_path", "bundled_model_path", "model_version",
           "MODEL_ENV", "LOCAL_MODEL", "MODEL_FILE", "CARD_JSON"]

import json
import os
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from .atomic import file_sha256
from .errors import CorpusError, NewstagError

MODEL_ENV = "NEWSTAG_MODEL"
LOCAL_MODEL = Path("models") / "default"
MODEL_FILE = "model.skops"
CARD_JSON = "model_card.json"
BUNDLE_PACKAGE, BUNDLE_FOLDER = "classifier", "bundled"

_KINDS = {
    "path": "{path}",
    "env": "${env} = {path}",
    "local": "local model {path}",
    "bundled": "bundled default model",
}


@dataclass(frozen=True)
class ModelSource:
    """A model the lookup found: where it is and why it was chosen.

    Attributes
    ----------
    kind : "path" (given explicitly), "env" ($NEWSTAG_MODEL), "local" (./models/default) or "bundled"
    path : the model folder (or ``.skops`` file)
    """

    kind: str
    path: Path

    @property
    def folder(self) -> Path:
        """The model folder (the file's folder when ``path`` names a ``.skops`` file)."""
        return self.path if self.path.is_dir() or self.path.suffix != ".skops" else self.path.parent

    def describe(self) -> str:
        """Which model this is, in words: ``bundled default model``, ``$NEWSTAG_MODEL = DIR``, ..."""
        return _KINDS[self.kind].format(path=self.path, env=MODEL_ENV)

    def card(self) -> dict[str, Any] | None:
        """The model card (``model_card.json``) as a dict, or None when the folder has no readable card."""
        try:
            card = json.loads((self.folder / CARD_JSON).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return card if isinstance(card, dict) else None

    def version(self) -> str:
        """The model's version: the first 12 hex digits of its model file's SHA-256 (see :func:`model_version`)."""
        return model_version(self.path)

    def summary(self) -> str:
        """One line for people: ``bundled default model (newstag 0.1.0, model_version abc123, trained on ...)``."""
        card = self.card() or {}
        parts = []
        newstag = (card.get("versions") or {}).get("newstag")
        if newstag:
            parts.append(f"newstag {newstag}")
        try:
            parts.append(f"model_version {self.version()}")
        except OSError:
            parts.append("model_version unknown")
        data = training_data(card)
        if data:
            parts.append(f"trained on {data}")
        return f"{self.describe()} ({', '.join(parts)})"


def training_data(card: dict[str, Any]) -> str:
    """What a model card says about the training data, in one phrase ("" when it says nothing): article
    count, the corpora and licence when the card names them, the corpus fingerprint."""
    t = card.get("training") if isinstance(card.get("training"), dict) else {}
    data = card.get("training_data") if isinstance(card.get("training_data"), dict) else {}
    words = [f"{t['articles']} articles"] if t.get("articles") is not None else []
    corpora = data.get("corpora") or t.get("corpora")
    folders = data.get("folders")
    if not corpora and isinstance(folders, list):  # the model card's source folders, each with its licence
        corpora = [f"{f.get('folder')} ({', '.join(str(x) for x in (f.get('articles'), f.get('licence')) if x)})"
                   for f in folders if isinstance(f, dict)]
    if isinstance(corpora, (list, tuple)) and corpora:
        words.append("of " + ", ".join(c if isinstance(c, str) else str(c.get("name", c)) for c in corpora))
    extra = []
    if t.get("corpus_fingerprint"):
        extra.append(f"corpus {str(t['corpus_fingerprint'])[:12]}")
    licence = data.get("licence") or data.get("license") or t.get("licence") or t.get("license")
    if licence:
        extra.append(f"licence {licence}")
    if extra:
        words.append(f"({', '.join(extra)})")
    return " ".join(words)


def model_version(path: str | Path) -> str:
    """A model's version: the first 12 hex digits of its model file's SHA-256 (from the card, else hashed),
    so every retrained model has a new one. What Label Studio shows as ``model_version``."""
    path = Path(path)
    folder = path if path.is_dir() else path.parent
    try:
        card = json.loads((folder / CARD_JSON).read_text(encoding="utf-8"))
        return card["model_file"]["sha256"][:12]
    except (OSError, ValueError, KeyError, TypeError):
        file = path if path.is_file() else folder / MODEL_FILE
        return file_sha256(file)[:12]


def bundled_model_path() -> Path | None:
    """The bundled default model's folder (``classifier/bundled``), or None when this install has none
    (a source checkout before ``make bundle-model``)."""
    spec = find_spec(BUNDLE_PACKAGE)
    for location in (spec.submodule_search_locations or []) if spec is not None else []:
        folder = Path(location) / BUNDLE_FOLDER
        if (folder / MODEL_FILE).is_file():
            return folder
    return None


def model_output_path() -> Path:
    """Where ``newstag train`` writes without ``-o``: ``$NEWSTAG_MODEL``, else ``./models/default``."""
    env = os.environ.get(MODEL_ENV)
    return Path(env) if env else LOCAL_MODEL


def find_model(path: str | Path | None = None, *, error: type[NewstagError] = CorpusError) -> ModelSource:
    """Find the model to load: ``path`` when given, else ``$NEWSTAG_MODEL``, else ``./models/default`` when it
    exists, else the bundled default model.

    Parameters
    ----------
    path : a model folder or ``.skops`` file; None runs the lookup (whether it exists is checked on loading)
    error : the exception class to raise (``classifier`` passes its ModelNotFoundError)

    Raises
    ------
    error
        When ``$NEWSTAG_MODEL`` names nothing, or the lookup finds no model at all; the message says what a
        pip user and a repository user can do.
    """
    if path is not None:
        return ModelSource("path", Path(path))
    env = os.environ.get(MODEL_ENV)
    if env:
        if not Path(env).exists():
            raise error(f"${MODEL_ENV} is set to {env}, but there is no model there. Point it at a model folder "
                        f"(one `newstag train -o DIR` wrote), or unset it to use ./{LOCAL_MODEL.as_posix()} or the "
                        f"bundled default model.")
        return ModelSource("env", Path(env))
    if LOCAL_MODEL.exists():  # a broken local model is an error to see, not a reason to load another
        return ModelSource("local", LOCAL_MODEL)
    bundled = bundled_model_path()
    if bundled is not None:
        return ModelSource("bundled", bundled)
    raise error(
        f"no model found: ${MODEL_ENV} is not set, there is no ./{LOCAL_MODEL.as_posix()} here, and this install "
        f"has no bundled default model. Installed with pip: reinstall newstag from its wheel (it carries the "
        f"model), or train one with `newstag train --corpus DIR -o models/default`. In the repository: run "
        f"`make main` (it trains models/default), then `make bundle-model` to bundle it."
    )
