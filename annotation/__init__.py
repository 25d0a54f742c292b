"""newstag.annotation: Label Studio config, tasks, export import, consolidation and agreement.

``push`` / ``pull`` import label-studio-sdk only when called: the SDK is heavy. The ML backend's HTTP
layer imports Starlette and uvicorn (the ``serve`` extra) only when a server is made.
"""

from ._export import (FORMATS, AnnotationRecord, Export, Skipped, Span, detect_format, read_annotators,
                      read_export)
from ._http import BackendServer
from .active import Batch, select_batch
from .agreement import (AgreementReport, FacetAgreement, Figure, LabelAgreement, agreement, agreement_from_ratings,
                        cohen_kappa, fleiss_kappa, krippendorff_alpha, masi_distance, plot_agreement)
from .articles import TaskFields, corpus_from_export, match_tasks, task_article, task_articles
from .backend import Backend
from .client import (PullResult, PushResult, RefreshResult, download_export, project_article_ids, pull, push,
                     push_batch, refresh_predictions)
from .config import labeling_config
from .consensus import FacetConsensus, ImportReport, apply_annotations, consolidate, import_annotations
from .errors import BackendError, ConfigError, ExportError, LabelStudioError, SelectionError
from .mapping import ConfigMap, ControlMap, LabelMatcher, map_controls, map_label_config, parse_overrides
from .predictions import ls_prediction, ls_predictions
from .predictor import FacetScores, Predictor, load_predictor
from .server import LabelStudioServer, find_label_studio
from .tasks import FacetPrediction, Predictions, load_predictions, make_tasks, parse_predictions, write_tasks

__all__ = [
    "AgreementReport", "AnnotationRecord", "ControlMap", "Export", "ExportError", "FORMATS", "FacetAgreement",
    "FacetConsensus", "FacetPrediction", "FacetScores", "Figure", "ImportReport", "LabelAgreement", "LabelMatcher",
    "LabelStudioError", "LabelStudioServer", "Predictions", "Predictor", "PullResult", "PushResult", "Skipped", "Span",
    "TaskFields", "agreement", "agreement_from_ratings", "apply_annotations", "cohen_kappa", "consolidate",
    "corpus_from_export", "detect_format", "download_export", "find_label_studio", "fleiss_kappa", "import_annotations",
    "krippendorff_alpha", "labeling_config", "load_predictions", "load_predictor", "make_tasks", "map_controls",
    "masi_distance", "match_tasks", "parse_overrides", "parse_predictions", "plot_agreement", "pull", "push",
    "read_annotators", "read_export", "task_article", "task_articles", "write_tasks",
    "Batch", "SelectionError", "ls_prediction", "project_article_ids", "push_batch", "select_batch",
    "Backend", "BackendError", "BackendServer", "ConfigError", "ConfigMap", "RefreshResult", "ls_predictions",
    "map_label_config", "refresh_predictions",
]
