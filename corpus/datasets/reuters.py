"""Reuters-21578 (``../shared/data/reuters21578``): 21,578 wire stories of 1987 with four multi-label facets
(``topics``, ``places``, ``people``, ``orgs``), the label names taken from the ``all-*-strings.lc.txt``
lists. Every document keeps its ``<REUTERS>`` attributes in ``meta`` (``newid``, ``oldid``, ``lewissplit``,
``cgisplit``, ``topics_attr``), so :func:`modapte_split` rebuilds the ModApte split (9,603 train / 3,299
test; R(90): 7,770 / 3,019).

**Ids.** ModApte is defined on documents, and 313 documents repeat the title and body of another one
(wire stories sent twice, sometimes with other labels). A content-hash id would merge them and change the
split's counts, so a Reuters article's id is ``reuters-<NEWID, 5 digits>`` (``reuters-00001``): one row
per document. The repeats still share a near-duplicate group (``group_id``), which is how to find them.

On the command line: ``newstag corpus reuters DIR -o OUT [--subset r90]`` writes the corpus folder and
its ``splits.json``. The SGML itself is parsed by :mod:`._reuters`.
"""

from __future__ import annotations

__all__ = ["REUTERS_SUBSETS", "reuters_taxonomy", "read_reuters", "build_reuters", "reuters_categories",
           "modapte_split"]

import json
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Mapping

from ..article import Article
from .._folder import check_build_output
from ..errors import CorpusError, InputError, Rejection, TaxonomyError
from ..fingerprint import NearDuplicateParams
from ..readers import ReadResult
from ..split_manifest import NEAR_DUPLICATE_COLUMN, SplitManifest
from ..store import BuildReport, Corpus
from ..taxonomy import Taxonomy, parse_taxonomy
from ._common import _build, _data_dir
from ._reuters import CATEGORY_FILES, ENCODING, FACETS, SGML_GLOB, ReutersDoc, parse_sgml, read_category_list

REUTERS_SUBSETS = ("all", "r90", "r10")


def reuters_taxonomy(data_dir: str | Path) -> Taxonomy:
    """The Reuters-21578 taxonomy: facets ``topics``, ``places``, ``people``, ``orgs`` (all multi-label).

    Label ids are the category strings of the ``all-<facet>-strings.lc.txt`` lists (``cocoa``,
    ``el-salvador``, ``reagan``, ``opec``), in file order.

    Raises
    ------
    InputError
        When the folder or one of the four category lists is missing.
    """
    d = _data_dir(data_dir, "Reuters-21578 folder", "the reut2-*.sgm files and all-*-strings.lc.txt lists")
    descriptions = {
        "topics": "Economic subject categories (TOPICS): commodities, currencies, indicators, corporate events.",
        "places": "Countries the story is about (PLACES).",
        "people": "People the story is about (PEOPLE): heads of state, ministers, central bankers.",
        "orgs": "Organisations the story is about (ORGS): OPEC, EC, GATT, IMF, …",
    }
    facets = {
        f: {"kind": "multi", "description": descriptions[f],
            "labels": {c: {"name": c} for c in read_category_list(d / CATEGORY_FILES[f])}}
        for f in FACETS
    }
    return parse_taxonomy({"taxonomy": {"name": "reuters21578", "version": "1.0"}, "facets": facets},
                          str(d / "all-*-strings.lc.txt"))


def _reuters_labels(doc: ReutersDoc, order: Mapping[str, Mapping[str, int]], taxonomy: Taxonomy,
                    where: str) -> dict[str, list[str]]:
    """Each facet's categories, each once, in taxonomy order (a category not in the lists is an error)."""
    labels = {}
    for f, values in doc.categories.items():
        pos = order[f]
        for v in values:
            if v not in pos:
                raise TaxonomyError(taxonomy.facet(f).unknown_label_message(v, where))
        labels[f] = sorted(set(values), key=pos.__getitem__)
    return labels


