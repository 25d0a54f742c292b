"""Exceptions of the ``classifier`` package.

Each subclasses :class:`corpus.NewstagError` (the CLI prints it as ``error: ...`` and exits 2) and the
builtin it refines, and carries the offending values in its message together with what to do next.
"""

from __future__ import annotations

__all__ = ["ModelError", "UntrustedModelError", "ModelNotFoundError", "EmptyTextWarning"]

from corpus import NewstagError


class ModelError(NewstagError, ValueError):
    """A model folder or file is missing, incomplete, or does not fit the data it is used on."""


class UntrustedModelError(ModelError):
    """A model file holds types that are not on the reviewed trusted list (``classifier._trusted``).

    Attributes
    ----------
    types : list of str
        The fully qualified names of the types that were refused.
    """

    def __init__(self, path: str, types: list[str]):
        self.path = path
        self.types = list(types)
        super().__init__(
            f"{path}: refusing to load a model file that contains {len(self.types)} untrusted type(s): "
            f"{', '.join(self.types)}. newstag only loads the types on its reviewed list "
            f"(classifier/_trusted.py). If you made this file yourself and reviewed those types, add them to "
            f"that list; otherwise retrain the model with `newstag train`."
        )


class ModelNotFoundError(ModelError):
    """There is no model where one was expected (no folder, or no ``model.skops`` in it)."""


class EmptyTextWarning(UserWarning):
    """Articles with an empty text were tagged: with no words, they get only the labels a model gives any
    text (the most common region, say). The warning names them; leave such articles out, or turn the
    warning into an error with ``warnings.simplefilter("error", EmptyTextWarning)``. ``newstag tag -``
    refuses such lines (see ``--skip-bad``)."""
