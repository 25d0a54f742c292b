"""A batch of texts on its way through a Tagger: the inputs ``tag`` accepts, and the feature blocks of a
batch with the alias mentions found in it."""

from __future__ import annotations

__all__ = ["Batch", "as_input", "batches", "feature_batch", "union_name", "block_name", "warn_empty"]

from itertools import islice
from typing import Any, Iterable, Iterator, Mapping, Sequence

import scipy.sparse as sp

from corpus import Article, InputError

from ._blocks import PLAIN as _PLAIN
from ._fast_tfidf import analyse, transform_text, transform_text_beside


def as_input(item: Any, n: int) -> tuple[str | None, str]:
    """``(id, text)`` of a str, an Article or a ``{"text", "title"?, "id"?}`` mapping."""
    if isinstance(item, str):
        return None, item
    if isinstance(item, Article):
        return item.id or None, item.text
    if isinstance(item, Mapping):
        text = item.get("text")
        if not isinstance(text, str):
            raise InputError(
                f"item {n}: expected a 'text' string, got {type(text).__name__ if text is not None else 'no text'}; "
                f"each record needs {{\"text\": ..., \"title\"?: ..., \"id\"?: ...}}."
            )
        title = item.get("title")
        if title is not None and not isinstance(title, str):
            raise InputError(f"item {n}: 'title' must be a string, got {type(title).__name__}.")
        ident = item.get("id")
        return (None if ident is None else str(ident)), (f"{title}\n\n{text}" if title else text)
    raise InputError(f"item {n}: cannot tag a {type(item).__name__}; give a text, an Article or a dict with 'text'.")


def batches(items: Iterable[Any], size: int) -> Iterator[list]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


class Batch:
    """The features of a batch of texts: one sparse block per source (``"text"``, ``"prefix"``, ``"embeddings"`` and
    ``"places"`` when the model has them, and one per facet with aliases), the alias mentions found for each such
    facet (matched once, reused as evidence), and for a facet with a mention-role model the role probability of each
    mention (an array per text)."""

    def __init__(self, blocks: dict[str, sp.csr_matrix], mentions: dict[str, list],
                 roles: dict[str, list] | None = None):
        self.blocks = blocks
        self.mentions = mentions
        self.roles = roles or {}
        self._inputs: dict[tuple[str, ...], sp.csr_matrix] = {}

    def input(self, names: Sequence[str]) -> sp.csr_matrix:
        """The blocks side by side (built once per combination: region and actors read the same)."""
        key = tuple(names)
        if key not in self._inputs:
            parts = [self.blocks[n] for n in names]
            self._inputs[key] = parts[0] if len(parts) == 1 else sp.hstack(parts, format="csr")
        return self._inputs[key]

    @property
    def n(self) -> int:
        return next(iter(self.blocks.values())).shape[0]


def union_name(block: str) -> str:
    """The name in the feature union of a block (``"text"``, ``"prefix"``, ``"embeddings"``, ``"places"``, or a facet's
    ``"<facet>_aliases"``)."""
    return block if block in _PLAIN else f"{block}_aliases"


def block_name(union_name: str) -> str:
    """The block of a feature-union name (the inverse of :func:`union_name`)."""
    return union_name if union_name in _PLAIN else union_name[: -len("_aliases")]


def warn_empty(inputs: Sequence[tuple[str | None, str]], n_done: int = 0) -> None:
    """Warn (:class:`EmptyTextWarning`, naming them) about inputs with an empty text: they are tagged — a
    corpus may hold such articles — with only the labels any text gets, but never silently."""
    import warnings

    from .errors import EmptyTextWarning

    empty = [n_done + i for i, (_, t) in enumerate(inputs) if not t.strip()]
    if empty:
        shown = ", ".join(f"{k} ({inputs[k - n_done][0]})" if inputs[k - n_done][0] else str(k) for k in empty[:10])
        warnings.warn(EmptyTextWarning(
            f"{len(empty)} item(s) with an empty text (no title and no body) tagged with only the labels any "
            f"text gets: item(s) {shown}{', …' if len(empty) > 10 else ''}. Leave them out."), stacklevel=4)


def feature_batch(features, texts: Sequence[str]) -> Batch:
    """The :class:`Batch` of ``texts`` through a fitted Tagger's feature union (``Tagger.features_``): the text is
    lower-cased and split once for the tf-idf, the prefixes, every facet's aliases and the places, each facet
    matched once; the word and prefix blocks come from one lookup per word."""
    blocks, mentions, roles = {}, {}, {}
    analysed = analyse(texts)
    parts = dict(features.transformer_list)
    for name, part in features.transformer_list:
        block = block_name(name)
        if block == "text":
            if "prefix" in parts:
                blocks["text"], blocks["prefix"] = transform_text_beside(part, parts["prefix"], texts, analysed)
            else:
                blocks[block] = transform_text(part, texts, analysed)
        elif block == "prefix":
            if "text" not in parts:
                blocks[block] = part.transform_analysed(texts, analysed)
        elif block == "places":
            blocks[block] = part.transform(texts, analysed.words)
        elif block == "embeddings":
            blocks[block] = part.transform(texts)
        else:
            mentions[block] = part.match(texts, analysed)
            if getattr(part, "roles", False):
                roles[block] = part.mention_roles(texts, mentions[block])
            blocks[block] = part.features(texts, mentions[block], roles.get(block), analysed.words,
                                          _word_matrix(parts.get("text"), blocks.get("text")))
    order = [block_name(name) for name, _ in features.transformer_list]  # the union's column order
    return Batch({b: blocks[b] for b in order}, mentions, roles)


def _word_matrix(union, X) -> tuple[sp.csr_matrix, dict] | None:
    """``(the text block, its word vocabulary)`` when the batch's text block is already there and begins with the
    columns of a word tf-idf that lower-cases and splits as :func:`analyse` does (``word_index``): an acting model
    reads the articles' words off it (:func:`classifier._acting.acting_logits`). Else None."""
    if X is None or union.transformer_weights:
        return None
    first = next((vec for _, vec in union.transformer_list if vec not in ("drop", None)), None)
    if first is None or not hasattr(first, "word_index") or first.word_index() is None:
        return None
    return X, first.vocabulary_