def _reuters_article(doc: ReutersDoc, labels: dict[str, list[str]], origin: str) -> Article:
    return Article(
        id=f"reuters-{doc.newid:05d}", title=doc.title, body=doc.body, raw=doc.raw,
        date_text=doc.date_text, year=doc.year, month=doc.month, day=doc.day, source="Reuters",
        origin=origin, labels=labels,
        meta={
            "newid": doc.newid, "oldid": doc.oldid, "lewissplit": doc.lewissplit, "cgisplit": doc.cgisplit,
            "topics_attr": doc.topics_attr, "dateline": doc.dateline, "author": doc.author,
            "text_type": doc.text_type, "exchanges": doc.exchanges, "companies": doc.companies,
        },
    )


def read_reuters(data_dir: str | Path, taxonomy: Taxonomy | None = None,
                 progress: Callable[[Path], None] | None = None) -> ReadResult:
    """Read the 22 ``reut2-*.sgm`` files (latin-1) into one :class:`Article` per ``<REUTERS>`` element.

    Every document is labeled: ``labels`` holds all four facets, an empty list where the document has
    no category (that absence is a label too: ModApte treats it as a negative).

    Parameters
    ----------
    data_dir : the Reuters-21578 folder
    taxonomy : defaults to :func:`reuters_taxonomy` of ``data_dir``
    progress : called once per file read

    Returns
    -------
    ReadResult
        ``articles`` in file order; ``rejections`` for elements that could not be used (no NEWID, an
        unterminated element, a category missing from the lists).

    Raises
    ------
    InputError
        When the folder holds no ``reut2-*.sgm`` file.
    """
    d = _data_dir(data_dir, "Reuters-21578 folder", "the reut2-*.sgm files and all-*-strings.lc.txt lists")
    taxonomy = taxonomy or reuters_taxonomy(d)
    files = sorted(d.glob(SGML_GLOB))
    if not files:
        raise InputError(f"{d}: no {SGML_GLOB} files; expected the 22 SGML files of Reuters-21578 Distribution 1.0.")
    order = {f: {lab: i for i, lab in enumerate(taxonomy.facet(f).ids)} for f in FACETS}
    out = ReadResult()
    for path in files:
        out.files += 1
        for item in parse_sgml(path.read_bytes().decode(ENCODING), str(path)):
            if isinstance(item, Rejection):
                out.rejections.append(item)
                continue
            origin = f"{path}:{item.line}"
            try:
                labels = _reuters_labels(item, order, taxonomy, f"{origin} (NEWID {item.newid})")
                out.articles.append(_reuters_article(item, labels, origin))
            except TaxonomyError as exc:
                out.rejections.append(Rejection(origin, str(exc)))
        if progress is not None:
            progress(path)
    return out


def build_reuters(data_dir: str | Path, *, output: str | Path | None = None, strict: bool = False,
                  near_duplicates: NearDuplicateParams | None = None,
                  progress: Callable[[str, int], None] | None = None,
                  overwrite: bool = False) -> tuple[Corpus, BuildReport]:
    """Read Reuters-21578 into a :class:`Corpus` (21,578 articles, ids ``reuters-NNNNN``); save it to ``output``.

    Works like :func:`corpus.build`: ``progress(stage, n)`` is called while reading (``"read"``, per
    file) and fingerprinting; ``strict`` turns any rejected record into a :class:`CorpusError`.

    ``overwrite`` replaces a corpus already in ``output``; without it that is refused before anything is read.

    Returns
    -------
    (corpus, report)
    """
    if output is not None:
        check_build_output(output, overwrite)  # refuse before reading anything
    taxonomy = reuters_taxonomy(data_dir)
    read = read_reuters(data_dir, taxonomy, progress=(lambda p: progress("read", 1)) if progress else None)
    return _build(read, taxonomy, output=output, strict=strict, near_duplicates=near_duplicates,
                  progress=progress, what=str(data_dir), overwrite=overwrite)


def _metas(corpus: Corpus) -> list[dict[str, Any]]:
    return [json.loads(m or "{}") for m in corpus.column("meta")]


def _modapte_side(meta: Mapping[str, Any]) -> str | None:
    if meta.get("topics_attr") != "YES":
        return None
    return {"TRAIN": "train", "TEST": "eval"}.get(meta.get("lewissplit", ""))


