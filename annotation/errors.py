"""Exceptions of the ``annotation`` package.

They refine the ``corpus`` errors, so the command line prints them as ``error: …`` and exits 2.
Every message says where (file, row, task, annotator), what was expected, what came, and what to do.
"""

from __future__ import annotations

__all__ = ["BackendError", "ConfigError", "ExportError", "LabelStudioError", "SelectionError"]

from corpus import InputError, NewstagError


class ExportError(InputError):
    """A Label Studio export (or a predictions file) cannot be read, or (strict mode) not fully used."""


class LabelStudioError(NewstagError, RuntimeError):
    """A Label Studio server did not start, cannot be reached, or refused a request."""


class SelectionError(NewstagError, ValueError):
    """Active learning cannot choose a batch: a bad parameter, a model that does not fit the corpus, no candidate."""


class ConfigError(InputError):
    """A labeling config does not fit the taxonomy: not XML, or no ``<Choices>`` control maps to a facet."""


class BackendError(InputError):
    """A request to the ML backend cannot be used; ``status`` is the HTTP status it answers with (4xx)."""

    def __init__(self, message: str, *, status: int = 400):
        super().__init__(message)
        self.status = status
