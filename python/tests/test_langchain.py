"""quiver.langchain.QuiverGraph: LangChain's graph-store interface.

The same checks run on duck-typed documents (plain objects and dicts, no
LangChain at all) and, where they are installed, on langchain_community's
GraphDocument with langchain_core's Document; GraphCypherQAChain runs over it
with a fake model. One test imports the module with LangChain hidden.
"""

import hashlib
import os
import subprocess
import sys
import textwrap
import warnings
from types import SimpleNamespace

import pytest

import quiver
from quiver.langchain import BASE_ENTITY_LABEL, QuiverGraph, format_schema, quote, schema_type

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    try:
        from langchain_core.documents import Document as LCDocument
    except ImportError:  # pragma: no cover - depends on the environment
        LCDocument = None
    try:
        from langchain_community.graphs import graph_document as lc_gd
        from langchain_community.graphs.graph_store import GraphStore
    except ImportError:  # pragma: no cover
        lc_gd = GraphStore = None


# -- documents, three ways


def duck_doc(nodes, rels, text, metadata=None):
    n = {k: SimpleNamespace(id=i, type=t, properties=p) for k, (i, t, p) in nodes.items()}
    r = [SimpleNamespace(source=n[s], target=n[e], type=t, properties=p) for s, t, e, p in rels]
    return SimpleNamespace(nodes=list(n.values()), relationships=r, source=SimpleNamespace(page_content=text, metadata=metadata))


def dict_doc(nodes, rels, text, metadata=None):
    n = {k: {"id": i, "type": t, "properties": p} for k, (i, t, p) in nodes.items()}
    r = [{"source": n[s], "target": n[e], "type": t, "properties": p} for s, t, e, p in rels]
    return {"nodes": list(n.values()), "relationships": r, "source": {"page_content": text, "metadata": metadata}}


def lc_doc(nodes, rels, text, metadata=None):
    n = {k: lc_gd.Node(id=i, type=t, properties=p) for k, (i, t, p) in nodes.items()}
    r = [lc_gd.Relationship(source=n[s], target=n[e], type=t, properties=p) for s, t, e, p in rels]
    return lc_gd.GraphDocument(
        nodes=list(n.values()), relationships=r, source=LCDocument(page_content=text, metadata=metadata or {})
    )


MAKERS = [
    pytest.param(duck_doc, id="duck-typed"),
    pytest.param(dict_doc, id="dicts"),
    pytest.param(
        lc_doc,
        id="langchain",
        marks=pytest.mark.skipif(lc_gd is None or LCDocument is None, reason="langchain_community not installed"),
    ),
]

ADA = {
    "ada": ("Ada Lovelace", "Person", {"born": 1815}),
    "engine": ("Analytical Engine", "Machine", {}),
    "babbage": ("Charles Babbage", "Person", {"born": 1791}),
}
ADA_RELS = [
    ("ada", "worked on", "engine", {"since": 1842}),
    ("babbage", "designed", "engine", {}),
    ("ada", "knows", "babbage", {}),
]
TEXT = "Ada Lovelace worked on the Analytical Engine that Charles Babbage designed."


@pytest.fixture
def graph():
    g = QuiverGraph()
    yield g
    g.close()


# -- query


def test_query_returns_dicts_with_nodes_as_properties(graph):
    graph.query("CREATE (:Person {name: 'Ada'})-[:KNOWS {since: 1833}]->(:Person {name: 'Alan'})")
    rows = graph.query("MATCH (a)-[k]->(b) RETURN a.name AS name, a, k, b, [a, 1] AS l")
    assert rows == [
        {
            "name": "Ada",
            "a": {"name": "Ada"},
            "k": ({"name": "Ada"}, "KNOWS", {"name": "Alan"}),
            "b": {"name": "Alan"},
            "l": [{"name": "Ada"}, 1],
        }
    ]
    path = graph.query("MATCH p = (:Person {name: $n})-->() RETURN p", {"n": "Ada"})
    assert path == [{"p": [{"name": "Ada"}, "KNOWS", {"name": "Alan"}]}]
    assert graph.query("MATCH (n:Nothing) RETURN n") == []


def test_query_errors_are_quiver_errors(graph):
    with pytest.raises(quiver.CypherSyntaxError):
        graph.query("MATCH (n RETURN n")
    with pytest.raises(quiver.ParameterMissing):
        graph.query("RETURN $missing AS x")


