"""Wikipedia's "Current events" portal (``../shared/data/wikipedia_current_events/posts``): one article
per event summary, labeled with its portal section (``sections`` facet, single-label), the ``actors``
its links name and a ``region`` derived from them (see :func:`read_wikipedia_current_events`).
:func:`corpus.time_split` trains on the earlier months and evaluates on the later ones.

On the command line: ``newstag corpus wikinews POSTS -o OUT [--cutoff 2026-01-01]`` writes the corpus
folder and its ``splits.json``. The daily Markdown pages themselves are parsed by :mod:`._wikinews`.
"""

from __future__ import annotations

__all__ = ["WIKINEWS_SOURCE", "wikinews_taxonomy", "read_wikipedia_current_events", "build_wikipedia_current_events",
           "ActorResolver"]

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from ..aliases import AliasMatcher
from ..article import Article
from .._folder import check_build_output
from ..errors import CorpusError, InputError, Rejection, TaxonomyError
from ..fingerprint import NearDuplicateParams
from ..readers import ReadResult
from ..store import BuildReport, Corpus
from ..taxonomy import Facet, Taxonomy, load_taxonomy, parse_taxonomy
from ._common import _build, _data_dir
from ._wikinews import SECTIONS, Event, Link, parse_day, portal_url

WIKINEWS_SOURCE = "Wikipedia Current events portal"
_GLOBAL = "global"


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
                                   progress: Callable[[str, int], None] | None = None,
                                   overwrite: bool = False) -> tuple[Corpus, BuildReport]:
    """Read the portal's pages into a :class:`Corpus` (like :func:`corpus.build`); save it to ``output``.

    Ids are content hashes as usual: an event summary repeated word for word on another day is merged
    (``report.duplicates`` lists each merge). ``overwrite`` replaces a corpus already in ``output``; without it
    that is refused before anything is read.

    Returns
    -------
    (corpus, report)
    """
    if output is not None:
        check_build_output(output, overwrite)  # refuse before reading anything
    taxonomy = taxonomy or wikinews_taxonomy()
    read = read_wikipedia_current_events(posts_dir, taxonomy,
                                         progress=(lambda p: progress("read", 1)) if progress else None)
    return _build(read, taxonomy, output=output, strict=strict, near_duplicates=near_duplicates,
                  progress=progress, what=str(posts_dir), overwrite=overwrite)


