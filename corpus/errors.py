"""Exceptions of the ``corpus`` package.

Every message says where (file, line, record), what was expected, what came, and what to do.
"""

from __future__ import annotations

__all__ = ["NewstagError", "InputError", "TaxonomyError", "CorpusError", "Rejection"]

from dataclasses import dataclass


class NewstagError(Exception):
    """Base class of every error newstag raises on purpose."""


class InputError(NewstagError, ValueError):
    """An input file or record cannot be used."""


class TaxonomyError(NewstagError, ValueError):
    """The taxonomy file is invalid, or a label is not in it."""


class CorpusError(NewstagError, ValueError):
    """A corpus folder is missing, incomplete or inconsistent."""


@dataclass(frozen=True)
class Rejection:
    """A record that could not be used, kept for the report (nothing is dropped silently).

    Attributes
    ----------
    source : str
        The file (and, where it applies, ``:line``) the record came from.
    reason : str
        What was wrong and what to do about it.
    """

    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"
