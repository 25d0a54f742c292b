"""Tag results as tidy rows and as files: JSON Lines, CSV or Parquet, in a long or a wide layout.

- **long**: one row per (article, facet, label) that the article was given: ``article_id``, ``source_id``,
  ``facet``, ``label``, ``score`` (rounded to 4 decimals, as in the JSON records) and ``source`` (where the
  label came from: ``model`` or ``alias-rule``, see :class:`LabelScore`). An article with no label has no
  row.
- **long with every score** (``all_scores=True``, ``newstag tag --all-scores``): one row per (article, facet,
  label of the taxonomy), given or not, with the same columns and ``given`` (whether the label was given):
  for analysts who choose their own cut-offs. The results must carry :attr:`TagResult.all_scores`.
- **wide**: one row per article: ``article_id``, ``source_id``, then per facet its label(s) and score(s):
  ``region``/``region_score`` for a single-label facet, ``themes``/``themes_scores`` for a multi-label one
  (lists in JSON Lines and Parquet, ``|``-joined in CSV). Every article has a row.

Files are written through a temporary file switched in by one rename (:func:`corpus.atomic.atomic_path`),
a batch of rows at a time, and are byte-identical for the same results (Parquet: no timestamps; pyarrow
records only its version).
"""

from __future__ import annotations

__all__ = ["TAG_FORMATS", "LAYOUTS", "tag_file_format", "long_rows", "wide_row", "facet_kinds", "write_tag_file",
           "write_tag_stream"]

import csv
import json
from pathlib import Path
from typing import Any, Iterable, Sequence, TextIO

from corpus import InputError
from corpus.atomic import atomic_path

from ._result import LabelScore, TagResult

# Each output format and the file suffixes that choose it (ls-predictions: one JSON document for Label Studio).
TAG_FORMATS = {"jsonl": (".jsonl", ".ndjson"), "csv": (".csv",), "parquet": (".parquet", ".pq"),
               "ls-predictions": (".json",)}
LAYOUTS = ("long", "wide")
LONG_COLUMNS = ("article_id", "source_id", "facet", "label", "score", "source")
ALL_SCORES_COLUMNS = (*LONG_COLUMNS, "given")
_ROWS_PER_WRITE = 2048  # long rows buffered before they go to the file (Parquet: one row group per write)


def _formats_text() -> str:
    return "; ".join(f"{name} ({', '.join(sfx)})" for name, sfx in TAG_FORMATS.items())


def tag_file_format(path: str | Path | None, fmt: str | None) -> str:
    """The format to write: ``fmt`` when given, else the one ``path``'s suffix names (stdout: jsonl).

    Raises
    ------
    InputError
        For an unknown format, a suffix that names no format (and no ``fmt``), or a suffix of another
        format than ``fmt``; the message lists the formats and their suffixes.
    """
    if fmt is not None and fmt not in TAG_FORMATS:
        raise InputError(f"--format {fmt!r}: expected one of {', '.join(TAG_FORMATS)}.")
    if path is None:
        return fmt or "jsonl"
    suffix = Path(path).suffix.lower()
    by_suffix = next((name for name, sfx in TAG_FORMATS.items() if suffix in sfx), None)
    if fmt is None:
        if by_suffix is None:
            hint = (" (.json is the Label Studio predictions document: add --format ls-predictions; JSON Lines "
                    "end in .jsonl)") if suffix == ".json" else ""
            raise InputError(f"-o {path}: the suffix {suffix or '(none)'!r} names no output format{hint}. Use one of: "
                             f"{_formats_text()}; or give --format.")
        if by_suffix == "ls-predictions":
            raise InputError(f"-o {path}: a .json file is the Label Studio predictions document; add --format "
                             f"ls-predictions for it, or name the file .jsonl for JSON Lines.")
        return by_suffix
    if by_suffix is not None and by_suffix != fmt:
        raise InputError(f"-o {path} has the suffix of {by_suffix}, but --format is {fmt}; make them agree "
                         f"({_formats_text()}).")
    return fmt


def _scores(value: LabelScore | tuple[LabelScore, ...] | None) -> tuple[LabelScore, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, LabelScore) else tuple(value)


