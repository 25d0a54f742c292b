"""Consolidate several annotators into one label set per facet, and write it into the corpus.

Rules, per article and facet (the same for every export format):

1. Each annotator counts once per article: when one annotator annotated the same article several times
   (the article was in two tasks, or the export was merged), the latest annotation (``updated_at``,
   then annotation id) is used and the others are reported as ``superseded``.
2. A ``ground_truth`` annotation wins: when ground-truth annotations answer the facet, their labels
   are the consensus (if several disagree, that is a tie, see 4).
3. Otherwise a majority vote. Single-label facet: the label with the most votes among the annotators
   who answered, when no other label has as many. Multi-label facet: each label is in when more than
   half of the annotators chose it, out when fewer than half did.
4. Ties are not guessed: a single-label facet with two labels at the top is left empty (``None``) and
   a multi-label facet keeps only its majority labels (the tied ones left out); either way the facet is
   listed in the article's ``needs_adjudication`` and in the report, with the votes.

The corpus keeps every annotator's labels in the ``annotations`` column (one entry per annotator and
answered facet, ordered by facet then annotator), the consensus in the facet columns, the answered facets
in ``annotated`` and ``labeled`` True for every article with an answered facet. Only the facets an
annotation answers are written (merged per facet): a facet the export has no result for, or that nobody
answered on an article, keeps what the article had (its labels, its annotated state), so importing a
region-only export onto a labeled corpus erases no theme or actor.

Tasks find their articles by :func:`annotation.articles.match_tasks` (article id, source id, text
fingerprint); a task that matches none is reported (``unknown_article``). :func:`import_annotations`
into a folder that does not exist yet builds the corpus from the export's own tasks.
"""

from __future__ import annotations

__all__ = ["FacetConsensus", "ImportReport", "consolidate", "apply_annotations", "import_annotations", "REPORT_FILE"]

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from corpus import Corpus, CorpusError, Taxonomy, folder_lock, load_taxonomy
from corpus import load as load_corpus
from corpus.store import MANIFEST, corpus_files

from ._export import SKIP_KINDS, AnnotationRecord, Export, Skipped, read_export
from .articles import TaskFields, corpus_from_export, match_tasks
from .errors import ExportError


@dataclass(frozen=True)
class FacetConsensus:
    """The consolidated value of one facet for one article.

    ``labels`` is None when there is no consensus (nobody answered a single-label facet, or a tie);
    ``method`` is ``"ground_truth"``, ``"majority"``, ``"unanimous"``, ``"tie"`` or ``"unanswered"``;
    ``votes`` counts the annotators behind each label; ``tied`` lists the labels in the tie.
    """

    facet: str
    labels: tuple[str, ...] | None
    method: str
    n_annotators: int
    votes: Mapping[str, int] = field(default_factory=dict)
    tied: tuple[str, ...] = ()

    @property
    def needs_adjudication(self) -> bool:
        return self.method == "tie"


REPORT_FILE = "annotation-report.json"


def _latest(records: Sequence[AnnotationRecord]) -> tuple[list[AnnotationRecord], list[AnnotationRecord]]:
    """One record per annotator (the latest); the others are superseded."""
    best: dict[str, AnnotationRecord] = {}
    for r in records:
        cur = best.get(r.annotator)
        if cur is None or (r.updated_at, r.annotation_id or -1) > (cur.updated_at, cur.annotation_id or -1):
            best[r.annotator] = r
    kept = list(best.values())
    kept_ids = {id(r) for r in kept}
    return kept, [r for r in records if id(r) not in kept_ids]


def _vote(facet_name: str, multi: bool, answers: list[tuple[str, ...]], order: Mapping[str, int]) -> FacetConsensus:
    n = len(answers)
    first = answers[0]
    if all(a == first for a in answers):  # the common case: everybody agrees
        return FacetConsensus(facet_name, first, "unanimous", n, {lab: n for lab in first})
    votes = Counter(lab for a in answers for lab in a)
    ordered_votes = dict(sorted(votes.items(), key=lambda kv: order[kv[0]]))
    if multi:
        ins = tuple(lab for lab, c in ordered_votes.items() if 2 * c > n)
        tied = tuple(lab for lab, c in ordered_votes.items() if 2 * c == n)
        return FacetConsensus(facet_name, ins, "tie" if tied else "majority", n, ordered_votes, tied)
    top = max(votes.values())
    leaders = tuple(lab for lab, c in ordered_votes.items() if c == top)
    if len(leaders) > 1:
        return FacetConsensus(facet_name, None, "tie", n, ordered_votes, leaders)
    return FacetConsensus(facet_name, leaders, "majority", n, ordered_votes)


