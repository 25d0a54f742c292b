"""The pool of real news items for annotation: Wikipedia "Current events" events as JSON Lines.

Reads the portal's daily pages in ``../shared/data/wikipedia_current_events/posts`` (CC BY-SA 4.0; never
committed whole) with the project's own reader and writes one JSON object per event::

    {"id": "wce-2025-02-04-L12", "date": "2025-02-04", "text": "...", "url": "<the day's portal page>",
     "portal_section": "Armed conflicts and attacks", "story_line": ["Gaza war", ...], "outlets": [...]}

``id`` is the item's own id (the day and the line of the page), kept by the corpus as the source id.
The portal's section is kept as ``portal_section`` (not ``section``): it is the editors' filing, not a
label of our taxonomy, and the model is never shown it.

Run: ``.venv/bin/python -m tools.news.pool -o .cache/news/pool.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
POSTS = ROOT.parent / "shared" / "data" / "wikipedia_current_events" / "posts"


def pool_records(posts: Path = POSTS) -> list[dict]:
    """Every event of the portal pages as a pool record, in date and line order."""
    from corpus import read_wikipedia_current_events

    read = read_wikipedia_current_events(posts)
    out = []
    for a in read.articles:
        line = a.origin.rsplit(":", 1)[1]
        out.append({
            "id": f"wce-{a.meta['date']}-L{line}", "date": a.meta["date"], "text": a.body, "url": a.url,
            "portal_section": a.meta["section"], "story_line": list(a.meta["story_line"]),
            "outlets": list(a.meta["outlets"]),
        })
    out.sort(key=lambda r: (r["date"], int(r["id"].rsplit("-L", 1)[1])))
    return out


def write_jsonl(path: Path, rows) -> None:
    """One JSON object a line (keys sorted, UTF-8), written atomically."""
    from corpus import atomic_write_text

    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("-o", "--output", type=Path, default=ROOT / ".cache" / "news" / "pool.jsonl")
    p.add_argument("--posts", type=Path, default=POSTS)
    args = p.parse_args(argv)
    records = pool_records(args.posts)
    write_jsonl(args.output, records)
    print(f"{len(records)} events -> {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
