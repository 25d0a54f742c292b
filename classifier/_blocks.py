"""The feature blocks of a Tagger and which heads read them (and which multi-label heads stack, ``stack_facets``).

A Tagger's features are blocks side by side, in this column order:

- ``"text"``: the word 1-2-gram tf-idf (characters too with ``char_ngram_range``), read by every head;
- ``"prefix"``: the word-prefix tf-idf (:class:`PrefixTfidfVectorizer`), built only when ``prefix_length`` is set
  and some head reads it — the heads of ``prefix_facets`` (None: every head);
- ``"<facet>"`` for each facet whose labels have aliases: its :class:`AliasFeatures`;
- ``"places"``: where the places a text names lie (:class:`PlaceFeatures`), with ``places`` when the
  ``alias_facet``'s labels have country codes and ``group_attr`` groups.

A head reads the text, the prefixes (when its facet is one of ``prefix_facets``), the embeddings (one of
``embedding_facets``), its own facet's alias features
and — the single-label ``group_facet`` — those of ``alias_facet`` and the places too. The functions here read those parameters
off a Tagger (or anything with the same attributes).
"""

from __future__ import annotations

__all__ = ["text_features", "TEXT", "PREFIX", "EMBED", "PLACES", "PLAIN", "alias_blocks", "embedding_readers", "places_table", "prefix_readers", "feature_blocks", "head_blocks", "block_estimator",
           "check_block_params", "stacked_facets", "acting_decides"]

import numbers

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from corpus import InputError, Taxonomy

from ._embeddings import SentenceEmbeddings, check_weight
from ._fast_tfidf import TOKEN_PATTERN, FastTfidfVectorizer
from ._features import AliasFeatures, alias_table, group_table
from ._places import PlaceFeatures, place_table
from ._prefix_tfidf import PrefixTfidfVectorizer

TEXT, PREFIX, EMBED, PLACES = "text", "prefix", "embeddings", "places"
PLAIN = (TEXT, PREFIX, EMBED, PLACES)  # the blocks that are no facet's alias features


def text_features(*, word_ngram_range: tuple[int, int] = (1, 2), char_ngram_range: tuple[int, int] | None = None,
                  min_df: int | float = 2, max_df: float = 1.0, sublinear_tf: bool = True,
                  max_features: int | None = None, dtype=np.float64, prefix_length: int | None = None) -> FeatureUnion:
    """The tf-idf part of the features: word n-grams, plus character n-grams when ``char_ngram_range`` is set,
    plus word prefixes of ``prefix_length`` characters when it is set.

    A plain :class:`~sklearn.pipeline.FeatureUnion` (parts named ``word``, ``char`` and ``prefix``) of
    :class:`FastTfidfVectorizer` (words: a ``TfidfVectorizer`` with a faster ``transform``, same matrix),
    ``TfidfVectorizer`` (characters) and :class:`PrefixTfidfVectorizer`, so it clones, grid-searches and
    persists like any scikit-learn pipeline.
    """
    parts = [("word", FastTfidfVectorizer(ngram_range=tuple(word_ngram_range), token_pattern=TOKEN_PATTERN,
                                      min_df=min_df, max_df=max_df, sublinear_tf=sublinear_tf,
                                      max_features=max_features, dtype=dtype))]
    if char_ngram_range is not None:
        parts.append(("char", TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(char_ngram_range),
                                              min_df=min_df, max_df=max_df, sublinear_tf=sublinear_tf,
                                              max_features=max_features, dtype=dtype)))
    if prefix_length is not None:
        parts.append(("prefix", PrefixTfidfVectorizer(prefix_length=prefix_length, min_df=min_df,
                                                      sublinear_tf=sublinear_tf)))
    return FeatureUnion(parts)


def alias_blocks(tax: Taxonomy) -> list[str]:
    """The facets whose labels have aliases, in taxonomy order: each gives a block of alias features."""
    return [f.name for f in tax.facets if any(lab.aliases for lab in f.labels)]


def prefix_readers(params, tax: Taxonomy) -> list[str]:
    """The facets (taxonomy order) whose heads read the prefix block: none without ``prefix_length``; of
    ``prefix_facets``, those in the taxonomy (None: every facet)."""
    if params.prefix_length is None:
        return []
    wanted = params.prefix_facets
    return [f.name for f in tax.facets if wanted is None or f.name in wanted]


def embedding_readers(params, tax: Taxonomy) -> list[str]:
    """The facets (taxonomy order) of ``embedding_facets`` whose heads read the sentence-embedding block: none
    without ``embeddings`` (models from before it have none)."""
    if getattr(params, "embeddings", None) is None:
        return []
    wanted = getattr(params, "embedding_facets", ())
    return [f.name for f in tax.facets if f.name in wanted]


def stacked_facets(params, tax: Taxonomy) -> list[str]:
    """The multi-label facets (taxonomy order) of ``stack_facets`` whose heads get a second stage over every label's
    score (:class:`classifier._stacking.StackedOneVsRest`); facets the taxonomy lacks and single-label ones are left
    out."""
    wanted = getattr(params, "stack_facets", ())
    return [f.name for f in tax.facets if f.multi and f.name in wanted]