def test_sanitize_drops_long_lists():
    g = QuiverGraph(sanitize=True)
    g.query("CREATE (:Chunk {text: 'a', embedding: $e, tags: ['x', 'y']})", {"e": [0.5] * 200})
    assert g.query("MATCH (c:Chunk) RETURN c, c.embedding AS e, c.tags AS tags") == [
        {"c": {"text": "a", "tags": ["x", "y"]}, "tags": ["x", "y"]}
    ]
    assert QuiverGraph(g.connection).query("MATCH (c:Chunk) RETURN size(c.embedding) AS n") == [{"n": 200}]


# -- the schema


def test_schema_of_a_graph(graph):
    graph.query(
        "CREATE (a:Person {name: 'Ada', born: 1815, tags: ['x']})-[:KNOWS {since: 1833, w: 0.5}]->"
        "(b:Person:Admiral {name: 'Grace', d: date('1906-12-09')}), (a)-[:LIKES]->(:Movie {title: 'M'})"
    )
    graph.query("CREATE INDEX FOR (p:Person) ON (p.name)")
    graph.refresh_schema()
    s = graph.get_structured_schema
    assert set(s) == {"node_props", "rel_props", "relationships", "metadata"}
    assert s["node_props"] == {
        "Admiral": [{"property": "d", "type": "DATE"}, {"property": "name", "type": "STRING"}],
        "Movie": [{"property": "title", "type": "STRING"}],
        "Person": [
            {"property": "born", "type": "INTEGER"},
            {"property": "d", "type": "DATE"},
            {"property": "name", "type": "STRING"},
            {"property": "tags", "type": "LIST"},
        ],
    }
    assert s["rel_props"] == {"KNOWS": [{"property": "since", "type": "INTEGER"}, {"property": "w", "type": "FLOAT"}]}
    assert s["relationships"] == [
        {"start": "Person", "type": "KNOWS", "end": "Admiral"},
        {"start": "Person", "type": "KNOWS", "end": "Person"},
        {"start": "Person", "type": "LIKES", "end": "Movie"},
    ]
    assert s["metadata"]["constraint"] == []
    assert [(i["label"], i["property"]) for i in s["metadata"]["index"]] == [("Person", "name")]
    assert graph.get_schema == "\n".join(
        [
            "Node properties:",
            "Admiral {d: DATE, name: STRING}",
            "Movie {title: STRING}",
            "Person {born: INTEGER, d: DATE, name: STRING, tags: LIST}",
            "Relationship properties:",
            "KNOWS {since: INTEGER, w: FLOAT}",
            "The relationships:",
            "(:Person)-[:KNOWS]->(:Admiral)",
            "(:Person)-[:KNOWS]->(:Person)",
            "(:Person)-[:LIKES]->(:Movie)",
        ]
    )
    assert graph.get_schema == format_schema(s)


def test_schema_is_read_when_asked(graph):
    assert graph.get_structured_schema["node_props"] == {}
    graph.query("CREATE (:Thing {x: 1})")
    assert graph.get_structured_schema["node_props"] == {}  # as of the last refresh
    graph.refresh_schema()
    assert graph.get_structured_schema["node_props"] == {"Thing": [{"property": "x", "type": "INTEGER"}]}
    lazy = QuiverGraph(graph.connection, refresh_schema=False)
    assert lazy.get_schema == "" and lazy.get_structured_schema == {}


def test_schema_takes_the_most_common_type_and_sample_limits(graph):
    graph.query("UNWIND range(1, 10) AS i CREATE (:V {x: CASE WHEN i < 9 THEN i ELSE toString(i) END})")
    graph.refresh_schema()
    assert graph.get_structured_schema["node_props"]["V"] == [{"property": "x", "type": "INTEGER"}]
    graph.query("UNWIND range(1, 20) AS i CREATE (:W {i: i})")
    graph.query("MATCH (w:W {i: 20}) SET w.late = true")
    graph.refresh_schema()
    assert {"property": "late", "type": "BOOLEAN"} in graph.get_structured_schema["node_props"]["W"]
    sampled = QuiverGraph(graph.connection, sample=5)
    assert sampled.get_structured_schema["node_props"]["W"] == [{"property": "i", "type": "INTEGER"}]
    with pytest.raises(ValueError):
        QuiverGraph(graph.connection, sample=0)


def test_schema_types():
    assert schema_type("STRING NOT NULL") == "STRING"
    assert schema_type("LIST<INTEGER NOT NULL> NOT NULL") == "LIST"
    assert schema_type("ZONED DATETIME NOT NULL") == "DATE_TIME"
    assert schema_type("LOCAL DATETIME NOT NULL") == "LOCAL_DATE_TIME"
    assert schema_type("ZONED TIME NOT NULL") == "TIME"
    assert schema_type("LOCAL TIME NOT NULL") == "LOCAL_TIME"
    assert schema_type("DURATION NOT NULL") == "DURATION"


# -- add_graph_documents


