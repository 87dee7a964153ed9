import datetime as dt

import pytest

import quiver


def test_pandas_frames(conn):
    pd = pytest.importorskip("pandas")
    people = pd.DataFrame({"id": [1, 2, 3], "name": ["Ada", "Alan", None], "score": [1.5, float("nan"), 3.0],
                           "born": pd.to_datetime(["1815-12-10", "1912-06-23", None])})
    knows = pd.DataFrame({"from": [1, 2], "to": [2, 3], "since": [1833, 1940]})
    s = conn.import_frames(nodes={"Person": people}, relationships={"KNOWS": knows})
    assert (s["nodes"], s["relationships"]) == (3, 2)
    r = conn.execute("MATCH (a:Person)-[k:KNOWS]->(b) RETURN a.name, b.id, k.since ORDER BY k.since")
    assert r.fetchall() == [("Ada", 2, 1833), ("Alan", 3, 1940)]
    # Missing values set no property.
    (n,) = conn.execute("MATCH (p:Person {id: 3}) RETURN p").fetchone()
    assert n.properties == {"id": 3, "score": 3.0}
    (n,) = conn.execute("MATCH (p:Person {id: 2}) RETURN p").fetchone()
    assert "score" not in n and n["born"] == dt.datetime(1912, 6, 23)


def test_pyarrow_and_polars_frames_and_triples(conn):
    pa = pytest.importorskip("pyarrow")
    pl = pytest.importorskip("polars")
    users = pa.table({"id": ["u1", "u2"], "age": [30, None]})
    cities = pl.DataFrame({"id": ["u1"], "name": ["London"]})  # the same id, another label
    lives = pa.table({"src": ["u1", "u2"], "dst": ["u1", "u1"]})
    conn.import_frames(
        nodes={"User": users, "City": cities},
        relationships={("User", "LIVES_IN", "City"): lives},
        start_column="src",
        end_column="dst",
    )
    assert conn.execute("MATCH (u:User)-[:LIVES_IN]->(c:City) RETURN u.id, c.name ORDER BY u.id").fetchall() == [
        ("u1", "London"),
        ("u2", "London"),
    ]
    assert conn.execute("MATCH (u:User {id: 'u2'}) RETURN u.age").fetchone() == (None,)


def test_ambiguous_ids_need_a_triple(conn):
    conn_frames = {"A": {"id": [1]}, "B": {"id": [1]}}
    with pytest.raises(quiver.DataError, match="say which"):
        conn.import_frames(nodes=conn_frames, relationships={"R": {"from": [1], "to": [1]}})
    assert conn.execute("MATCH (n) RETURN count(n)").fetchone() == (0,)


def test_kuzu_style_first_two_columns_and_import_files_takes_frames(conn):
    pd = pytest.importorskip("pandas")
    conn.import_files(
        nodes={"User": pd.DataFrame({"id": ["a", "b"]})},
        relationships={"Follows": pd.DataFrame({"follower": ["a"], "followee": ["b"], "since": [2020]})},
    )
    assert conn.execute("MATCH (a)-[f:Follows]->(b) RETURN a.id, b.id, f.since").fetchall() == [("a", "b", 2020)]


def test_bad_rows_name_frame_row_and_column(conn):
    with pytest.raises(quiver.DataError) as e:
        conn.import_frames(nodes={"P": {"id": [1, 2], "tags": [["x"], {"not": "storable"}]}})
    assert "frame P" in str(e.value) and "row 1" in str(e.value) and "tags" in str(e.value)
    with pytest.raises(quiver.DataError, match="row 1"):
        conn.import_frames(nodes={"P": {"id": [1, 2], "v": [1, object()]}})
    with pytest.raises(quiver.DataError, match="no node has id 9"):
        conn.import_frames(nodes={"P": {"id": [1]}}, relationships={"R": {"from": [1], "to": [9]}})
    with pytest.raises(quiver.DataError, match="appears twice"):
        conn.import_frames(nodes={"P": {"id": [1, 1]}})
    assert conn.execute("MATCH (n) RETURN count(n)").fetchone() == (0,)


def test_without_ids_and_keep_ids(conn):
    conn.import_frames(nodes={"T": {"x": [1, 2, 3]}})
    assert conn.execute("MATCH (t:T) RETURN sum(t.x)").fetchone() == (6,)
    conn.import_frames(nodes={"K": {"id": [7], "v": [1]}}, keep_ids=False)
    (k,) = conn.execute("MATCH (k:K) RETURN k").fetchone()
    assert k.properties == {"v": 1}


def test_frames_in_a_transaction_roll_back(conn):
    with pytest.raises(RuntimeError):
        with conn.transaction():
            conn.import_frames(nodes={"T": {"x": [1, 2]}})
            raise RuntimeError
    assert conn.execute("MATCH (n) RETURN count(n)").fetchone() == (0,)


def test_larger_frame(conn):
    pd = pytest.importorskip("pandas")
    n = 50_000
    nodes = pd.DataFrame({"id": range(n), "v": range(n)})
    rels = pd.DataFrame({"from": range(n - 1), "to": range(1, n)})
    s = conn.import_frames(nodes={"N": nodes}, relationships={"NEXT": rels})
    assert (s["nodes"], s["relationships"]) == (n, n - 1)
    assert conn.execute("MATCH (:N {id: 0})-[:NEXT]->(b) RETURN b.v").fetchone() == (1,)