def _score(s: LabelScore) -> float:
    return round(float(s.score), 4)


def long_rows(result: TagResult, article_id: str | None = None, source_id: str | None = None, *,
              all_scores: bool = False) -> list[dict[str, Any]]:
    """The long-layout rows of one result: one per label given, facets in taxonomy order, best first; with
    ``all_scores``, one per label of the taxonomy (the taxonomy's order) with ``given``.

    Raises
    ------
    InputError
        With ``all_scores``, for a result tagged without every label's score.
    """
    aid = result.id if article_id is None else article_id

    def row(facet: str, s: LabelScore) -> dict[str, Any]:
        return {"article_id": aid, "source_id": source_id, "facet": facet, "label": s.label, "score": _score(s),
                "source": s.source}

    if not all_scores:
        return [row(facet, s) for facet, value in result.tags.items() for s in _scores(value)]
    if result.all_scores is None:
        raise InputError(f"article {aid} was tagged without every label's score; tag with all_scores=True "
                         f"(Tagger.tag_batch) to write them.")
    rows = []
    for facet, every in result.all_scores.items():
        given = {s.label for s in _scores(result.tags.get(facet))}
        rows += [{**row(facet, s), "given": s.label in given} for s in every]
    return rows


def wide_row(result: TagResult, facets: Sequence[tuple[str, bool]], article_id: str | None = None,
             source_id: str | None = None) -> dict[str, Any]:
    """The wide-layout row of one result; ``facets`` is ``[(name, multi), ...]`` in column order."""
    row: dict[str, Any] = {"article_id": result.id if article_id is None else article_id, "source_id": source_id}
    for name, multi in facets:
        got = _scores(result.tags.get(name))
        if multi:
            row[name], row[f"{name}_scores"] = [s.label for s in got], [_score(s) for s in got]
        else:
            row[name], row[f"{name}_score"] = (got[0].label, _score(got[0])) if got else (None, None)
    return row


def wide_columns(facets: Sequence[tuple[str, bool]]) -> list[str]:
    cols = ["article_id", "source_id"]
    for name, multi in facets:
        cols += [name, f"{name}_scores" if multi else f"{name}_score"]
    return cols


def facet_kinds(taxonomy) -> list[tuple[str, bool]]:
    """``[(facet, multi), ...]`` of a taxonomy, in its order."""
    return [(f.name, f.multi) for f in taxonomy.facets]


def _kinds(facets) -> list[tuple[str, bool]]:
    return facet_kinds(facets) if hasattr(facets, "facets") else list(facets)


# ---- writers: one per format; each takes rows a batch at a time ------------------------------------

class _JsonLines:
    def __init__(self, sink, columns, facets):
        self.sink = sink

    def write(self, rows: list[dict]) -> None:
        self.sink.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))

    def close(self) -> None:
        pass


class _Csv:
    def __init__(self, sink, columns, facets):
        self.sink = sink
        self.writer = csv.DictWriter(sink, fieldnames=columns, lineterminator="\n")
        self.writer.writeheader()

    def write(self, rows: list[dict]) -> None:
        self.writer.writerows({k: "|".join(str(x) for x in v) if isinstance(v, list) else v for k, v in r.items()}
                              for r in rows)

    def close(self) -> None:
        pass


class _Parquet:
    def __init__(self, sink, columns, facets):
        import pyarrow as pa
        import pyarrow.parquet as pq

        types = {"article_id": pa.string(), "source_id": pa.string(), "facet": pa.string(), "label": pa.string(),
                 "score": pa.float64(), "source": pa.string(), "given": pa.bool_()}
        for name, multi in facets:
            types[name] = pa.list_(pa.string()) if multi else pa.string()
            types[f"{name}_scores" if multi else f"{name}_score"] = pa.list_(pa.float64()) if multi else pa.float64()
        self.pa = pa
        self.schema = pa.schema([(c, types[c]) for c in columns])
        self.writer = pq.ParquetWriter(sink, self.schema, compression="zstd")

    def write(self, rows: list[dict]) -> None:
        if rows:
            self.writer.write_table(self.pa.Table.from_pylist(rows, schema=self.schema))

    def close(self) -> None:
        self.writer.close()


