import pickle

import pytest

import quiver


def test_readme_example():
    db = quiver.Database()
    conn = db.connect()
    conn.execute("CREATE (:Person {name: 'Ada'})-[:KNOWS]->(:Person {name: 'Alan'})")
    result = conn.execute(
        "MATCH (a:Person {name: $name})-[:KNOWS]->(b) RETURN b.name AS friend", {"name": "Ada"}
    )
    assert result.columns == ["friend"]
    assert result.fetchall() == [("Alan",)]


def test_database_execute_shortcut_and_connection_class(db):
    db.execute("CREATE (:A {x: 1})")
    conn = quiver.Connection(db)
    assert conn.execute("MATCH (a:A) RETURN a.x").fetchall() == [(1,)]
    assert conn.database is db


def test_stats_keys_match_the_cli(conn):
    r = conn.execute("CREATE (a:A {x: 1, y: 2})-[:R]->(b:B)")
    assert r.stats == {
        "nodes_created": 2,
        "nodes_deleted": 0,
        "relationships_created": 1,
        "relationships_deleted": 0,
        "labels_added": 2,
        "labels_removed": 0,
        "properties_set": 2,
        "properties_removed": 0,
    }
    r = conn.execute("MATCH (a:A) DETACH DELETE a")
    assert r.stats["nodes_deleted"] == 1 and r.stats["relationships_deleted"] == 1


def test_iteration_fetchone_fetchmany_fetchall(conn):
    r = conn.execute("UNWIND range(1, 5) AS x RETURN x, x * x AS sq")
    assert len(r) == 5
    assert r.fetchone() == (1, 1)
    assert r.fetchmany(2) == [(2, 4), (3, 9)]
    assert list(r) == [(4, 16), (5, 25)]
    assert r.fetchone() is None
    assert r.fetchall() == []
    r.reset_iterator()
    assert r.fetchall()[0] == (1, 1)


def test_to_dicts(people):
    r = people.execute("MATCH (p:Person) RETURN p.name AS name, p.born AS born ORDER BY born")
    assert r.to_dicts() == [
        {"name": "Ada", "born": 1815},
        {"name": "Grace", "born": 1906},
        {"name": "Alan", "born": 1912},
    ]


def test_kuzu_names(people):
    r = people.execute("MATCH (p:Person) RETURN p.name ORDER BY p.name")
    assert r.get_column_names() == ["p.name"]
    assert r.get_num_tuples() == 3
    rows = []
    while r.has_next():
        rows.append(r.get_next())
    assert rows == [["Ada"], ["Alan"], ["Grace"]]
    with pytest.raises(IndexError):
        r.get_next()
    r.close()


def test_nodes_relationships_paths(people):
    r = people.execute(
        "MATCH p = (a:Person {name: 'Ada'})-[k:KNOWS]->(b) RETURN a, k, b, p, id(a) AS aid, id(k) AS kid"
    )
    a, k, b, p, aid, kid = r.fetchone()
    assert isinstance(a, quiver.Node)
    assert a.id == aid and a.labels == ["Person"]
    assert a.properties == {"name": "Ada", "born": 1815}
    assert a["name"] == "Ada" and a.get("missing") is None and a.get("missing", 7) == 7
    assert "born" in a and "missing" not in a
    with pytest.raises(KeyError):
        a["missing"]
    assert isinstance(k, quiver.Relationship)
    assert (k.id, k.type, k.start, k.end) == (kid, "KNOWS", a.id, b.id)
    assert k["since"] == 1833 and k.properties == {"since": 1833}
    assert k.start_node == a and k.end_node == b
    assert isinstance(p, quiver.Path)
    assert p.nodes == [a, b] and p.relationships == [k] and len(p) == 1
    assert p.start_node == a and p.end_node == b
    assert repr(a) == f"Node(id={a.id}, labels=['Person'], properties={{'born': 1815, 'name': 'Ada'}})"
    assert repr(k) == f"Relationship(id={k.id}, type='KNOWS', start={a.id}, end={b.id}, properties={{'since': 1833}})"
    assert "KNOWS" in repr(p)
    # Equality by id; usable as dict keys.
    again = people.execute("MATCH (a:Person {name: 'Ada'}) RETURN a").fetchone()[0]
    assert again == a and hash(again) == hash(a) and {a: 1}[again] == 1
    assert a != b


