"""A test-only adapter that lets scikit-learn's estimator checks reach newstag's text estimators.

The checks feed numeric 2-D arrays; ``AliasFeatures``, ``AliasRuleClassifier`` and the ``Tagger`` read
texts (and declare it: ``input_tags.string``), so scikit-learn would run none of its checks on them.
:func:`rows_as_text` makes a subclass of an estimator that

1. validates ``X`` as scikit-learn's own estimators do (``validate_data``: a finite numeric 2-D array,
   ``n_features_in_`` set at fit and checked after);
2. turns each row into a text, deterministically: column ``j`` with value ``v`` becomes
   ``min(round(|v|), 10)`` times the word ``words[j % len(words)]`` (the alias estimators: their
   labels' first names, so rows become mentions of the labels; PlaceFeatures: place names; the Tagger: ``w<j>`` for a positive
   value, ``m<j>`` for a negative one), in column order, in one paragraph (no title);
3. passes the target on: the Tagger gets each value as its label id ``str(int(v))`` in a one-facet
   taxonomy whose labels are ``0`` to ``9`` (``tests/classifier/data/check_taxonomy.toml``: a plain list
   of labels, a shape ``Tagger.fit`` accepts for a one-facet taxonomy); AliasFeatures gets ``y`` as it
   came (it ignores it); AliasRuleClassifier, which learns nothing from ``y`` and refuses a ``y`` that
   is not an indicator matrix with one column per alias label, is fitted without it (``fit(X)``, as a
   user does) unless ``y`` is such a matrix — so the classifier checks that expect it to learn the
   checks' classes fail, and are xfailed with that reason;
4. calls the estimator's own method on those texts and returns what it returns, unchanged. A list of
   texts passes through as it is, so the estimator's methods can call each other (``score`` calls
   ``predict``); ``fit_transform`` is ``fit`` then ``transform``, as in ``TransformerMixin``.

What that means for the counts in docs/sklearn.md: the checks of input validation (NaN and inf, complex
data, empty data, 1-d X, sparse X, object dtype, the number of features after fit) exercise step 1 —
the adapter, not the estimator, which validates texts, not arrays. Every other check (parameters, clone,
repr, fit returning self and not changing parameters, determinism, pickling, sample order and subset
invariance, fit twice, readonly memmaps, pipelines, outputs) exercises the estimator's own code.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.utils import TransformerTags
from sklearn.utils.validation import validate_data

CHECK_TAXONOMY = Path(__file__).resolve().parent / "data" / "check_taxonomy.toml"
MAX_MENTIONS = 10


def row_text(row: np.ndarray, words: list[str], negative: list[str] | None = None) -> str:
    """One row as a text: each value as repetitions of its column's word (see the module docstring)."""
    parts = []
    for j, v in enumerate(row.tolist()):
        word = (negative if negative is not None and v < 0 else words)[j % len(words)]
        parts += [word] * min(int(round(abs(v))), MAX_MENTIONS)
    return " ".join(parts)


def rows_as_text(cls, words=None):
    """A subclass of ``cls`` that reads numeric rows as texts (see the module docstring).

    ``words``: the word of each column (cycled); None for the Tagger's ``w<j>`` / ``m<j>``.
    """

    class Adapter(cls):
        def __sklearn_tags__(self):
            tags = super().__sklearn_tags__()
            tags.input_tags.two_d_array = True
            tags.input_tags.string = False
            tags._skip_test = False  # scikit-learn's own vectorizers skip its checks; ours are checked here
            if tags.transformer_tags is None and hasattr(cls, "transform"):  # TfidfVectorizer has no TransformerMixin
                tags.transformer_tags = TransformerTags()
            return tags

        def __repr__(self, N_CHAR_MAX=700):
            # the check ids (pytest's, from this repr) name a taxonomy file by its name, not this machine's path
            text = super().__repr__(N_CHAR_MAX)
            taxonomy = getattr(self, "taxonomy", None)
            return text.replace(taxonomy, Path(taxonomy).name) if isinstance(taxonomy, str) and taxonomy else text

        def _texts(self, X, reset: bool) -> list[str]:
            if isinstance(X, list) and all(isinstance(x, str) for x in X) and X:
                return X  # texts, as the estimator's own methods pass them to each other (score -> predict)
            X = validate_data(self, X, reset=reset)
            if words is not None:
                return [row_text(row, words) for row in X]
            n = X.shape[1]
            return [row_text(row, [f"w{j}" for j in range(n)], [f"m{j}" for j in range(n)]) for row in X]

        def _target(self, y):
            if y is None or words is not None:
                return y
            return [str(int(v)) for v in np.asarray(y).ravel()]  # the Tagger: label ids of the check taxonomy

        def fit(self, X, y=None):
            if words is not None and hasattr(cls, "predict") and y is not None:
                # the alias rule learns nothing from y: fitted without it unless y is an indicator matrix
                # of its labels (the one y it accepts)
                y = np.asarray(y)
                y = y if y.ndim == 2 and y.shape[1] == len(self.aliases) else None
            return super().fit(self._texts(X, reset=True), self._target(y))

    for method in ("transform", "predict", "predict_proba", "decision_function"):
        if hasattr(cls, method):
            setattr(Adapter, method, _forward(cls, method))
    if hasattr(cls, "fit_transform"):  # TransformerMixin's: fit, then transform
        Adapter.fit_transform = lambda self, X, y=None: self.fit(X, y).transform(X)
    if hasattr(cls, "score"):
        Adapter.score = lambda self, X, y, sample_weight=None: cls.score(self, self._texts(X, reset=False),
                                                                         self._target(y), sample_weight=sample_weight)
    Adapter.__name__ = Adapter.__qualname__ = f"{cls.__name__}OnRows"
    Adapter.__module__ = __name__
    return Adapter


def _forward(cls, method):
    def call(self, X):
        return getattr(cls, method)(self, self._texts(X, reset=False))
    call.__name__ = method
    return call


# Module-level classes, so that pickle finds them (check_estimators_pickle).
from classifier import AliasFeatures, AliasRuleClassifier, FastTfidfVectorizer, PrefixTfidfVectorizer, Tagger  # noqa: E402

from classifier._embeddings import SentenceEmbeddings  # noqa: E402
from classifier._places import PlaceFeatures  # noqa: E402

from .conftest import ALIASES  # noqa: E402

ALIAS_WORDS = [names[0] for _, names in ALIASES]
AliasFeaturesOnRows = rows_as_text(AliasFeatures, ALIAS_WORDS)
AliasRuleClassifierOnRows = rows_as_text(AliasRuleClassifier, ALIAS_WORDS)
TaggerOnRows = rows_as_text(Tagger)
PrefixTfidfVectorizerOnRows = rows_as_text(PrefixTfidfVectorizer)
FastTfidfVectorizerOnRows = rows_as_text(FastTfidfVectorizer)
PlaceFeaturesOnRows = rows_as_text(PlaceFeatures, ["Ternopil", "Colorado", "Khyber Pakhtunkhwa", "Marseille"])
SentenceEmbeddingsOnRows = rows_as_text(SentenceEmbeddings)
