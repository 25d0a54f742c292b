"""Real corpora nobody on the team wrote: Reuters-21578 and Wikipedia's "Current events" portal.

Both become ordinary :class:`~corpus.Corpus` objects (so every other command works on them), each
with its own taxonomy and a split of its own:

- **Reuters-21578** (``../shared/data/reuters21578``): 21,578 wire stories of 1987 with four
  multi-label facets (``topics``, ``places``, ``people``, ``orgs``), the label names taken from the
  ``all-*-strings.lc.txt`` lists. Every document keeps its ``<REUTERS>`` attributes in ``meta``
  (``newid``, ``oldid``, ``lewissplit``, ``cgisplit``, ``topics_attr``), so :func:`modapte_split`
  rebuilds the ModApte split (9,603 train / 3,299 test; R(90): 7,770 / 3,019).

  **Ids.** ModApte is defined on documents, and 313 documents repeat the title and body of another
  one (wire stories sent twice, sometimes with other labels). A content-hash id would merge them and
  change the split's counts, so a Reuters article's id is ``reuters-<NEWID, 5 digits>``
  (``reuters-00001``): one row per document. The repeats still share a near-duplicate group
  (``group_id``), which is how to find them.

- **Wikipedia Current events** (``../shared/data/wikipedia_current_events/posts``): one article per
  event summary, labeled with its portal section (``sections`` facet, single-label), the
  ``actors`` its links name and a ``region`` derived from them (see
  :func:`read_wikipedia_current_events`). :func:`time_split` trains on the earlier months and
  evaluates on the later ones.

On the command line, ``newstag corpus reuters DIR -o OUT [--subset r90]`` and ``newstag corpus
wikinews POSTS -o OUT [--cutoff 2026-01-01]`` write the corpus folder and its ``splits.json``, ready for
``newstag train OUT``.
"""

from __future__ import annotations

__all__ = [
    "REUTERS_SUBSETS", "WIKINEWS_SOURCE",
    "reuters_taxonomy", "read_reuters", "build_reuters", "reuters_categories", "modapte_split",
    "wikinews_taxonomy", "read_wikipedia_current_events", "build_wikipedia_current_events",
    "ActorResolver", "time_split",
]

import json
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from ._reuters import CATEGORY_FILES, ENCODING, FACETS, SGML_GLOB, ReutersDoc, parse_sgml, read_category_list
from ._wikinews import SECTIONS, Event, Link, parse_day, portal_url
from .aliases import AliasMatcher
from .article import Article
from .errors import CorpusError, InputError, Rejection, TaxonomyError
from .fingerprint import NearDuplicateParams
from .readers import ReadResult
from .splits import NEAR_DUPLICATE_COLUMN, SplitManifest
from .store import BuildReport, Corpus, from_articles, save
from .taxonomy import Facet, Taxonomy, load_taxonomy, parse_taxonomy

REUTERS_SUBSETS = ("all", "r90", "r10")
WIKINEWS_SOURCE = "Wikipedia Current events portal"
_GLOBAL = "global"


# --------------------------------------------------------------------------------------------------
# Reuters-21578
# --------------------------------------------------------------------------------------------------

def _data_dir(path: str | Path, what: str, hint: str) -> Path:
    p = Path(path)
    if not p.is_dir():
        raise InputError(f"{p}: no such folder; expected the {what} ({hint}).")
    return p


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


def _build(read: ReadResult, taxonomy: Taxonomy, *, output: str | Path | None, strict: bool,
           near_duplicates: NearDuplicateParams | None, progress: Callable[[str, int], None] | None,
           what: str) -> tuple[Corpus, BuildReport]:
    report = BuildReport(files_read=read.files, rejections=list(read.rejections), skipped_files=list(read.skipped))
    if strict and report.rejections:
        listed = "\n  ".join(str(r) for r in report.rejections[:20])
        raise CorpusError(f"{what}: {len(report.rejections)} record(s) rejected (strict mode):\n  {listed}")
    corpus = from_articles(read.articles, taxonomy, near_duplicates=near_duplicates, report=report,
                           progress=(lambda n: progress("fingerprint", n)) if progress else None)
    if output is not None:
        save(corpus, output, report)
    return corpus, report


def build_reuters(data_dir: str | Path, *, output: str | Path | None = None, strict: bool = False,
                  near_duplicates: NearDuplicateParams | None = None,
                  progress: Callable[[str, int], None] | None = None) -> tuple[Corpus, BuildReport]:
    """Read Reuters-21578 into a :class:`Corpus` (21,578 articles, ids ``reuters-NNNNN``); save it to ``output``.

    Works like :func:`corpus.build`: ``progress(stage, n)`` is called while reading (``"read"``, per
    file) and fingerprinting; ``strict`` turns any rejected record into a :class:`CorpusError`.

    Returns
    -------
    (corpus, report)
    """
    taxonomy = reuters_taxonomy(data_dir)
    read = read_reuters(data_dir, taxonomy, progress=(lambda p: progress("read", 1)) if progress else None)
    return _build(read, taxonomy, output=output, strict=strict, near_duplicates=near_duplicates,
                  progress=progress, what=str(data_dir))


