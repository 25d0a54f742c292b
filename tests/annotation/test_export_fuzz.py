"""The export parser meets damaged files: a non-UTF-8 export is a clear ExportError, and fuzzed JSON,
JSON_MIN and CSV exports give records or the package's own errors — never another exception."""

import csv
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotation import ExportError, read_export
from corpus import NewstagError, load_taxonomy

TAXONOMY = load_taxonomy()  # not a fixture: hypothesis prints the arguments of a failing example
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
                    derandomize=True)

_WORDS = st.sampled_from(["region", "themes", "actors", "asia", "europe", "JPN", "USA", "diplomacy", "choices",
                          "text", "article_id", "a1", "", "x", "Asia ", "é", "\x00", "1", "{}", "[]"])
_SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-3, 10**12), st.floats(allow_nan=False), _WORDS, st.text(max_size=8))
_VALUE = st.recursive(_SCALAR, lambda kids: st.lists(kids, max_size=3) | st.dictionaries(_WORDS, kids, max_size=4),
                      max_leaves=10)


def _result():
    return st.fixed_dictionaries({}, optional={
        "from_name": st.one_of(st.sampled_from(["region", "themes", "actors", "actors_mentions", "other"]), _SCALAR),
        "to_name": st.one_of(st.just("text"), _SCALAR),
        "type": st.one_of(st.sampled_from(["choices", "labels", "textarea"]), _SCALAR),
        "value": st.one_of(st.fixed_dictionaries({}, optional={"choices": _VALUE, "start": _SCALAR, "end": _SCALAR,
                                                                "labels": _VALUE, "text": _SCALAR}), _VALUE),
    })


def _annotation():
    return st.fixed_dictionaries({}, optional={
        "id": _SCALAR, "completed_by": st.one_of(_SCALAR, st.dictionaries(_WORDS, _SCALAR, max_size=2)),
        "result": st.one_of(st.lists(_result(), max_size=4), _VALUE), "was_cancelled": _SCALAR,
        "ground_truth": _SCALAR, "updated_at": _SCALAR, "lead_time": _SCALAR, "prediction": _VALUE,
    })


def _task():
    return st.fixed_dictionaries({}, optional={
        "id": _SCALAR, "data": st.one_of(st.fixed_dictionaries({}, optional={"article_id": _SCALAR, "text": _SCALAR}),
                                         _VALUE),
        "annotations": st.one_of(st.lists(_annotation(), max_size=3), _VALUE),
        "drafts": _VALUE, "predictions": _VALUE,
    })


def _parse(tmp_path, name, data: bytes, fmt="auto"):
    p = tmp_path / name
    p.write_bytes(data)
    try:
        read_export(p, TAXONOMY, fmt=fmt)
    except NewstagError:
        pass


def test_a_non_utf8_export_is_an_export_error_naming_line_and_byte(tmp_path):
    p = tmp_path / "export.json"
    p.write_bytes(b'[\n  {"id": 1, "data": {"text": "Caf\xe9"}}\n]\n')
    with pytest.raises(ExportError, match=r"annotation export 'export.json', line 2: invalid UTF-8 at byte 35 \(0xe9\); "
                                          r"expected UTF-8 text"):
        read_export(p, TAXONOMY)


@SETTINGS
@given(tasks=st.one_of(st.lists(_task(), max_size=4), _VALUE))
def test_fuzzed_json_exports_raise_only_the_package_errors(tmp_path, tasks):
    _parse(tmp_path, "export.json", json.dumps(tasks).encode(), "JSON")


@SETTINGS
@given(rows=st.one_of(st.lists(st.dictionaries(_WORDS, _VALUE, max_size=6), max_size=4), _VALUE))
def test_fuzzed_json_min_exports_raise_only_the_package_errors(tmp_path, rows):
    _parse(tmp_path, "export.json", json.dumps(rows).encode(), "JSON_MIN")


@SETTINGS
@given(header=st.lists(_WORDS, min_size=1, max_size=5), rows=st.lists(st.lists(st.one_of(_WORDS, _VALUE.map(json.dumps)),
                                                                              max_size=6), max_size=4))
def test_fuzzed_csv_exports_raise_only_the_package_errors(tmp_path, header, rows):
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    _parse(tmp_path, "export.csv", buf.getvalue().encode())


@SETTINGS
@given(data=st.binary(max_size=300))
def test_arbitrary_bytes_as_an_export_raise_only_the_package_errors(tmp_path, data):
    for name in ("export.json", "export.csv"):
        _parse(tmp_path, name, data)
