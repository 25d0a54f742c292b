"""Exceptions of the ``annotation`` package.

They refine the ``corpus`` errors, so the command line prints them as ``error: …`` and exits 2.
Every message says where (file, row, task, annotator), what was expected, what came, and what to do.
"""

from __future__ import annotations

__all__ = ["ExportError", "LabelStudioError", "SelectionError"]

from corpus import InputError, NewstagError


class ExportError(InputError):
    """A Label Studio export (or a predictions file) cannot be read, or (strict mode) not fully used."""


class LabelStudioError(NewstagError, RuntimeError):
    """A Label Studio server did not start, cannot be reached, or refused a request."""


class SelectionError(NewstagError, ValueError):
    """Active learning cannot choose a batch: a bad parameter, a model that does not fit the corpus, no candidate."""