@pytest.mark.parametrize("make", MAKERS)
def test_add_graph_documents(graph, make):
    graph.add_graph_documents([make(ADA, ADA_RELS, TEXT)])
    assert graph.query("MATCH (n) RETURN labels(n) AS l, n.id AS id, n.born AS born ORDER BY id") == [
        {"l": ["Person"], "id": "Ada Lovelace", "born": 1815},
        {"l": ["Machine"], "id": "Analytical Engine", "born": None},
        {"l": ["Person"], "id": "Charles Babbage", "born": 1791},
    ]
    assert graph.query("MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, r.since AS since, b.id AS b ORDER BY t") == [
        {"a": "Charles Babbage", "t": "DESIGNED", "since": None, "b": "Analytical Engine"},
        {"a": "Ada Lovelace", "t": "KNOWS", "since": None, "b": "Charles Babbage"},
        {"a": "Ada Lovelace", "t": "WORKED_ON", "since": 1842, "b": "Analytical Engine"},
    ]
    # the schema is read again after the import
    assert {"start": "Person", "type": "WORKED_ON", "end": "Machine"} in graph.get_structured_schema["relationships"]
    assert "Person {born: INTEGER, id: STRING}" in graph.get_schema

    # Merging again finds the same nodes and relationships; a node's properties are set when
    # it is created, as Neo4jGraph does.
    again = dict(ADA, ada=("Ada Lovelace", "Person", {"born": 1900, "title": "Countess"}))
    graph.add_graph_documents([make(again, ADA_RELS, TEXT)])
    assert graph.query("MATCH (n) RETURN count(n) AS n")[0]["n"] == 3
    assert graph.query("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"] == 3
    assert graph.query("MATCH (n {id: 'Ada Lovelace'}) RETURN n.born AS b, n.title AS t") == [{"b": 1815, "t": None}]


@pytest.mark.parametrize("make", MAKERS)
def test_include_source(graph, make):
    doc = make(ADA, ADA_RELS, TEXT, {"source": "wiki"})
    graph.add_graph_documents([doc], include_source=True)
    digest = hashlib.md5(TEXT.encode("utf-8")).hexdigest()
    meta = doc["source"]["metadata"] if isinstance(doc, dict) else doc.source.metadata
    assert meta["id"] == digest  # written back, as Neo4jGraph does
    assert graph.query("MATCH (d:Document) RETURN d") == [{"d": {"id": digest, "text": TEXT, "source": "wiki"}}]
    assert graph.query("MATCH (:Document)-[:MENTIONS]->(n) RETURN n.id AS id ORDER BY id") == [
        {"id": "Ada Lovelace"},
        {"id": "Analytical Engine"},
        {"id": "Charles Babbage"},
    ]
    # a document with its own id is merged by it
    other = make({"x": ("X", "Thing", {})}, [], "another text", {"id": "doc-2"})
    graph.add_graph_documents([other, other], include_source=True)
    assert graph.query("MATCH (d:Document {id: 'doc-2'})-[:MENTIONS]->(t:Thing) RETURN d.text AS text, t.id AS t") == [
        {"text": "another text", "t": "X"}
    ]


@pytest.mark.parametrize("make", MAKERS)
def test_base_entity_label(graph, make):
    graph.add_graph_documents([make(ADA, ADA_RELS, TEXT)], baseEntityLabel=True)
    rows = graph.query("MATCH (n) RETURN n.id AS id, labels(n) AS labels ORDER BY id")
    assert [(r["id"], sorted(r["labels"])) for r in rows] == [
        ("Ada Lovelace", ["Person", BASE_ENTITY_LABEL]),
        ("Analytical Engine", ["Machine", BASE_ENTITY_LABEL]),
        ("Charles Babbage", ["Person", BASE_ENTITY_LABEL]),
    ]
    assert graph.query("MATCH ()-[r]->() RETURN count(r) AS n") == [{"n": 3}]
    s = graph.get_structured_schema
    assert BASE_ENTITY_LABEL not in s["node_props"]  # kept out of the schema, as Neo4jGraph does
    assert all(BASE_ENTITY_LABEL not in (r["start"], r["end"]) for r in s["relationships"])
    assert [(i["label"], i["property"]) for i in s["metadata"]["index"]] == [(BASE_ENTITY_LABEL, "id")]
    # properties of a base-entity node are set on every merge
    graph.add_graph_documents(
        [make({"ada": ("Ada Lovelace", "Person", {"title": "Countess"})}, [], TEXT)], baseEntityLabel=True
    )
    assert graph.query("MATCH (n {id: 'Ada Lovelace'}) RETURN n.title AS t, n.born AS b") == [{"t": "Countess", "b": 1815}]