def _plan(taxonomy: Taxonomy, facets: Iterable[str] | None) -> list[tuple[str, bool, dict[str, int]]]:
    """(name, multi, label -> position) for each facet to consolidate, computed once per import."""
    names = list(facets) if facets is not None else taxonomy.facet_names
    return [(f.name, f.multi, {lab: i for i, lab in enumerate(f.ids)}) for f in map(taxonomy.facet, names)]


def _consolidate(records: Sequence[AnnotationRecord], plan: list[tuple[str, bool, dict[str, int]]]
                 ) -> dict[str, FacetConsensus]:
    out: dict[str, FacetConsensus] = {}
    for name, multi, order in plan:
        answered = [r for r in records if name in r.labels]
        if not answered:
            out[name] = FacetConsensus(name, None, "unanswered", 0)
            continue
        truth = [r.labels[name] for r in answered if r.ground_truth]
        if truth:
            if len(set(truth)) == 1:
                votes = Counter(lab for r in answered for lab in r.labels[name])
                out[name] = FacetConsensus(name, truth[0], "ground_truth", len(answered),
                                           dict(sorted(votes.items(), key=lambda kv: order[kv[0]])))
            else:
                c = _vote(name, multi, truth, order)
                tied = c.tied or tuple(sorted({lab for t in truth for lab in t}, key=order.__getitem__))
                out[name] = FacetConsensus(name, c.labels if multi else None, "tie", len(answered), c.votes, tied)
            continue
        out[name] = _vote(name, multi, [r.labels[name] for r in answered], order)
    return out


def consolidate(records: Sequence[AnnotationRecord], taxonomy: Taxonomy,
                facets: Iterable[str] | None = None) -> dict[str, FacetConsensus]:
    """The consensus of one article's annotation records, per facet (rules in the module docstring).

    ``records`` must be one per annotator (see :func:`apply_annotations`, which drops superseded ones).
    """
    return _consolidate(records, _plan(taxonomy, facets))


