"""corpus.datasets: real corpora nobody on the team wrote, loaded as ordinary :class:`~corpus.Corpus`
objects, each with its own taxonomy and split: Reuters-21578 (:mod:`.reuters`) and Wikipedia's
"Current events" portal (:mod:`.wikipedia`). ``newstag corpus reuters|wikinews`` build them on the
command line; the benchmarks and the real-data tests read them from ``../shared/data``.
"""

from .reuters import (REUTERS_SUBSETS, build_reuters, modapte_split, read_reuters, reuters_categories,
                      reuters_taxonomy)
from .wikipedia import (WIKINEWS_SOURCE, ActorResolver, build_wikipedia_current_events, read_wikipedia_current_events,
                        wikinews_taxonomy)

__all__ = [
    "REUTERS_SUBSETS", "WIKINEWS_SOURCE", "ActorResolver", "build_reuters", "build_wikipedia_current_events",
    "modapte_split", "read_reuters", "read_wikipedia_current_events", "reuters_categories", "reuters_taxonomy",
    "wikinews_taxonomy",
]