_WRITERS = {"jsonl": _JsonLines, "csv": _Csv, "parquet": _Parquet}


def _check(fmt: str, layout: str, all_scores: bool = False) -> None:
    if fmt not in _WRITERS:
        raise InputError(f"tag files are {', '.join(_WRITERS)}; {fmt} is written by another function.")
    if layout not in LAYOUTS:
        raise InputError(f"--layout {layout!r}: expected long or wide.")
    if all_scores and layout != "long":
        raise InputError("every label's score is written in the long layout (a row per label); leave out "
                         "layout='wide' or all_scores.")


def _write_rows(results: Iterable[TagResult], writer, layout: str, facets, sources, flush=None,
                all_scores: bool = False) -> int:
    """Give ``writer`` the rows of ``results`` a batch at a time (``flush``: after each result); returns how
    many results."""
    n = 0
    buffer: list[dict] = []
    for n, result in enumerate(results, 1):
        source_id = sources[n - 1][1] if sources is not None else None
        if layout == "long":
            buffer += long_rows(result, source_id=source_id, all_scores=all_scores)
        else:
            buffer.append(wide_row(result, facets, source_id=source_id))
        if flush is not None or len(buffer) >= _ROWS_PER_WRITE:
            writer.write(buffer)
            buffer = []
            if flush is not None:
                flush()
    writer.write(buffer)
    writer.close()
    return n


def _columns(layout: str, facets, all_scores: bool = False) -> list[str]:
    if layout == "long":
        return list(ALL_SCORES_COLUMNS if all_scores else LONG_COLUMNS)
    return wide_columns(facets)


def write_tag_file(results: Iterable[TagResult], path: str | Path, *, facets,
                   fmt: str | None = None, layout: str = "long",
                   sources: Sequence[tuple[str, str | None]] | None = None, all_scores: bool = False) -> int:
    """Write tag results to ``path`` as JSON Lines, CSV or Parquet (``fmt``, else by suffix) in the ``long``
    or ``wide`` layout, a batch of rows at a time; returns how many results were written.

    Parameters
    ----------
    results : what :meth:`Tagger.tag_batch` yields (consumed once, as it comes)
    path : the file; written whole or not at all (a temporary file renamed into place)
    facets : the model's taxonomy (``tagger.fitted_taxonomy``) or ``[(facet, multi), ...]``: the wide columns
    fmt : ``jsonl``, ``csv`` or ``parquet``; default: by the suffix of ``path``
    layout : ``long`` (a row per label) or ``wide`` (a row per article)
    sources : per result, ``(file it came from, the record's own id there)``; the id goes to ``source_id``
    all_scores : a row per label of the taxonomy, given or not, with ``given`` (long layout; the results
        must come from ``tag_batch(..., all_scores=True)``)

    Raises
    ------
    InputError
        For an unknown format, layout or suffix (see :func:`tag_file_format`), ``all_scores`` with the wide
        layout, or (``all_scores``) a result without every label's score.
    """
    fmt = tag_file_format(path, fmt)
    _check(fmt, layout, all_scores)
    facets = _kinds(facets)
    with atomic_path(path) as tmp:
        with open(tmp, "wb") if fmt == "parquet" else open(tmp, "w", encoding="utf-8", newline="") as sink:
            writer = _WRITERS[fmt](sink, _columns(layout, facets, all_scores), facets)
            return _write_rows(results, writer, layout, facets, sources, all_scores=all_scores)


def write_tag_stream(results: Iterable[TagResult], sink: TextIO, *, facets,
                     fmt: str = "jsonl", layout: str = "long",
                     sources: Sequence[tuple[str, str | None]] | None = None, all_scores: bool = False) -> int:
    """:func:`write_tag_file` to an open text stream (stdout), each article's rows as soon as it is tagged;
    JSON Lines or CSV (Parquet needs a file)."""
    if fmt == "parquet":
        raise InputError("Parquet is written to a file: give -o FILE.parquet.")
    _check(fmt, layout, all_scores)
    facets = _kinds(facets)
    writer = _WRITERS[fmt](sink, _columns(layout, facets, all_scores), facets)
    return _write_rows(results, writer, layout, facets, sources, flush=sink.flush, all_scores=all_scores)