def places_table(params, tax: Taxonomy) -> tuple:
    """:func:`place_table` of the ``alias_facet`` (grouped by ``group_attr``) when ``places`` is on, the alias facet
    is in the taxonomy and the ``group_facet`` reads it; empty otherwise (no places block)."""
    alias, group = params.alias_facet, params.group_facet
    if not (getattr(params, "places", False) and params.group_attr and alias in alias_blocks(tax)
            and group in tax.facet_names and group != alias and not tax.facet(group).multi):
        return ()
    return place_table(tax.facet(alias), params.group_attr)


def feature_blocks(params, tax: Taxonomy) -> list[str]:
    """Every block a Tagger builds, in column order: text, prefix and embeddings (each when a head reads it), each
    alias facet, places (when the group facet reads them)."""
    return [TEXT, *([PREFIX] if prefix_readers(params, tax) else []),
            *([EMBED] if embedding_readers(params, tax) else []), *alias_blocks(tax),
            *([PLACES] if places_table(params, tax) else [])]


def head_blocks(params, facet: str, tax: Taxonomy) -> list[str]:
    """The blocks ``facet``'s head reads: the text, the prefixes (a facet of ``prefix_facets``), the embeddings (a
    facet of ``embedding_facets``), its own aliases, and (the single-label ``group_facet``) the alias facet's and the
    places."""
    have = alias_blocks(tax)
    out = [TEXT] + ([PREFIX] if facet in prefix_readers(params, tax) else []) + (
        [EMBED] if facet in embedding_readers(params, tax) else []) + ([facet] if facet in have else [])
    if (not tax.facet(facet).multi and facet == params.group_facet and params.alias_facet in have
            and params.alias_facet != facet):
        out.append(params.alias_facet)
        out += [PLACES] if places_table(params, tax) else []
    return out


def block_estimator(params, block: str, tax: Taxonomy):
    """The unfitted transformer of ``block``."""
    if block == TEXT:
        return text_features(word_ngram_range=params.word_ngram_range, char_ngram_range=params.char_ngram_range,
                             min_df=params.min_df)
    if block == PREFIX:
        return PrefixTfidfVectorizer(prefix_length=params.prefix_length, min_df=params.min_df)
    if block == EMBED:
        return SentenceEmbeddings(weight=params.embeddings)
    if block == PLACES:
        return PlaceFeatures(countries=places_table(params, tax))
    f = tax.facet(block)
    mine = block == params.alias_facet
    groups = group_table(f, params.group_attr) if params.group_attr and mine else ()
    return AliasFeatures(aliases=alias_table(f), groups=groups, roles=params.mention_roles and mine,
                         acting=params.acting and mine,
                         acting_words=bool(getattr(params, "acting_words", False) and params.acting and mine))


def acting_decides(aliases) -> bool:
    """Whether a fitted alias block's acting model reads words (``acting_words``) and so tags every one of its
    facet's labels (no head is fitted for them; ``mention_roles`` wins when on)."""
    return bool(aliases is not None and getattr(aliases, "acting_words", False) and aliases.acting
                and not aliases.roles)


def check_block_params(params, tax: Taxonomy | None = None) -> None:
    """Raise :class:`InputError` for a ``prefix_length``, ``prefix_facets``, ``stack_facets`` or ``places`` of the wrong
    kind, or (with ``tax``) an alias facet whose name is that of another block."""
    k, wanted = params.prefix_length, params.prefix_facets
    if k is not None and (isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1):
        raise InputError(f"prefix_length must be a positive integer (characters kept of each word) or None, got {k!r}.")
    if wanted is not None and (not isinstance(wanted, (tuple, list)) or not all(isinstance(f, str) for f in wanted)):
        raise InputError(f"prefix_facets must be a tuple of facet names, e.g. ('themes',), or None (every head), "
                         f"got {wanted!r}.")
    stack = getattr(params, "stack_facets", ())
    if not isinstance(stack, (tuple, list)) or not all(isinstance(f, str) for f in stack):
        raise InputError(f"stack_facets must be a tuple of facet names, e.g. ('themes',), or () for none, got {stack!r}.")
    if getattr(params, "embeddings", None) is not None:
        check_weight(params.embeddings)
    wanted = getattr(params, "embedding_facets", ())
    if not isinstance(wanted, (tuple, list)) or not all(isinstance(f, str) for f in wanted):
        raise InputError(f"embedding_facets must be a tuple of facet names, e.g. ('themes',), got {wanted!r}.")
    if not isinstance(getattr(params, "places", False), bool):
        raise InputError(f"places must be True or False, got {params.places!r}.")
    clash = [name for name in alias_blocks(tax) if name in PLAIN] if tax is not None else []
    if clash:
        raise InputError(f"taxonomy facet {clash[0]!r} has aliases, and its alias features would take the name of the "
                         f"Tagger's {clash[0]!r} feature block; rename the facet.")