@dataclass
class ImportReport:
    """What an import used, skipped and left for adjudication (nothing is dropped silently)."""

    export: str = ""
    format: str = ""
    tasks: int = 0
    records: int = 0
    records_used: int = 0
    articles_updated: int = 0
    annotators: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    needs_adjudication: list[dict[str, Any]] = field(default_factory=list)
    predictions_ignored: int = 0
    spans: int = 0
    notes: list[str] = field(default_factory=list)
    corpus_fingerprint: str = ""  # set by import_annotations (the saved corpus's manifest fingerprint)
    facets_seen: list[str] = field(default_factory=list)  # facets the export answers; the others untouched
    controls: dict[str, str] = field(default_factory=dict)  # control -> facet
    unmapped_controls: list[str] = field(default_factory=list)
    unmatched_tasks: list[Any] = field(default_factory=list)  # tasks that match no article of the corpus
    articles_built: int = 0  # articles made from the export's tasks (a new corpus)

    def counts(self) -> dict[str, int]:
        """Skipped entries per kind (every kind listed, zeros included)."""
        c = Counter(s.kind for s in self.skipped)
        return {k: c.get(k, 0) for k in SKIP_KINDS}

    def as_dict(self) -> dict[str, Any]:
        return {
            "export": self.export, "format": self.format, "tasks": self.tasks, "records": self.records,
            "records_used": self.records_used, "articles_updated": self.articles_updated,
            "annotators": self.annotators, "skipped_counts": self.counts(),
            "skipped": [s.as_dict() for s in self.skipped], "needs_adjudication": self.needs_adjudication,
            "predictions_ignored": self.predictions_ignored, "mention_spans": self.spans, "notes": self.notes,
            "corpus_fingerprint": self.corpus_fingerprint, "facets_seen": self.facets_seen,
            "controls": self.controls, "unmapped_controls": self.unmapped_controls,
            "unmatched_tasks": self.unmatched_tasks, "articles_built": self.articles_built,
        }

    def nothing_used(self) -> ExportError:
        """The error of an import that used no annotation: the likely cause and what to do."""
        counts = {k: v for k, v in self.counts().items() if v}
        if self.unmatched_tasks and counts.get("unknown_article"):
            cause = (f"{len(self.unmatched_tasks)} task(s) match no article of the corpus (by article_id, source id "
                     f"or text), e.g. {self.unmatched_tasks[:5]}. Import into a new folder (--corpus NEW_DIR) to "
                     f"build the corpus from the export's tasks, or build the corpus from the same articles first")
        elif self.unmapped_controls or counts.get("no_facet") or counts.get("unknown_control"):
            cause = (f"no control maps to a facet (controls seen: {self.unmapped_controls or 'none'}; facets: "
                     f"{sorted(set(self.controls.values())) or 'none'}). Map them with --map CONTROL=FACET, "
                     f"e.g. --map {(self.unmapped_controls or ['topic'])[0]}=themes")
        elif not self.records:
            cause = ("the export holds no submitted annotation. Annotate tasks in Label Studio (skipped tasks and "
                     "drafts are not labels) and export again")
        else:
            cause = f"every annotation was skipped: {counts}. See the listed reasons"
        return ExportError(f"annotation export {self.export!r}: 0 of {self.records} annotation(s) used: {cause}.")

    def strict_failure(self) -> ExportError:
        counts = {k: v for k, v in self.counts().items() if v}
        listed = "\n  ".join(str(s) for s in self.skipped[:20])
        more = f"\n  … and {len(self.skipped) - 20} more." if len(self.skipped) > 20 else ""
        return ExportError(
            f"annotation export {self.export!r}: {len(self.skipped)} record(s) not used (strict mode): {counts}.\n"
            f"  {listed}{more}\nRun without --strict to import the usable annotations and get the full report."
        )