def test_entities_in_lists_and_maps(people):
    (row,) = people.execute("MATCH (a:Person {name: 'Ada'})-[k]->(b) RETURN {who: a, rels: [k]} AS m").fetchall()
    m = row[0]
    assert m["who"]["name"] == "Ada" and m["rels"][0].type == "KNOWS"


def test_deleted_entities_keep_their_properties(conn):
    conn.execute("CREATE (:Gone {name: 'x'})")
    (n,) = conn.execute("MATCH (g:Gone) DELETE g RETURN g").fetchone()
    assert n.labels == ["Gone"] and n["name"] == "x"


def test_explain_gives_a_plan(people):
    r = people.execute("EXPLAIN MATCH (p:Person) RETURN p")
    assert r.plan and len(r) == 0
    assert people.execute("MATCH (p) RETURN p").plan is None


def test_file_database_persists_and_read_only(tmp_path):
    path = tmp_path / "g.qv"
    with quiver.Database(path) as db:
        db.execute("CREATE (:Person {name: 'Ada'})")
        assert db.path == str(path) and not db.read_only
    assert db.closed
    with pytest.raises(quiver.Error):
        db.execute("RETURN 1")
    with quiver.Database(str(path), read_only=True) as ro:
        assert ro.execute("MATCH (p:Person) RETURN p.name").fetchall() == [("Ada",)]
        with pytest.raises(quiver.StorageError) as e:
            ro.execute("CREATE (:X)")
        assert e.value.code == "ReadOnly"


def test_a_second_writer_is_locked_out(tmp_path):
    path = tmp_path / "g.qv"
    with quiver.Database(path):
        # The lock is per process; a second open in this process shares nothing,
        # so ask another process.
        import subprocess
        import sys

        code = (
            "import quiver, sys\n"
            "try:\n"
            f"    quiver.Database({str(path)!r})\n"
            "except quiver.DatabaseLocked as e:\n"
            "    print(e.code, isinstance(e, quiver.StorageError)); sys.exit(0)\n"
            "sys.exit(1)\n"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        assert out.stdout.split() == ["DatabaseLocked", "True"]


def test_in_memory_spellings():
    for p in (None, "", ":memory:"):
        db = quiver.Database(p)
        assert db.path is None
        db.execute("CREATE ()")
    with pytest.raises(quiver.ArgumentError):
        quiver.Database(read_only=True)


def test_schema(people, db):
    s = db.schema()
    assert s["labels"] == {"Admiral": 1, "Person": 3}
    assert s["relationship_types"] == {"KNOWS": 2}
    assert s["property_keys"]["name"] == 3


def test_dump_rebuilds_the_graph(people, db):
    script = db.dump()
    other = quiver.Database()
    for stmt in [s for s in script.split(";\n") if s.strip()]:
        other.execute(stmt)
    assert other.execute("MATCH (n) RETURN count(n)").fetchone() == (3,)
    assert other.execute("MATCH ()-[k:KNOWS]->() RETURN sum(k.since)").fetchone() == (3773,)


def test_closed_connection(db):
    c = db.connect()
    c.close()
    assert c.closed
    with pytest.raises(quiver.Error, match="closed"):
        c.execute("RETURN 1")


def test_help_and_docstrings():
    assert "openCypher" in quiver.__doc__
    for obj in (quiver.Database, quiver.Connection, quiver.QueryResult, quiver.Node, quiver.Duration):
        assert obj.__doc__ and len(obj.__doc__) > 40, obj
    assert "parameters" in quiver.Connection.execute.__doc__
    assert quiver.__version__


def test_errors_pickle():
    try:
        quiver.Database().execute("RETURN nope")
    except quiver.Error as e:
        again = pickle.loads(pickle.dumps(e))
        assert type(again) is type(e) and again.code == e.code and again.line == e.line


def test_stubs_ship_and_name_every_public_class():
    import pathlib

    stub = pathlib.Path(quiver.__file__).with_name("_quiver.pyi")
    assert stub.exists() and pathlib.Path(quiver.__file__).with_name("py.typed").exists()
    text = stub.read_text()
    for name in ("Database", "Connection", "Transaction", "QueryResult", "Node", "Relationship", "Path", "Duration"):
        assert f"class {name}" in text
        for attr in dir(getattr(quiver, name)):
            if not attr.startswith("_"):
                assert f"def {attr}(" in text, f"{name}.{attr} is not in the stubs"
