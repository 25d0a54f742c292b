"""Where an event happens, from the place names in its text: features for the region head.

A news item often names a town or a province and no country ("floods across Khyber Pakhtunkhwa", "missiles hit
Ternopil"), or names countries that are not where it happens ("a Tunisian national stabs five in Marseille").
:class:`PlaceFeatures` finds the places of :mod:`corpus.places`' gazetteer, maps each to its country's group (an
actor's ``region``) and gives, per group, how many places lie there, their share, and whether the first place
does.
"""

from __future__ import annotations

__all__ = ["PlaceFeatures", "place_table"]

import warnings
from typing import Iterable, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from corpus import Facet, text_words
from corpus.places import Gazetteer, load_gazetteer

from ._features import TextTransformerMixin

PER_GROUP = ("place_count", "place_share", "first_place")


def place_table(facet: Facet, attr: str = "region") -> tuple[tuple[str, str], ...]:
    """``((ISO 3166 alpha-2 code, group), ...)`` of the facet's labels that have both a code
    (``refs.iso3166_alpha2``) and the attribute ``attr``: the plain form :class:`PlaceFeatures` takes."""
    out = {}
    for lab in facet.labels:
        code, group = (lab.refs or {}).get("iso3166_alpha2"), lab.attrs.get(attr)
        if code and group:
            out.setdefault(str(code), str(group))
    return tuple(out.items())


class PlaceFeatures(TextTransformerMixin, BaseEstimator):
    """Per group (region), features of the places a text names: ``place_count`` (log1p of how many),
    ``place_share`` (their share of the text's places) and ``first_place`` (1 when the text's first place
    lies there).

    Parameters
    ----------
    countries : tuple of (ISO 3166 alpha-2 code, group)
        Which group each country belongs to; see :func:`place_table`. Places in other countries are ignored.
    gazetteer : str or None, default None
        A gazetteer file (:class:`corpus.places.Gazetteer`); None: the one that ships with newstag. The model
        records its digest and warns when it is used with another list.
    lead_words : int or None, default 100
        Only the first ``lead_words`` words are searched (None: all): news says where in its lead, and a long
        article's later places are often elsewhere. It also bounds the cost on long texts (on Reuters articles,
        147 words on average, the search takes 0.6 of the time that searching every word does).

    Attributes
    ----------
    group_names_ : list of str
    gazetteer_digest_ : str
        The SHA-256 of the gazetteer file seen by ``fit``.
    """

    def __init__(self, *, countries: Sequence[tuple[str, str]] = (), gazetteer: str | None = None,
                 lead_words: int | None = 100):
        self.countries = countries
        self.gazetteer = gazetteer
        self.lead_words = lead_words

    def fit(self, X=None, y=None):
        """Index the groups and read the gazetteer (nothing is learned from ``X``); returns ``self``."""
        if self.lead_words is not None and (isinstance(self.lead_words, bool) or not isinstance(self.lead_words, int)
                                            or self.lead_words < 1):
            raise ValueError(f"PlaceFeatures: lead_words must be a positive number of words or None, got "
                             f"{self.lead_words!r}.")
        codes = [str(c) for c, _ in self.countries]
        if len(set(codes)) != len(codes):
            dup = sorted({c for c in codes if codes.count(c) > 1})
            raise ValueError(f"PlaceFeatures: country code(s) {dup} appear more than once in `countries`.")
        self.group_names_ = sorted({str(g) for _, g in self.countries})
        gidx = {g: k for k, g in enumerate(self.group_names_)}
        self.group_of_country_ = {str(c): gidx[str(g)] for c, g in self.countries}
        gaz = load_gazetteer(self.gazetteer)
        self.gazetteer_digest_ = gaz.digest
        self.n_features_out_ = len(PER_GROUP) * len(self.group_names_)
        return self

    def _gazetteer(self) -> Gazetteer:
        gaz = load_gazetteer(self.gazetteer)
        if gaz.digest != self.gazetteer_digest_ and not self.__dict__.get("_warned"):
            self.__dict__["_warned"] = True
            warnings.warn(f"PlaceFeatures: the gazetteer ({self.gazetteer or 'the one shipped with newstag'}) is not "
                          "the one this model was fitted with; its region scores may differ. Retrain the model "
                          "(newstag train) to use this list.", UserWarning, stacklevel=3)
        return gaz

    def __getstate__(self):
        state = dict(super().__getstate__())  # a copy: object.__getstate__ is the live __dict__
        state.pop("_warned", None)
        return state

    def transform(self, X: Iterable[str], words: Sequence[Sequence[str]] | None = None) -> sp.csr_matrix:
        """The feature matrix, ``(n_texts, n_features_out_)``; ``words``: each text's lower-case words
        (:func:`corpus.text_words`), when the caller has them already."""
        check_is_fitted(self, "group_names_")
        texts = [X] if isinstance(X, str) else list(X)
        if words is None:
            words = [text_words(t.lower()) for t in texts]
        find, group_of, per = self._gazetteer().find_words, self.group_of_country_, len(PER_GROUP)
        rows, cols, vals = [], [], []
        lead = self.lead_words
        for r, ws in enumerate(words):
            places = find(ws if lead is None or len(ws) <= lead else ws[:lead])
            if not places:
                continue
            counts: dict[int, int] = {}
            first = -1
            for place in places:
                g = group_of.get(place.country)
                if g is None:
                    continue
                counts[g] = counts.get(g, 0) + 1
                if first < 0:
                    first = g
            if not counts:
                continue
            total = sum(counts.values())
            for g, c in sorted(counts.items()):
                rows += [r, r]
                cols += [per * g, per * g + 1]
                vals += [float(np.log1p(c)), c / total]
            rows.append(r)
            cols.append(per * first + 2)
            vals.append(1.0)
        return sp.csr_matrix((np.asarray(vals, dtype=np.float64), (rows, cols)), shape=(len(texts), self.n_features_out_))

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self, "group_names_")
        return np.asarray([f"{g}:{part}" for g in self.group_names_ for part in PER_GROUP], dtype=object)
