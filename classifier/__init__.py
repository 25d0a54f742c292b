"""newstag.classifier: estimators, training, evaluation, persistence and the Tagger.

>>> from classifier import Tagger
>>> tagger = Tagger.load("models/default")          # doctest: +SKIP
>>> tagger.tag("US, Japan and South Korea sign a defence pact ...").actors   # doctest: +SKIP
"""

from ._batch import Batch
from ._dask_tag import tag_corpus, tag_corpus_dask  # Dask itself is imported only when they run
from ._alias_rules import AliasRuleClassifier
from ._embeddings import SentenceEmbeddings  # the encoder itself is imported only when it runs
from ._estimators import ThresholdedOneVsRest, best_f1_threshold, platt_scaling
from ._evaluate import FacetReport, Report, SystemMetrics, evaluate
from ._fast_tfidf import FastTfidfVectorizer
from ._blocks import text_features
from ._features import AliasFeatures, alias_table, group_table
from ._prefix_tfidf import PrefixTfidfVectorizer
from ._persist import default_model_path, model_card, save_model
from ._stacking import StackedOneVsRest
from ._result import AliasMatch, Evidence, LabelScore, Scores, TagResult, TermWeight
from ._tag_files import write_tag_file
from ._tables import evidence_table, mentions_table, misses_table, report_table, tag_counts, tags_table
from ._tagger import Tagger, load_model
from ._targets import to_xy
from ._train import TrainResult, train_model
from ._trusted import TRUSTED_TYPES
from .errors import EmptyTextWarning, ModelError, ModelNotFoundError, UntrustedModelError

__all__ = [
    "AliasFeatures", "AliasMatch", "AliasRuleClassifier", "Batch", "EmptyTextWarning", "Evidence", "FacetReport",
    "FastTfidfVectorizer", "LabelScore", "ModelError", "PrefixTfidfVectorizer",
    "ModelNotFoundError", "Report", "Scores", "SentenceEmbeddings", "StackedOneVsRest", "SystemMetrics", "TRUSTED_TYPES", "TagResult", "Tagger", "TermWeight",
    "ThresholdedOneVsRest", "TrainResult", "UntrustedModelError", "alias_table", "best_f1_threshold",
    "default_model_path", "evaluate", "group_table", "load_model", "model_card", "platt_scaling", "save_model",
    "tag_corpus", "tag_corpus_dask", "text_features", "to_xy", "train_model", "write_tag_file",
    "evidence_table", "mentions_table", "misses_table", "report_table", "tag_counts", "tags_table",
]
