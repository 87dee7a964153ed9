import json

import pytest

import quiver


@pytest.fixture
def files(tmp_path):
    people = tmp_path / "people.csv"
    people.write_text("id:ID,name,born:int\n1,Ada,1815\n2,Alan,1912\n3,Grace,1906\n")
    knows = tmp_path / "knows.csv"
    knows.write_text(":START_ID,:END_ID,since:int\n1,2,1833\n2,3,1940\n")
    cities = tmp_path / "cities.jsonl"
    cities.write_text(
        "\n".join(json.dumps(x) for x in [
            {"id": "c1", "labels": ["City"], "properties": {"name": "London"}},
            {"id": "c2", "labels": ["City"], "properties": {"name": "New York"}},
        ]) + "\n"
    )
    return tmp_path


def test_import_files_with_a_dict(conn, files):
    summary = conn.import_files(
        nodes={"Person": files / "people.csv"}, relationships={"KNOWS": str(files / "knows.csv")}
    )
    assert summary["nodes"] == 3 and summary["relationships"] == 2 and summary["files"] == 2
    r = conn.execute("MATCH (a:Person)-[k:KNOWS]->(b) RETURN a.name, b.name, k.since ORDER BY k.since")
    assert r.fetchall() == [("Ada", "Alan", 1833), ("Alan", "Grace", 1940)]
    assert conn.execute("MATCH (p:Person {name: 'Ada'}) RETURN p.born, p.id").fetchone() == (1815, "1")


def test_import_files_cli_style_strings_pairs_and_jsonl(conn, files):
    conn.import_files(
        nodes=[f"Person={files / 'people.csv'}", (["Place", "Big"], [files / "cities.jsonl"])],
        relationships=[("KNOWS", files / "knows.csv")],
        id_type="string",
    )
    assert conn.execute("MATCH (c:Place:Big) RETURN c.name ORDER BY c.name").fetchall() == [("London",), ("New York",)]
    assert conn.execute("MATCH ()-[k:KNOWS]->() RETURN count(k)").fetchone() == (2,)


def test_integer_ids(conn, files):
    conn.import_files(nodes={"Person": files / "people.csv"}, relationships={"KNOWS": files / "knows.csv"}, id_type="integer")
    assert conn.execute("MATCH (p {name: 'Ada'}) RETURN p.id").fetchone() == (1,)


def test_a_bad_row_imports_nothing(conn, files):
    bad = files / "bad.csv"
    bad.write_text(":START_ID,:END_ID\n1,2\n1,99\n")
    with pytest.raises(quiver.DataError) as e:
        conn.import_files(nodes={"Person": files / "people.csv"}, relationships={"KNOWS": bad})
    assert "bad.csv:3" in str(e.value) and "99" in str(e.value)
    assert conn.execute("MATCH (n) RETURN count(n)").fetchone() == (0,)


def test_missing_file(conn, files):
    with pytest.raises(quiver.StorageError, match="nope.csv"):
        conn.import_files(nodes=files / "nope.csv")


def test_import_inside_a_transaction_rolls_back(conn, files):
    conn.begin()
    conn.import_files(nodes={"Person": files / "people.csv"})
    assert conn.execute("MATCH (n) RETURN count(n)").fetchone() == (3,)
    conn.rollback()
    assert conn.execute("MATCH (n) RETURN count(n)").fetchone() == (0,)


def test_bad_arguments(conn, files):
    with pytest.raises(ValueError):
        conn.import_files()
    with pytest.raises(ValueError):
        conn.import_files(nodes=files / "people.csv", delimiter=";;")
    with pytest.raises(ValueError):
        conn.import_files(nodes=files / "people.csv", id_type="uuid")
    with pytest.raises(TypeError):
        conn.import_files(nodes=[42])
