"""The reviewed list of types a newstag model file may contain beyond skops' own defaults.

skops refuses to build any type it does not trust by default (builtins, numpy and scipy containers, the
common scikit-learn estimators). A Tagger also needs the types below. Each was reviewed: it is a plain
scikit-learn estimator or splitter (its state is parameters and numpy arrays), or one of our own
estimators (the same). :func:`classifier.load` refuses a file with any type outside skops' defaults and
this list, naming the types, before anything in the file is built.

To add a type: check that building it from its state runs no code beyond setting attributes, add it
here with a note, and let ``tests/classifier/test_persist.py`` confirm a trained model needs nothing else.
"""

from __future__ import annotations

__all__ = ["TRUSTED_TYPES"]

TRUSTED_TYPES: tuple[str, ...] = (
    # our estimators: parameters are plain data (alias tables, numbers); state is numpy arrays and
    # fitted scikit-learn estimators
    "classifier._tagger.Tagger",
    "classifier._features.AliasFeatures",
    "classifier._places.PlaceFeatures",  # a group table (plain data) and the gazetteer's digest; reads the list
    "classifier._fast_tfidf.FastTfidfVectorizer",  # a TfidfVectorizer (same state) with a faster transform
    "classifier._prefix_tfidf.PrefixTfidfVectorizer",
    "classifier._embeddings.SentenceEmbeddings",  # a weight, a batch size and the encoder weights' digest (a str)  # word-prefix tf-idf: a vocabulary dict and an idf array
    "classifier._estimators.ThresholdedOneVsRest",
    "classifier._stacking.StackedOneVsRest",  # ThresholdedOneVsRest plus numpy arrays of its second stage
    "classifier._alias_rules.AliasRuleClassifier",
    # the single-label head: CalibratedClassifierCV(ensemble=False) keeps one calibrated classifier and
    # its temperature (a float)
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._TemperatureScaling",
    # cross-validation splitters kept as the `cv` parameter of a head (seeds and fold arrays only)
    "sklearn.model_selection._split.StratifiedKFold",
    "sklearn.model_selection._split.PredefinedSplit",
)