def _metas(corpus: Corpus) -> list[dict[str, Any]]:
    return [json.loads(m or "{}") for m in corpus.dataset["meta"]]


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
    groups = corpus.dataset[NEAR_DUPLICATE_COLUMN]
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


# --------------------------------------------------------------------------------------------------
# Wikipedia "Current events"
# --------------------------------------------------------------------------------------------------

def wikinews_taxonomy(default_taxonomy: Taxonomy | None = None) -> Taxonomy:
    """The default taxonomy's ``region`` and ``actors`` facets plus ``sections``: the portal's ten sections.

    ``sections`` is single-label (an event sits under exactly one section heading); its label ids are
    ``armed_conflicts_attacks``, ``arts_culture``, ``business_economy``, ``disasters_accidents``,
    ``health_environment``, ``international_relations``, ``law_crime``, ``politics_elections``,
    ``science_technology``, ``sports``. It is kept apart from the default ``themes`` facet, whose
    security themes the portal does not label.

    Raises
    ------
    TaxonomyError
        When the base taxonomy lacks a ``region`` or ``actors`` facet.
    """
    base = default_taxonomy or load_taxonomy()
    d = base.to_dict()
    facets = {}
    for name in ("region", "actors"):
        if name not in d["facets"]:
            raise TaxonomyError(f"taxonomy {base.name!r} has no {name!r} facet; the Wikipedia corpus derives "
                                f"actors and region from it. Use a taxonomy with region and actors facets.")
        facets[name] = d["facets"][name]
    facets["sections"] = {
        "kind": "single",
        "description": "The Current events portal section the editors filed the event under.",
        "labels": {sid: {"name": name} for sid, name in SECTIONS.items()},
    }
    head = {"name": f"{base.name}+wikipedia-current-events", "version": f"{base.version}.1"}
    return parse_taxonomy({"taxonomy": head, "facets": facets}, f"{base.path or base.name} + sections")


class ActorResolver:
    """Resolves linked Wikipedia pages to ``actors`` label ids, and actors to a ``region``.

    A page resolves when its title *is* a label: its ``refs.wikipedia`` title, or its name or an alias
    as a whole (matched by :class:`~corpus.AliasMatcher`, so acronyms stay case-sensitive); a
    ``(country)`` disambiguation is ignored ("Georgia (country)"). When the page does not, the linked
    words may: "[Israeli](…/Israel_Defense_Forces)" names Israel, the army acting for its state —
    unless the page is a namesake of those words ("[Victoria](…/Victoria_(state))" is not the
    Seychelles' capital, "[Georgia](…/Georgia_(U.S._state))" not the country). "President of
    Honduras" or "Honduran diaspora" name no actor: only whole titles and whole linked words count.
    """

    def __init__(self, actors: Facet, region: Facet | None = None):
        self.facet = actors
        self.region_facet = region
        self._order = {lab: k for k, lab in enumerate(actors.ids)}
        self._matcher = AliasMatcher(actors)
        self._by_ref = {" ".join(lab.refs["wikipedia"].split()).casefold(): lab.id
                        for lab in actors.labels if lab.refs.get("wikipedia")}
        # a whole-title match needs the title to equal a name or alias up to case: a cheap pre-check
        self._candidates = {" ".join(a.split()).casefold() for lab in actors.labels for a in (lab.name, *lab.aliases)}
        self._regions = {lab.id: lab.attrs.get("region") for lab in actors.labels}
        self._region_ids = region.ids if region is not None else []
        self._cache: dict[str, str | None] = {}

    def _whole(self, text: str) -> str | None:
        text = " ".join(text.split())
        if text in self._cache:
            return self._cache[text]
        found = self._by_ref.get(text.casefold())
        if found is None:
            bare = text[: -len(" (country)")] if text.endswith(" (country)") else text
            found = self._by_ref.get(bare.casefold())
            if found is None and bare.casefold() in self._candidates:
                mentions = self._matcher.find(bare)
                if len(mentions) == 1 and mentions[0].start == 0 and mentions[0].end == len(bare):
                    found = mentions[0].label
        self._cache[text] = found
        return found

    def resolve(self, link: Link) -> str | None:
        """The actor id the link names, or None."""
        found = self._whole(link.page)
        if found is None and not link.page.startswith(f"{link.text} ("):
            found = self._whole(link.text)
        return found

    def actors(self, links: Iterable[Link]) -> list[str]:
        """Actor ids of the links, in taxonomy order, each once."""
        found = {a for a in (self.resolve(link) for link in links) if a}
        return sorted(found, key=self._order.__getitem__)

    def region(self, actors: Sequence[str]) -> str | None:
        """The region of an event from its actors' ``region`` attributes (organisations have none).

        The region most of the state actors belong to; a tie is ``global`` (several regions with equal
        weight, as the annotation guide says). Following the guide's rule that a US action inside
        another region takes that region, the United States (``USA``) counts only when no other state
        actor is in the event. None when no actor has a region: the region is left unlabeled.
        """
        states = [a for a in actors if self._regions.get(a) in self._region_ids]
        if len(states) > 1 and "USA" in states:
            states = [a for a in states if a != "USA"]
        if not states:
            return None
        counts = Counter(self._regions[a] for a in states)
        top = max(counts.values())
        best = [r for r in self._region_ids if counts.get(r) == top]
        return best[0] if len(best) == 1 else (_GLOBAL if _GLOBAL in self._region_ids else None)