def reuters_categories(corpus: Corpus, subset: str = "r90") -> list[str]:
    """The ``topics`` categories of a ModApte subset, in taxonomy order.

    ``"r90"``: the 90 categories with at least one training and one test document; ``"r10"``: the
    10 with the most training documents; ``"all"``: every category of the taxonomy.

    Raises
    ------
    InputError
        For another subset name, or a corpus without Reuters ``meta`` (not built by :func:`build_reuters`).
    """
    if subset not in REUTERS_SUBSETS:
        raise InputError(f"unknown Reuters subset {subset!r}; expected one of {list(REUTERS_SUBSETS)}.")
    facet = corpus.taxonomy.facet("topics")
    if subset == "all":
        return facet.ids
    sides = [_modapte_side(m) for m in _metas(corpus)]
    if not any(sides):
        raise InputError("the corpus has no ModApte documents (meta lewissplit/topics_attr); build it with "
                         "build_reuters or `newstag corpus reuters`.")
    counts = {"train": Counter(), "eval": Counter()}
    for side, labels in zip(sides, corpus.labels("topics")):
        if side:
            counts[side].update(set(labels))
    r90 = [c for c in facet.ids if counts["train"][c] and counts["eval"][c]]
    if subset == "r90":
        return r90
    top = sorted(r90, key=lambda c: (-counts["train"][c], facet.ids.index(c)))[:10]
    return [c for c in facet.ids if c in top]


def modapte_split(corpus: Corpus, subset: str = "all") -> SplitManifest:
    """The ModApte split of a Reuters-21578 corpus (Apté et al. 1994; Lewis' README, section VIII.B).

    ``train``: ``LEWISSPLIT="TRAIN"`` and ``TOPICS="YES"`` (9,603 documents); ``eval``:
    ``LEWISSPLIT="TEST"`` and ``TOPICS="YES"`` (3,299); the other 8,676 are in no split. With
    ``subset="r90"`` (or ``"r10"``) only documents with at least one of those categories are kept
    (R(90): 7,770 / 3,019). The split is the published one, so near-duplicates are not moved:
    ``label_report["groups_across_splits"]`` counts the near-duplicate groups that straddle it.

    Returns
    -------
    SplitManifest
        method ``"modapte"`` (``"modapte-r90"``, ``"modapte-r10"``), seed None, ``ratios`` the actual
        shares, ``label_report`` with ``proportions`` per topics category, ``left_out`` counts by reason
        and the subset's ``categories``.
    """
    cats = reuters_categories(corpus, subset)
    keep = set(cats)
    ids = corpus.ids
    groups = corpus.column(NEAR_DUPLICATE_COLUMN)
    topics = corpus.labels("topics")
    split: dict[str, list[str]] = {"train": [], "eval": []}
    left_out: Counter = Counter()
    side_of: dict[str, str] = {}
    props: dict[str, dict[str, int]] = {c: {"total": 0, "train": 0, "eval": 0} for c in cats}
    group_sides: dict[str, set[str]] = {}
    for aid, meta, labels, g in zip(ids, _metas(corpus), topics, groups):
        side = _modapte_side(meta)
        if side is None:
            left_out[f"lewissplit={meta.get('lewissplit', '')}, topics={meta.get('topics_attr', '')}"] += 1
            continue
        mine = [c for c in labels if c in keep]
        if subset != "all" and not mine:
            left_out[f"no {subset} category"] += 1
            continue
        split[side].append(aid)
        side_of[aid] = side
        group_sides.setdefault(g, set()).add(side)
        for c in set(mine):
            props[c]["total"] += 1
            props[c][side] += 1
    n = len(split["train"]) + len(split["eval"])
    if not n:
        raise CorpusError("no document is in the ModApte split; is this a Reuters-21578 corpus?")
    report = {
        "labeled": n,
        "left_out": dict(sorted(left_out.items())),
        "categories": cats,
        "groups_across_splits": sum(1 for s in group_sides.values() if len(s) > 1),
        "proportions": {"topics": props},
    }
    return SplitManifest(
        method="modapte" if subset == "all" else f"modapte-{subset}", seed=None,
        ratios={k: round(len(v) / n, 6) for k, v in split.items()}, corpus_fingerprint=corpus.fingerprint,
        ids=split, group_columns=(), folds=None, label_report=report,
    )