def apply_annotations(corpus: Corpus, records: Export | Iterable[AnnotationRecord], *, strict: bool = False,
                      facets: Iterable[str] | None = None, article_of: Mapping[Any, str] | None = None
                      ) -> tuple[Corpus, ImportReport]:
    """A new corpus with the export's annotations consolidated into it (rules in the module docstring).

    Parameters
    ----------
    corpus : the corpus the tasks' articles are in
    records : an :class:`Export` (its skipped entries, facets and controls go into the report) or plain
        annotation records
    strict : raise instead of returning when anything was skipped or could not be used
    facets : the facets to consolidate (default: those the export answers, or every facet for plain
        records); the others keep their current values
    article_of : task -> article id (:func:`~annotation.articles.match_tasks`); default: each record's
        ``article_id``

    Returns
    -------
    (corpus, report)
        The input corpus is not modified; the new one has a new fingerprint when labels changed.

    Raises
    ------
    ExportError
        In strict mode, when the report lists any skipped or unusable record.
    """
    import datasets
    import pyarrow as pa

    taxonomy = corpus.taxonomy
    report = ImportReport()
    if isinstance(records, Export):
        report.export, report.format, report.tasks = records.path, records.format, records.tasks
        report.skipped = list(records.skipped)
        report.predictions_ignored = records.predictions_ignored
        report.notes = list(records.notes)
        report.controls, report.unmapped_controls = dict(records.controls), list(records.unmapped_controls)
        seen = records.facets_seen
        records = records.records
    else:
        seen = taxonomy.facet_names
    names = [n for n in (list(facets) if facets is not None else taxonomy.facet_names) if n in seen]
    report.facets_seen = list(names)
    records = list(records)
    report.records = len(records)
    report.spans = sum(len(r.spans) for r in records)
    row_of = {aid: i for i, aid in enumerate(corpus.dataset.select_columns(["id"]).to_dict()["id"])}
    by_article: dict[str, list[AnnotationRecord]] = {}
    for r in records:
        aid = article_of.get(r.task_id) if article_of is not None else r.article_id
        if aid not in row_of:
            report.skipped.append(Skipped("unknown_article", r.source, r.task_id, r.article_id, r.annotator,
                                          "build the corpus from these articles first, or import into a new folder"))
            continue
        by_article.setdefault(aid, []).append(r)
    if strict and report.skipped:
        raise report.strict_failure()

    ds = corpus.dataset
    current = ds.select_columns(names + ["labeled", "annotations", "needs_adjudication", "annotated"]).to_dict()
    columns = {name: current[name] for name in names}
    labeled, annotations, adjudication = current["labeled"], current["annotations"], current["needs_adjudication"]
    annotated = current["annotated"]
    order = {name: i for i, name in enumerate(taxonomy.facet_names)}
    plan = _plan(taxonomy, names)
    multi = {name: m for name, m, _ in plan}
    index = {name: positions for name, _, positions in plan}
    people: set[str] = set()
    for aid in sorted(by_article):
        kept, superseded = _latest(by_article[aid])
        for r in superseded:
            report.skipped.append(Skipped("superseded", r.source, r.task_id, aid, r.annotator,
                                          "a later annotation by the same annotator is used"))
        i = row_of[aid]
        cons = {name: c for name, c in _consolidate(kept, plan).items() if c.method != "unanswered"}
        if not cons:
            continue
        for name, c in cons.items():
            facet_index = index[name]
            if multi[name]:
                columns[name][i] = [facet_index[lab] for lab in (c.labels or ())]
            else:
                columns[name][i] = facet_index[c.labels[0]] if c.labels else None
        tied = [name for name, c in cons.items() if c.needs_adjudication]
        answered = set(cons)
        entries = [e for e in annotations[i] if e["facet"] not in answered]
        for r in kept:
            people.add(r.annotator)
            for name in cons:
                if name in r.labels:
                    entries.append({"annotator": r.annotator, "facet": name, "labels": list(r.labels[name]),
                                    "ground_truth": r.ground_truth})
        by_order = lambda f: order.get(f, len(order))  # noqa: E731
        entries.sort(key=lambda e: (by_order(e["facet"]), e["annotator"], e["ground_truth"]))
        annotations[i] = entries
        adjudication[i] = sorted(set(a for a in adjudication[i] if a not in answered) | set(tied), key=by_order)
        annotated[i] = sorted(set(annotated[i] or ()) | answered, key=by_order)
        labeled[i] = True
        report.records_used += len(kept)
        report.articles_updated += 1
        for name in tied:
            c = cons[name]
            report.needs_adjudication.append({
                "article_id": aid, "facet": name, "tied": list(c.tied), "votes": dict(c.votes),
                "annotators": c.n_annotators, "task_ids": sorted({r.task_id for r in kept}, key=str),
            })
    report.annotators = sorted(people, key=lambda a: (not a.isdigit(), int(a) if a.isdigit() else 0, a))
    if strict and report.skipped:
        raise report.strict_failure()

    features = ds.features
    table = ds.with_format("arrow")[:]  # respects an indices mapping (a selected/shuffled dataset)
    new_cols = dict(columns, labeled=labeled, annotations=annotations, needs_adjudication=adjudication,
                    annotated=annotated)
    for name, values in new_cols.items():
        arr = pa.array(values, type=features.arrow_schema.field(name).type)
        table = table.set_column(table.schema.get_field_index(name), name, arr)
    # datasets would otherwise hash the whole table to name its cache entry (we never cache): derive it.
    digest = hashlib.sha256(f"{getattr(ds, '_fingerprint', '')}|annotations".encode())
    for r in records:
        digest.update(f"{r.task_id}|{r.article_id}|{r.annotator}|{r.annotation_id}|{r.updated_at}|"
                      f"{sorted(r.labels.items())}".encode())
    new_ds = datasets.Dataset(table, info=datasets.DatasetInfo(features=features), fingerprint=digest.hexdigest()[:16])
    return Corpus(new_ds, taxonomy, corpus.manifest, path=corpus.path, taxonomy_text=corpus.taxonomy_text), report


