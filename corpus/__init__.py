"""newstag.corpus: articles, the taxonomy, readers, fingerprints, the on-disk Corpus and splits."""

from .aliases import AliasMatcher, Mention, spaced_words, text_words
from .article import Article
from ._folder import read_consistently
from ._lock import folder_lock
from ._output import check_output_folder, read_json_file
from ._text import check_utf8_file
from .atomic import atomic_folder, atomic_write_bytes, atomic_write_json, atomic_write_text, dumps_json
from ._counts import label_counts_table, plot_label_counts, split_counts_table
from ._dask_build import build_dask, dask_client, environment  # Dask itself is imported only when they run
from .errors import CorpusError, InputError, NewstagError, Rejection, TaxonomyError
from .models import ModelSource, find_model
from .fingerprint import NearDuplicateParams, article_id, near_duplicate_groups, normalise, text_digests
from .readers import ReadResult, html_text, looks_like_html, read_file, read_paths, record_article
from .datasets import (build_reuters, build_wikipedia_current_events, modapte_split, read_reuters,
                       read_wikipedia_current_events, reuters_taxonomy, wikinews_taxonomy)
from .split_manifest import SplitManifest, load_splits, split_datasets, split_rows
from .refit import refit_split
from .splits import make_splits
from .store import BuildReport, Corpus, build, corpus_features, from_articles, load, package_versions, save
from .taxonomy import Facet, Label, Taxonomy, default_taxonomy_path, load_taxonomy, parse_taxonomy
from .time_split import time_split

__all__ = [
    "check_output_folder", "check_utf8_file", "read_consistently", "read_json_file",
    "AliasMatcher", "Article", "BuildReport", "Corpus", "CorpusError", "Facet", "InputError", "Label",
    "Mention", "ModelSource", "NearDuplicateParams", "NewstagError", "ReadResult", "Rejection", "SplitManifest", "Taxonomy",
    "TaxonomyError",
    "article_id", "atomic_folder", "atomic_write_bytes", "atomic_write_json", "atomic_write_text", "build", "build_dask",
    "corpus_features", "dask_client", "package_versions", "default_taxonomy_path", "environment", "dumps_json", "find_model", "folder_lock", "from_articles",
    "load", "load_splits",
    "load_taxonomy", "make_splits", "refit_split",
    "near_duplicate_groups", "normalise", "text_digests", "parse_taxonomy", "read_file", "read_paths", "record_article", "html_text",
    "looks_like_html", "save", "split_datasets", "split_rows",
    "build_reuters", "build_wikipedia_current_events", "modapte_split", "read_reuters", "read_wikipedia_current_events",
    "reuters_taxonomy", "time_split", "wikinews_taxonomy",
    "label_counts_table", "plot_label_counts", "split_counts_table", "spaced_words", "text_words",
]
