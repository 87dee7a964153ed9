"""Results as pandas, polars and pyarrow frames and networkx graphs.

Each library is imported only when its conversion is asked for: quiver needs
none of them. Columns whose every value is an integer, a float or a boolean
are handed over as typed buffers (no Python object per value); the rest as
Python values (nodes, relationships and paths as quiver objects in pandas,
as dicts in polars and pyarrow).
"""

from __future__ import annotations

import importlib
from typing import Any, Dict, List, Tuple

from ._quiver import Duration, Node, Path, Relationship

_TYPECODES = {"int64": "q", "float64": "d", "bool": "B"}


def _need(module: str, extra: str):
    try:
        return importlib.import_module(module)
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError(
            f"this conversion needs {module}: pip install {extra} (or pip install 'quiver[{extra}]')"
        ) from e


_LISTS = ("str", "object", "entity")  # the kinds whose values come as a list of Python values


def _columns(result) -> List[Tuple[str, str, Any]]:
    return [(name, *result._column(i)) for i, name in enumerate(result.columns)]


def _numpy_array(kind: str, data: bytes):
    import numpy as np

    dtype = {"int64": np.int64, "float64": np.float64, "bool": np.bool_}[kind]
    return np.frombuffer(data, dtype=dtype).copy()


def _as_list(kind: str, data: Any) -> list:
    if kind in _LISTS:
        return data
    values = list(memoryview(data).cast(_TYPECODES[kind]))
    return [bool(v) for v in values] if kind == "bool" else values


def to_pandas(result):
    pd = _need("pandas", "pandas")
    data: Dict[str, Any] = {}
    for name, kind, values in _columns(result):
        if kind == "entity":  # nodes, lists, maps ... stay Python objects
            data[name] = pd.Series(values, dtype=object)
        elif kind in _LISTS:
            data[name] = pd.Series(values)
        else:
            data[name] = _numpy_array(kind, values)
    return pd.DataFrame(data, columns=list(result.columns))


def plain(v: Any) -> Any:
    """A value with nodes, relationships, paths and durations as plain data
    (dicts and strings) for frame libraries that want uniform columns."""
    if isinstance(v, Node):
        return {"_id": v.id, "_labels": v.labels, **{k: plain(x) for k, x in v.items()}}
    if isinstance(v, Relationship):
        return {
            "_id": v.id,
            "_type": v.type,
            "_start": v.start,
            "_end": v.end,
            **{k: plain(x) for k, x in v.items()},
        }
    if isinstance(v, Path):
        return {"nodes": [plain(n) for n in v.nodes], "relationships": [plain(r) for r in v.relationships]}
    if isinstance(v, Duration):
        return str(v)
    if isinstance(v, list):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    return v


def to_arrow(result):
    pa = _need("pyarrow", "pyarrow")
    arrays = []
    for name, kind, values in _columns(result):
        if kind not in _LISTS:
            arrow_type = {"int64": pa.int64(), "float64": pa.float64(), "bool": pa.bool_()}[kind]
            if kind == "bool":
                arrays.append(pa.array(_as_list(kind, values), type=arrow_type))
            else:
                arrays.append(pa.Array.from_buffers(arrow_type, len(result), [None, pa.py_buffer(values)]))
            continue
        if kind == "entity" and all(v is None or isinstance(v, Duration) for v in values):
            arrays.append(
                pa.array(
                    [None if v is None else (v.months, v.days, v.seconds * 1_000_000_000 + v.nanoseconds) for v in values],
                    type=pa.month_day_nano_interval(),
                )
            )
            continue
        if kind == "entity":
            values = [plain(v) for v in values]
        try:
            arrays.append(pa.array(values))
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
            # Mixed types in one column: Arrow needs one type, so they are written as text.
            arrays.append(pa.array([None if v is None else str(v) for v in values], type=pa.string()))
    return pa.Table.from_arrays(arrays, names=list(result.columns)) if arrays else pa.table({})


def to_polars(result):
    pl = _need("polars", "polars")
    series = []
    for name, kind, values in _columns(result):
        if kind not in _LISTS:
            series.append(pl.Series(name, _as_list(kind, values)))
            continue
        if kind == "entity":
            values = [plain(v) for v in values]
        try:
            series.append(pl.Series(name, values))
        except Exception:
            try:
                series.append(pl.Series(name, values, strict=False))
            except Exception:
                series.append(pl.Series(name, [None if v is None else str(v) for v in values], dtype=pl.Utf8))
    return pl.DataFrame(series)


def _walk(v: Any, nodes: dict, rels: dict) -> None:
    if isinstance(v, Node):
        nodes.setdefault(v.id, v)
    elif isinstance(v, Relationship):
        rels.setdefault(v.id, v)
        for n in (v.start_node, v.end_node):
            if n is not None:
                nodes.setdefault(n.id, n)
    elif isinstance(v, Path):
        for n in v.nodes:
            nodes.setdefault(n.id, n)
        for r in v.relationships:
            _walk(r, nodes, rels)
    elif isinstance(v, (list, tuple)):
        for x in v:
            _walk(x, nodes, rels)
    elif isinstance(v, dict):
        for x in v.values():
            _walk(x, nodes, rels)


def to_networkx(result, directed: bool = True):
    nx = _need("networkx", "networkx")
    graph = nx.MultiDiGraph() if directed else nx.MultiGraph()
    nodes: dict = {}
    rels: dict = {}
    for i, _ in enumerate(result.columns):
        kind, values = result._column(i)
        if kind == "entity":
            for v in values:
                _walk(v, nodes, rels)
    for nid, n in nodes.items():
        graph.add_node(nid, _labels=n.labels, **n.properties)
    for rid, r in rels.items():
        graph.add_edge(r.start, r.end, key=rid, _type=r.type, **r.properties)
    return graph


def frame_columns(frame) -> List[Tuple[str, list]]:
    """A frame's columns as ``(name, list of Python values)``, missing values
    (NaN, NaT, None, pandas.NA) as None: for ``Connection.import_frames``."""
    if isinstance(frame, dict):
        return [(str(k), list(v)) for k, v in frame.items()]
    module = type(frame).__module__.split(".")[0]
    if module == "pyarrow":
        return [(name, frame.column(name).to_pylist()) for name in frame.column_names]
    if module == "polars":
        return [(name, frame[name].to_list()) for name in frame.columns]
    if module == "pandas":
        out = []
        for name in frame.columns:
            series = frame[name]
            values = series.tolist()
            missing = series.isna().tolist()
            if any(missing):
                values = [None if m else v for v, m in zip(values, missing)]
            out.append((str(name), values))
        return out
    if hasattr(frame, "to_pydict"):
        return list(frame.to_pydict().items())
    if hasattr(frame, "to_dict"):
        return [(str(k), list(v)) for k, v in frame.to_dict(orient="list").items()]
    raise TypeError(f"import_frames takes pandas, pyarrow or polars frames or dicts of lists, not {type(frame).__name__}")