def _event_article(ev: Event, origin: str, resolver: ActorResolver) -> Article:
    actors = resolver.actors(ev.links)
    labels: dict[str, Any] = {"sections": ev.section, "actors": actors}
    region = resolver.region(actors)
    if region is not None:
        labels["region"] = region
    return Article(
        title="", body=ev.text, raw=ev.raw, section=SECTIONS[ev.section], date_text=ev.date.isoformat(),
        year=ev.date.year, month=ev.date.month, day=ev.date.day, source=WIKINEWS_SOURCE,
        url=portal_url(ev.date), origin=origin, labels=labels,
        meta={
            "date": ev.date.isoformat(), "section": SECTIONS[ev.section], "heading": ev.heading,
            "story_line": list(ev.story_line), "links": [link.page for link in ev.links],
            "outlets": list(ev.outlets), "outlet_urls": list(ev.outlet_urls),
        },
    )


def read_wikipedia_current_events(posts_dir: str | Path, taxonomy: Taxonomy | None = None,
                                  progress: Callable[[Path], None] | None = None) -> ReadResult:
    """Read the portal's daily Markdown pages (``YYYY-MM-DD-index.md``) into one Article per event.

    An event is a leaf bullet that cites an outlet. Its article has no title; ``body`` is the summary
    as plain text (links become their words, the trailing outlet citations are removed and kept in
    ``meta["outlets"]``); ``section`` the portal section; ``date_text`` the day; ``url`` the day's
    portal page (CC BY-SA attribution); ``meta`` = ``date``, ``section``, ``heading`` (as written),
    ``story_line`` (the parent bullets' texts, outermost first), ``links`` (linked page titles),
    ``outlets``, ``outlet_urls``.

    Labels: ``sections`` (the section heading, spelling variants forgiven), ``actors`` (linked pages
    resolved by :class:`ActorResolver`), ``region`` (:meth:`ActorResolver.region`; left unlabeled
    when no actor has a region).

    Returns
    -------
    ReadResult
        ``rejections`` lists every bullet or line that is not an event (no source cited, outside a
        known section, stray text), with file and line.

    Raises
    ------
    InputError
        When the folder holds no ``*.md`` file.
    """
    d = _data_dir(posts_dir, "Current events posts folder", "one YYYY-MM-DD-index.md file per day")
    taxonomy = taxonomy or wikinews_taxonomy()
    for name in ("sections", "actors", "region"):
        taxonomy.facet(name)
    resolver = ActorResolver(taxonomy.facet("actors"), taxonomy.facet("region"))
    files = sorted(d.glob("*.md"))
    if not files:
        raise InputError(f"{d}: no .md files; expected the portal's daily pages (YYYY-MM-DD-index.md).")
    out = ReadResult()
    for path in files:
        out.files += 1
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            out.rejections.append(Rejection(str(path), f"not UTF-8 text ({exc}); save the page as UTF-8."))
            continue
        events, rejections = parse_day(text, str(path))
        out.rejections += rejections
        out.articles += [_event_article(ev, f"{path}:{ev.line}", resolver) for ev in events]
        if progress is not None:
            progress(path)
    return out


