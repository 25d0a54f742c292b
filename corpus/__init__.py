"""newstag.corpus: articles, the taxonomy, readers, fingerprints, the on-disk Corpus and splits."""

from .aliases import AliasMatcher, Mention, text_words
from .article import Article
from ._lock import folder_lock
from .atomic import atomic_folder, atomic_write_bytes, atomic_write_json, atomic_write_text, dumps_json
from ._counts import label_counts_table, plot_label_counts, split_counts_table
from ._dask_build import build_dask, dask_client  # Dask itself is imported only when they run
from .errors import CorpusError, InputError, NewstagError, Rejection, TaxonomyError
from .fingerprint import NearDuplicateParams, article_id, near_duplicate_groups, normalise
from .readers import ReadResult, read_file, read_paths
from .realdata import (build_reuters, build_wikipedia_current_events, modapte_split, read_reuters,
                       read_wikipedia_current_events, reuters_taxonomy, time_split, wikinews_taxonomy)
from .splits import SplitManifest, load_splits, make_splits, split_datasets
from .store import BuildReport, Corpus, build, corpus_features, from_articles, load, save
from .taxonomy import Facet, Label, Taxonomy, default_taxonomy_path, load_taxonomy, parse_taxonomy

__all__ = [
    "AliasMatcher", "Article", "BuildReport", "Corpus", "CorpusError", "Facet", "InputError", "Label",
    "Mention", "NearDuplicateParams", "NewstagError", "ReadResult", "Rejection", "SplitManifest", "Taxonomy",
    "TaxonomyError",
    "article_id", "atomic_folder", "atomic_write_bytes", "atomic_write_json", "atomic_write_text", "build", "build_dask",
    "corpus_features", "dask_client", "folder_lock", "default_taxonomy_path", "dumps_json", "from_articles", "load", "load_splits",
    "load_taxonomy", "make_splits",
    "near_duplicate_groups", "normalise", "parse_taxonomy", "read_file", "read_paths", "save", "split_datasets",
    "build_reuters", "build_wikipedia_current_events", "modapte_split", "read_reuters", "read_wikipedia_current_events",
    "reuters_taxonomy", "time_split", "wikinews_taxonomy",
    "label_counts_table", "plot_label_counts", "split_counts_table", "text_words",
]
