"""quiver as a LangChain graph store: ``QuiverGraph``.

``QuiverGraph`` offers the methods LangChain's graph chains call on a graph
store (``query``, ``refresh_schema``, ``get_schema``,
``get_structured_schema``, ``add_graph_documents``), shaped as
``langchain_community``'s ``Neo4jGraph`` shapes them: rows as dicts, the
schema as ``node_props`` / ``rel_props`` / ``relationships`` / ``metadata``
and as the text a prompt takes::

    import quiver
    from quiver.langchain import QuiverGraph

    graph = QuiverGraph(quiver.Database("kg.qv"))
    graph.add_graph_documents(docs, include_source=True)  # e.g. from LLMGraphTransformer
    print(graph.get_schema)
    graph.query("MATCH (n:Person) RETURN n.id AS name LIMIT 3")

LangChain is not needed to use it: documents may be any objects (or dicts)
with the attributes of LangChain's ``GraphDocument`` (``nodes`` with ``id``,
``type``, ``properties``; ``relationships`` with ``source``, ``target``,
``type``, ``properties``; ``source`` with ``page_content`` and ``metadata``).
When ``langchain_community`` is installed, ``QuiverGraph`` is also a
``langchain_community.graphs.graph_store.GraphStore``, so chains that check
for one (``GraphCypherQAChain``) take it.

Security note: like every LangChain graph store, ``query`` runs whatever
statement it is given, writes included. Give a chain that writes queries
from a language model a read-only database (``quiver.Database(path,
read_only=True)``) unless it is meant to change the graph.
"""

from __future__ import annotations

import hashlib
import warnings
from typing import Any, Dict, Iterable, List, Optional, Tuple

from . import _quiver

__all__ = ["QuiverGraph", "BASE_ENTITY_LABEL"]

BASE_ENTITY_LABEL = "__Entity__"
"""The extra label ``add_graph_documents(baseEntityLabel=True)`` gives every entity (indexed on ``id``)."""

LIST_LIMIT = 128
"""``sanitize=True`` drops lists with this many elements or more (embeddings) from query results."""