def build_wikipedia_current_events(posts_dir: str | Path, *, taxonomy: Taxonomy | None = None,
                                   output: str | Path | None = None, strict: bool = False,
                                   near_duplicates: NearDuplicateParams | None = None,
                                   progress: Callable[[str, int], None] | None = None) -> tuple[Corpus, BuildReport]:
    """Read the portal's pages into a :class:`Corpus` (like :func:`corpus.build`); save it to ``output``.

    Ids are content hashes as usual: an event summary repeated word for word on another day is merged
    (``report.duplicates`` lists each merge).

    Returns
    -------
    (corpus, report)
    """
    taxonomy = taxonomy or wikinews_taxonomy()
    read = read_wikipedia_current_events(posts_dir, taxonomy,
                                         progress=(lambda p: progress("read", 1)) if progress else None)
    return _build(read, taxonomy, output=output, strict=strict, near_duplicates=near_duplicates,
                  progress=progress, what=str(posts_dir))


def _parse_cutoff(cutoff: str | date) -> date:
    if isinstance(cutoff, date):
        return cutoff
    text = str(cutoff).strip()
    try:
        parts = [int(p) for p in text.split("-")]
        if len(parts) == 2:
            parts.append(1)
        return date(*parts)
    except (TypeError, ValueError):
        raise InputError(f"cutoff {cutoff!r} is not a date; expected YYYY-MM-DD or YYYY-MM (e.g. 2026-01-01).") from None


def time_split(corpus: Corpus, cutoff: str | date = "2026-01-01") -> SplitManifest:
    """Train on the articles dated before ``cutoff``, evaluate on those dated on or after it.

    Near-duplicates stay together: a near-duplicate group that straddles the cutoff goes to ``train``
    (the side of its earliest article), so no text the model was trained on is evaluated.
    Unlabeled articles are in no split (``label_report["unlabeled"]``).

    Returns
    -------
    SplitManifest
        method ``"time"``, seed None, ``ratios`` the actual shares, ``label_report`` with the cutoff,
        the date range of each split, ``moved_to_train`` (articles moved with their group) and
        ``proportions`` per facet and label.

    Raises
    ------
    InputError
        When ``cutoff`` is not a date.
    CorpusError
        When a labeled article has no full date (year, month, day), or a side of the split is empty.
    """
    cut = _parse_cutoff(cutoff)
    ds = corpus.dataset
    ids, labeled, groups = corpus.ids, ds["labeled"], ds[NEAR_DUPLICATE_COLUMN]
    days: list[date | None] = []
    undated = []
    for aid, y, m, d, ok in zip(ids, ds["year"], ds["month"], ds["day"], labeled):
        if not ok:
            days.append(None)
            continue
        if not (y and m and d):
            undated.append(aid)
            days.append(None)
            continue
        days.append(date(y, m, d))
    if undated:
        raise CorpusError(f"time split: {len(undated)} labeled article(s) have no full date (year, month, day), "
                          f"e.g. {undated[:5]}; a time split cannot place them. Fix their dates or use make_splits.")
    first: dict[str, date] = {}
    for g, day in zip(groups, days):
        if day is not None and (g not in first or day < first[g]):
            first[g] = day
    split: dict[str, list[str]] = {"train": [], "eval": []}
    side_of: list[str | None] = []
    moved = 0
    for aid, g, day in zip(ids, groups, days):
        if day is None:
            side_of.append(None)
            continue
        side = "train" if first[g] < cut else "eval"
        moved += side == "train" and day >= cut
        split[side].append(aid)
        side_of.append(side)
    n = len(split["train"]) + len(split["eval"])
    for name, members in split.items():
        if not members:
            raise CorpusError(f"time split at {cut}: the {name} split is empty ({n} dated articles); choose a "
                              f"cutoff inside the corpus's date range.")
    span = {name: [min(d for d, s in zip(days, side_of) if s == name).isoformat(),
                   max(d for d, s in zip(days, side_of) if s == name).isoformat()] for name in split}
    props: dict[str, dict[str, dict[str, int]]] = {}
    for f in corpus.taxonomy.facets:
        counts: dict[str, dict[str, int]] = {}
        for value, side in zip(corpus.labels(f.name), side_of):
            if side is None:
                continue
            for lab in (value if f.multi else ([value] if value is not None else [])):
                c = counts.setdefault(lab, {"total": 0, "train": 0, "eval": 0})
                c["total"] += 1
                c[side] += 1
        props[f.name] = {lab: counts[lab] for lab in f.ids if lab in counts}
    report = {
        "cutoff": cut.isoformat(), "labeled": n, "unlabeled": len(ids) - sum(1 for x in labeled if x),
        "dates": span, "moved_to_train": moved, "proportions": props,
    }
    return SplitManifest(
        method="time", seed=None, ratios={k: round(len(v) / n, 6) for k, v in split.items()},
        corpus_fingerprint=corpus.fingerprint, ids=split, group_columns=(NEAR_DUPLICATE_COLUMN,), folds=None,
        label_report=report,
    )