def import_annotations(export: str | Path, corpus: Corpus | str | Path, *, fmt: str = "auto", strict: bool = False,
                       annotators: Mapping[str, Any] | None = None, facets: Iterable[str] | None = None,
                       controls: Mapping[str, str] | None = None, fields: TaskFields = TaskFields(),
                       taxonomy: Taxonomy | str | Path | None = None, save: bool = True,
                       progress: Callable[[int], None] | None = None) -> tuple[Corpus, ImportReport]:
    """Read an export file, apply it to a corpus and (``save``) write the corpus folder back atomically.

    When ``corpus`` is a folder that does not exist yet (no manifest), the corpus is built from the
    export's own tasks (:func:`annotation.articles.task_articles`, with ``taxonomy``, default
    the shipped ``corpus/data/taxonomy.toml``); otherwise tasks are matched to its articles
    (:func:`annotation.articles.match_tasks`). The report is also written, as ``annotation-report.json``
    in the corpus folder. Other parameters are those of :func:`~annotation.read_export` and
    :func:`apply_annotations`.

    Raises
    ------
    ExportError
        When no annotation could be used (with the likely cause and the remedy), or, in strict mode, when
        anything was skipped; the folder is left untouched either way.
    """
    kw = dict(fmt=fmt, strict=strict, annotators=annotators, facets=facets, controls=controls, fields=fields,
              taxonomy=taxonomy, progress=progress)
    if isinstance(corpus, Corpus) and (not save or corpus.path is None):
        return _import(export, corpus, save=False, **kw)
    path = corpus.path if isinstance(corpus, Corpus) else corpus
    with folder_lock(path):  # read, apply and write back as one step: a second import waits for this one
        if isinstance(corpus, Corpus):
            on_disk = corpus_files(path)[0].get("fingerprint")
            if on_disk != corpus.manifest.get("fingerprint"):
                raise CorpusError(f"{path}: the corpus folder changed since this Corpus was loaded (another import or "
                                  f"build wrote it); load it again and import then, so that no labels are lost.")
        elif (Path(path) / MANIFEST).is_file():
            corpus = load_corpus(path)
        return _import(export, corpus, save=save, **kw)


def _import(export, corpus: Corpus | str | Path, *, save: bool, fmt, strict, annotators, facets, controls, fields,
            taxonomy, progress) -> tuple[Corpus, ImportReport]:
    """Apply an export to ``corpus``, or (a folder path with no corpus yet) to the corpus built from its tasks."""
    built = not isinstance(corpus, Corpus)
    if built:
        target = Path(corpus)
        tax = taxonomy if isinstance(taxonomy, Taxonomy) else load_taxonomy(taxonomy)
        parsed = read_export(export, tax, fmt=fmt, annotators=annotators, facets=facets, controls=controls,
                             progress=progress)
        tax_text = Path(tax.path).read_text(encoding="utf-8") if tax.path and Path(tax.path).is_file() else None
        corpus, article_of, no_text = corpus_from_export(parsed, tax, fields, taxonomy_text=tax_text)
        parsed.skipped += no_text
        corpus.path = target
        unmatched = sorted((t for t in parsed.task_data if t not in article_of), key=str)
    else:
        parsed = read_export(export, corpus.taxonomy, fmt=fmt, annotators=annotators, facets=facets,
                             controls=controls, progress=progress)
        article_of, unmatched = match_tasks(parsed, corpus, fields)
    new, report = apply_annotations(corpus, parsed, strict=strict, facets=facets, article_of=article_of)
    report.unmatched_tasks = unmatched
    report.articles_built = len(corpus) if built else 0
    if report.records_used == 0:
        raise report.nothing_used()
    if save and corpus.path is not None:
        report.corpus_fingerprint = new.fingerprint
        new.save(corpus.path, extra_files={REPORT_FILE: report.as_dict()})  # the report in the same step
        report.corpus_fingerprint = new.manifest["fingerprint"]
    else:
        report.corpus_fingerprint = new.fingerprint
    return new, report