def _graph_store_base() -> type:
    """langchain_community's GraphStore when it is installed (chains check for it), else object."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # langchain_community warns on import that it is being sunset
            from langchain_community.graphs.graph_store import GraphStore
        return GraphStore
    except Exception:  # noqa: BLE001 - not installed, or broken: the duck-typed interface still works
        return object


def quote(name: str, what: str = "label") -> str:
    """``name`` as a quoted identifier (backticks, inner backticks doubled)."""
    if not isinstance(name, str):
        raise TypeError(f"a {what} is a str, not {type(name).__name__}: {name!r}")
    if name == "":
        raise ValueError(f"a {what} cannot be empty")
    return "`" + name.replace("`", "``") + "`"


# valueType() names -> the type names apoc.meta.data gives (and Neo4jGraph's schema shows).
_TYPES = {
    "STRING": "STRING",
    "INTEGER": "INTEGER",
    "FLOAT": "FLOAT",
    "BOOLEAN": "BOOLEAN",
    "DATE": "DATE",
    "LOCAL TIME": "LOCAL_TIME",
    "ZONED TIME": "TIME",
    "LOCAL DATETIME": "LOCAL_DATE_TIME",
    "ZONED DATETIME": "DATE_TIME",
    "DURATION": "DURATION",
    "POINT": "POINT",
    "MAP": "MAP",
}


def schema_type(value_type: str) -> str:
    """A ``valueType()`` answer (``'LIST<INTEGER NOT NULL> NOT NULL'``) as a schema type (``'LIST'``)."""
    t = value_type.strip()
    if t.endswith(" NOT NULL"):
        t = t[: -len(" NOT NULL")]
    if t.startswith("LIST"):
        return "LIST"
    return _TYPES.get(t, t.replace(" ", "_"))


def _get(obj: Any, name: str, default: Any = None) -> Any:
    """An attribute of a LangChain-like object, or a key of a dict standing for one."""
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _data(v: Any) -> Any:
    """A result value as the Neo4j driver's ``Record.data()`` gives it: a node as its properties,
    a relationship as ``(start properties, type, end properties)``, a path as
    ``[node, type, node, ...]``; lists and maps inside converted too."""
    if isinstance(v, _quiver.Node):
        return {k: _data(x) for k, x in v.properties.items()}
    if isinstance(v, _quiver.Relationship):
        start, end = v.start_node, v.end_node
        return (
            _data(start) if start is not None else {},
            v.type,
            _data(end) if end is not None else {},
        )
    if isinstance(v, _quiver.Path):
        nodes, rels = v.nodes, v.relationships
        out: list = [_data(nodes[0])] if nodes else []
        for i, r in enumerate(rels):
            out.append(r.type)
            out.append(_data(nodes[i + 1]))
        return out
    if isinstance(v, list):
        return [_data(x) for x in v]
    if isinstance(v, dict):
        return {k: _data(x) for k, x in v.items()}
    return v


def value_sanitize(d: Any) -> Any:
    """``d`` without lists of ``LIST_LIMIT`` or more elements (embedding-like values that only
    fill a language model's context), in maps and lists at any depth; as Neo4jGraph's
    ``sanitize=True`` does. A top-level oversized list becomes None."""
    if isinstance(d, dict):
        out = {}
        for k, v in d.items():
            if isinstance(v, list) and len(v) >= LIST_LIMIT:
                continue
            s = value_sanitize(v)
            if s is not None or v is None:
                out[k] = s
        return out
    if isinstance(d, (list, tuple)):
        if len(d) >= LIST_LIMIT:
            return None
        items = [value_sanitize(x) for x in d]
        items = [x for x, orig in zip(items, d) if x is not None or orig is None]
        return tuple(items) if isinstance(d, tuple) else items
    return d


def _props_text(props: List[Dict[str, str]]) -> str:
    return ", ".join(f"{p['property']}: {p['type']}" for p in props)


def format_schema(schema: Dict[str, Any]) -> str:
    """The structured schema as the text Neo4jGraph puts in a prompt."""
    node_lines = [f"{label} {{{_props_text(props)}}}" for label, props in schema["node_props"].items()]
    rel_lines = [f"{rtype} {{{_props_text(props)}}}" for rtype, props in schema["rel_props"].items()]
    rels = [f"(:{r['start']})-[:{r['type']}]->(:{r['end']})" for r in schema["relationships"]]
    return "\n".join(
        [
            "Node properties:",
            "\n".join(node_lines),
            "Relationship properties:",
            "\n".join(rel_lines),
            "The relationships:",
            "\n".join(rels),
        ]
    )


class QuiverGraph(_graph_store_base()):  # type: ignore[misc]
    """A quiver database as a LangChain graph store.

    ``db`` is a ``quiver.Database``, a ``quiver.Connection`` (its database's
    other connections see the same graph), a path (opened as
    ``quiver.Database(path, read_only=read_only)``) or None (a new in-memory
    graph). ``sanitize=True`` drops lists of 128 or more elements from
    ``query`` results. ``refresh_schema=False`` skips reading the schema now
    (call ``refresh_schema()`` later). ``sample`` limits how many nodes per
    label and relationships per type the schema looks at (None: all of them).
    """

    def __init__(
        self,
        db: Any = None,
        *,
        read_only: bool = False,
        sanitize: bool = False,
        refresh_schema: bool = True,
        sample: Optional[int] = None,
    ) -> None:
        if isinstance(db, _quiver.Connection):
            self._conn = db
            self.db = None
        else:
            if db is None or isinstance(db, (str, bytes)) or hasattr(db, "__fspath__"):
                db = _quiver.Database(db, read_only=read_only)
            if not isinstance(db, _quiver.Database):
                raise TypeError(
                    f"QuiverGraph takes a quiver.Database, a quiver.Connection, a path or None, "
                    f"not {type(db).__name__}"
                )
            self.db = db
            self._conn = db.connect()
        if sample is not None and (not isinstance(sample, int) or sample < 1):
            raise ValueError(f"sample is a positive number of nodes (or None for all), not {sample!r}")
        self.sanitize = sanitize
        self.sample = sample
        self.schema: str = ""
        self.structured_schema: Dict[str, Any] = {}
        if refresh_schema:
            self.refresh_schema()

    @property
    def connection(self):
        """The ``quiver.Connection`` the graph store runs its statements on."""
        return self._conn

    @property
    def get_schema(self) -> str:
        """The schema as text for a prompt (as of the last ``refresh_schema()``)."""
        return self.schema

    @property
    def get_structured_schema(self) -> Dict[str, Any]:
        """The schema as data: ``node_props`` (label -> ``[{"property", "type"}]``),
        ``rel_props`` (type -> the same), ``relationships`` (``[{"start", "type", "end"}]``)
        and ``metadata`` (``{"constraint": [...], "index": [...]}``, the indexes as
        ``SHOW INDEXES`` rows)."""
        return self.structured_schema

    def query(self, query: str, params: Optional[dict] = None) -> List[Dict[str, Any]]:
        """Runs ``query`` with ``params`` and returns its rows as dicts of column to value
        (nodes as their properties, relationships as ``(start, type, end)``; see the
        module's ``_data``). Errors are ``quiver.Error`` exceptions."""
        result = self._conn.execute(query, params or {})
        columns = result.columns
        rows = [{c: _data(v) for c, v in zip(columns, row)} for row in result]
        if self.sanitize:
            rows = [value_sanitize(r) for r in rows]
        return rows

    def close(self) -> None:
        """Closes the connection (and the database, when the graph store opened it)."""
        self._conn.close()
        if self.db is not None:
            self.db.close()

    def __enter__(self) -> "QuiverGraph":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- schema

    def _props(self, match: str, var: str) -> List[Dict[str, str]]:
        limit = f" WITH {var} LIMIT {int(self.sample)}" if self.sample else ""
        rows = self._conn.execute(
            f"{match}{limit} UNWIND keys({var}) AS key "
            f"RETURN key, valueType({var}[key]) AS type, count(*) AS n ORDER BY key, n DESC, type"
        ).fetchall()
        out, seen = [], set()
        for key, vtype, _ in rows:
            if key in seen:  # a property of several types: the most common one
                continue
            seen.add(key)
            out.append({"property": key, "type": schema_type(vtype)})
        return out

    def refresh_schema(self) -> None:
        """Reads the labels, relationship types, their properties (with the type most of
        their values have), which labels each type connects, and the indexes."""
        labels = [r[0] for r in self._conn.execute("CALL db.labels() YIELD label RETURN label ORDER BY label")]
        types = [
            r[0]
            for r in self._conn.execute(
                "CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType ORDER BY relationshipType"
            )
        ]
        node_props = {
            label: self._props(f"MATCH (n:{quote(label)})", "n") for label in labels if label != BASE_ENTITY_LABEL
        }
        rel_props = {}
        relationships = []
        for t in types:
            props = self._props(f"MATCH ()-[r:{quote(t, 'type')}]->()", "r")
            if props:
                rel_props[t] = props
            limit = f" WITH a, b LIMIT {int(self.sample)}" if self.sample else ""
            ends = self._conn.execute(
                f"MATCH (a)-[:{quote(t, 'type')}]->(b){limit} UNWIND labels(a) AS s UNWIND labels(b) AS e "
                "WITH DISTINCT s, e WHERE s <> $base AND e <> $base RETURN s, e ORDER BY s, e",
                {"base": BASE_ENTITY_LABEL},
            ).fetchall()
            relationships.extend({"start": s, "type": t, "end": e} for s, e in ends)
        index = self._conn.execute("SHOW INDEXES").to_dicts()
        self.structured_schema = {
            "node_props": node_props,
            "rel_props": rel_props,
            "relationships": relationships,
            "metadata": {"constraint": [], "index": index},
        }
        self.schema = format_schema(self.structured_schema)

    # -- writing LangChain's GraphDocuments

    def add_graph_documents(
        self,
        graph_documents: Iterable[Any],
        include_source: bool = False,
        baseEntityLabel: bool = False,
    ) -> None:
        """Merges the nodes and relationships of ``graph_documents`` into the graph, as
        Neo4jGraph does: a node is found or created by its type (the label) and ``id``, its
        properties set when it is created; a relationship's type is upper-cased with spaces
        as underscores, and it is found or created between its two nodes, its properties set
        when it is created. Labels and types are quoted, so any text is safe.

        ``include_source=True`` also merges a ``Document`` node for each document's source
        (by ``metadata["id"]``, else the MD5 of its text, which is written back into the
        metadata) with its ``text`` and metadata, and a ``MENTIONS`` relationship from it to
        each of the document's nodes. ``baseEntityLabel=True`` merges every node by
        ``__Entity__`` and ``id`` (indexed) and adds its type as a second label.

        Each document is one transaction (unless the connection is already in one)."""
        if baseEntityLabel:
            self._conn.execute(f"CREATE INDEX IF NOT EXISTS FOR (b:{quote(BASE_ENTITY_LABEL)}) ON (b.id)")
        for document in graph_documents:
            if self._conn.in_transaction:
                self._add_document(document, include_source, baseEntityLabel)
            else:
                with self._conn.transaction():
                    self._add_document(document, include_source, baseEntityLabel)
        self.refresh_schema()

    def _add_document(self, document: Any, include_source: bool, base: bool) -> None:
        nodes = list(_get(document, "nodes") or [])
        relationships = list(_get(document, "relationships") or [])
        doc_id = None
        if include_source:
            doc_id = self._merge_source(_get(document, "source"))

        # Nodes: one statement per type (the label is quoted into the text).
        by_type: Dict[str, List[Dict[str, Any]]] = {}
        for node in nodes:
            by_type.setdefault(_get(node, "type", "Node"), []).append(
                {"id": self._node_id(node), "properties": dict(_get(node, "properties") or {})}
            )
        for ntype, rows in by_type.items():
            label = quote(ntype)
            if base:
                merge = f"MERGE (n:{quote(BASE_ENTITY_LABEL)} {{id: row.id}}) SET n += row.properties SET n:{label} "
            else:
                merge = f"MERGE (n:{label} {{id: row.id}}) ON CREATE SET n += row.properties "
            if doc_id is not None:
                q = f"MATCH (d:Document {{id: $doc}}) UNWIND $data AS row {merge}MERGE (d)-[:MENTIONS]->(n) "
            else:
                q = f"UNWIND $data AS row {merge}"
            self._conn.execute(q + "RETURN count(*) AS n", {"data": rows, "doc": doc_id})

        # Relationships: one statement per (start type, type, end type).
        groups: Dict[Tuple[str, str, str], List[Dict[str, Any]]] = {}
        for rel in relationships:
            s, t = _get(rel, "source"), _get(rel, "target")
            if s is None or t is None:
                raise ValueError("a relationship needs its source and target nodes")
            rtype = _get(rel, "type")
            if not isinstance(rtype, str):
                raise TypeError(f"a relationship type is a str, not {type(rtype).__name__}")
            key = (_get(s, "type", "Node"), rtype.replace(" ", "_").upper(), _get(t, "type", "Node"))
            groups.setdefault(key, []).append(
                {
                    "source": self._node_id(s),
                    "target": self._node_id(t),
                    "properties": dict(_get(rel, "properties") or {}),
                }
            )
        for (stype, rtype, ttype), rows in groups.items():
            if base:  # merged by __Entity__ and id; an end first seen here still gets its type as a label
                ends = (
                    f"MERGE (a:{quote(BASE_ENTITY_LABEL)} {{id: row.source}}) "
                    f"MERGE (b:{quote(BASE_ENTITY_LABEL)} {{id: row.target}}) "
                    f"SET a:{quote(stype)} SET b:{quote(ttype)} "
                )
            else:
                ends = f"MERGE (a:{quote(stype)} {{id: row.source}}) MERGE (b:{quote(ttype)} {{id: row.target}}) "
            self._conn.execute(
                f"UNWIND $data AS row {ends}"
                f"MERGE (a)-[r:{quote(rtype, 'relationship type')}]->(b) ON CREATE SET r += row.properties "
                "RETURN count(*) AS n",
                {"data": rows},
            )

    def _merge_source(self, source: Any) -> str:
        """Merges the Document node of a source document; its id (written into its metadata when
        the metadata had none)."""
        if source is None:
            raise ValueError("include_source=True needs each document's source (a Document)")
        text = _get(source, "page_content")
        if not isinstance(text, str):
            raise TypeError("a source document's page_content is a str")
        metadata = _get(source, "metadata")
        if metadata is None:
            metadata = {}
            if isinstance(source, dict):
                source["metadata"] = metadata
            else:
                source.metadata = metadata
        if not metadata.get("id"):
            metadata["id"] = hashlib.md5(text.encode("utf-8")).hexdigest()
        self._conn.execute(
            "MERGE (d:Document {id: $meta.id}) SET d.text = $text SET d += $meta RETURN count(d) AS n",
            {"meta": dict(metadata), "text": text},
        )
        return metadata["id"]

    @staticmethod
    def _node_id(node: Any) -> Any:
        nid = _get(node, "id")
        if nid is None:
            raise ValueError(f"a node needs an id: {node!r}")
        return nid

    def __repr__(self) -> str:
        return f"QuiverGraph({self.db if self.db is not None else self._conn!r})"
