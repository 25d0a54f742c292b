"""newstag.annotation: Label Studio config, tasks, export import, consolidation and agreement.

``push`` / ``pull`` import label-studio-sdk only when called: the SDK is heavy.
"""

from ._export import (FORMATS, AnnotationRecord, Export, Skipped, Span, detect_format, read_annotators,
                      read_export)
from .agreement import (AgreementReport, FacetAgreement, Figure, LabelAgreement, agreement, agreement_from_ratings,
                        cohen_kappa, fleiss_kappa, krippendorff_alpha, masi_distance, plot_agreement)
from .articles import TaskFields, corpus_from_export, match_tasks, task_article, task_articles
from .client import PullResult, PushResult, download_export, pull, push
from .config import labeling_config
from .consensus import FacetConsensus, ImportReport, apply_annotations, consolidate, import_annotations
from .errors import ExportError, LabelStudioError
from .mapping import ControlMap, LabelMatcher, map_controls, parse_overrides
from .server import LabelStudioServer, find_label_studio
from .tasks import FacetPrediction, Predictions, load_predictions, make_tasks, parse_predictions, write_tasks

__all__ = [
    "AgreementReport", "AnnotationRecord", "ControlMap", "Export", "ExportError", "FORMATS", "FacetAgreement",
    "FacetConsensus", "FacetPrediction", "Figure", "ImportReport", "LabelAgreement", "LabelMatcher",
    "LabelStudioError", "LabelStudioServer", "Predictions", "PullResult", "PushResult", "Skipped", "Span",
    "TaskFields", "agreement", "agreement_from_ratings", "apply_annotations", "cohen_kappa", "consolidate",
    "corpus_from_export", "detect_format", "download_export", "find_label_studio", "fleiss_kappa", "import_annotations",
    "krippendorff_alpha", "labeling_config", "load_predictions", "make_tasks", "map_controls", "masi_distance",
    "match_tasks", "parse_overrides", "parse_predictions", "plot_agreement", "pull", "push", "read_annotators",
    "read_export", "task_article", "task_articles", "write_tasks",
]