def test_awkward_labels_and_types_are_quoted(graph):
    nodes = {
        "a": ("a", "Weird`Label) DETACH DELETE (x", {}),
        "b": (7, "Two Words", {"k": "v"}),
    }
    graph.add_graph_documents([duck_doc(nodes, [("a", "rel`type}] ->", "b", {})], "t")])
    assert graph.query("MATCH (a)-[r]->(b) RETURN labels(a) AS la, type(r) AS t, labels(b) AS lb, b.id AS id") == [
        {"la": ["Weird`Label) DETACH DELETE (x"], "t": "REL`TYPE}]_->", "lb": ["Two Words"], "id": 7}
    ]
    assert quote("a`b") == "`a``b`"
    with pytest.raises(ValueError, match="empty"):
        graph.add_graph_documents([duck_doc({"a": ("a", "", {})}, [], "t")])
    with pytest.raises(ValueError, match="needs an id"):
        graph.add_graph_documents([duck_doc({"a": (None, "T", {})}, [], "t")])


def test_a_failing_document_changes_nothing(graph):
    good = duck_doc({"a": ("a", "T", {})}, [], "t")
    bad = duck_doc({"b": ("b", "T", {"bad": {"nested": "map"}})}, [], "u")
    with pytest.raises(quiver.Error):
        graph.add_graph_documents([good, bad])
    assert graph.query("MATCH (n) RETURN n.id AS id") == [{"id": "a"}]  # the first document stays, the second is undone


def test_opens_a_path_or_takes_a_connection(tmp_path):
    path = str(tmp_path / "kg.qv")
    with QuiverGraph(path) as g:
        g.add_graph_documents([duck_doc(ADA, ADA_RELS, TEXT)])
    with QuiverGraph(path, read_only=True) as g:
        assert g.query("MATCH (p:Person) RETURN count(p) AS n") == [{"n": 2}]
        assert "Machine {id: STRING}" in g.get_schema
    db = quiver.Database()
    g = QuiverGraph(db.connect())
    g.query("CREATE (:X)")
    assert db.execute("MATCH (x:X) RETURN count(x)").fetchone() == (1,)
    with pytest.raises(TypeError, match="quiver.Database"):
        QuiverGraph(42)


# -- against LangChain itself


@pytest.mark.skipif(GraphStore is None, reason="langchain_community not installed")
def test_is_a_langchain_graph_store_and_runs_a_cypher_chain():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from langchain_community.chains.graph_qa.cypher import GraphCypherQAChain
        from langchain_core.language_models.fake import FakeListLLM

    g = QuiverGraph()
    g.add_graph_documents([lc_doc(ADA, ADA_RELS, TEXT)])
    assert isinstance(g, GraphStore)
    cypher = "MATCH (a:Person {id: 'Ada Lovelace'})-[:KNOWS]->(b:Person) RETURN b.id AS friend"
    llm = FakeListLLM(responses=[cypher, "Ada knows Charles Babbage."])
    chain = GraphCypherQAChain.from_llm(
        llm, graph=g, allow_dangerous_requests=True, return_intermediate_steps=True, validate_cypher=True
    )
    out = chain.invoke({"query": "Whom does Ada know?"})
    assert out["result"] == "Ada knows Charles Babbage."
    assert out["intermediate_steps"] == [{"query": cypher}, {"context": [{"friend": "Charles Babbage"}]}]


def test_works_without_langchain(tmp_path):
    """With every langchain package hidden, quiver.langchain imports and works on duck-typed documents."""
    script = textwrap.dedent(
        """
        import sys
        from types import SimpleNamespace

        class Hide:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0].startswith("langchain"):
                    raise ImportError("hidden: " + name)
                return None

        sys.meta_path.insert(0, Hide())
        from quiver.langchain import QuiverGraph
        assert QuiverGraph.__mro__[1] is object, QuiverGraph.__mro__
        a = SimpleNamespace(id="a", type="A", properties={"x": 1})
        b = SimpleNamespace(id="b", type="B", properties={})
        doc = SimpleNamespace(nodes=[a, b], relationships=[SimpleNamespace(source=a, target=b, type="r", properties={})],
                              source=SimpleNamespace(page_content="text", metadata={}))
        g = QuiverGraph()
        g.add_graph_documents([doc], include_source=True)
        assert g.query("MATCH (:A)-[:R]->(b:B) RETURN b.id AS b") == [{"b": "b"}], g.query("MATCH (n) RETURN n")
        assert "(:A)-[:R]->(:B)" in g.get_schema
        assert not any(m.startswith("langchain") for m in sys.modules)
        print("ok")
        """
    )
    env = dict(os.environ)
    p = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=str(tmp_path))
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "ok"
