import datetime as dt

import pytest

import quiver


def test_to_df(people):
    pd = pytest.importorskip("pandas")
    r = people.execute("MATCH (p:Person) RETURN p.name AS name, p.born AS born, p.born > 1900 AS modern, p.born * 1.0 AS f ORDER BY born")
    df = r.to_df()
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == ["name", "born", "modern", "f"]
    assert df["born"].tolist() == [1815, 1906, 1912] and str(df["born"].dtype) == "int64"
    assert df["modern"].tolist() == [False, True, True] and str(df["modern"].dtype) == "bool"
    assert str(df["f"].dtype) == "float64"
    assert df["name"].tolist() == ["Ada", "Grace", "Alan"]
    assert r.get_as_df().equals(df)


def test_to_df_with_nulls_entities_and_no_rows(people):
    pd = pytest.importorskip("pandas")
    df = people.execute("UNWIND [1, null, 3] AS x RETURN x").to_df()
    assert df["x"].isna().tolist() == [False, True, False]
    df = people.execute("MATCH (p:Person {name: 'Ada'}) RETURN p").to_df()
    assert isinstance(df["p"][0], quiver.Node) and df["p"][0]["name"] == "Ada"
    empty = people.execute("MATCH (p:Nobody) RETURN p.name AS name").to_df()
    assert list(empty.columns) == ["name"] and len(empty) == 0


def test_to_arrow(people):
    pa = pytest.importorskip("pyarrow")
    r = people.execute(
        "MATCH (p:Person) RETURN p.name AS name, p.born AS born, date('2025-01-01') AS d, "
        "duration('P1M2DT3S') AS dur, p AS node ORDER BY born"
    )
    t = r.to_arrow()
    assert isinstance(t, pa.Table)
    assert t.column_names == ["name", "born", "d", "dur", "node"]
    assert t.column("born").type == pa.int64() and t.column("born").to_pylist() == [1815, 1906, 1912]
    assert t.column("name").to_pylist() == ["Ada", "Grace", "Alan"]
    assert t.column("d").type == pa.date32()
    assert t.column("dur").type == pa.month_day_nano_interval()
    assert t.column("dur").to_pylist()[0] == pa.MonthDayNano([1, 2, 3_000_000_000])
    node = t.column("node").to_pylist()[0]
    assert node["name"] == "Ada" and node["_labels"] == ["Person"]
    assert r.get_as_arrow(1000).equals(t)


def test_to_polars(people):
    pl = pytest.importorskip("polars")
    r = people.execute("MATCH (p:Person) RETURN p.name AS name, p.born AS born ORDER BY born")
    df = r.to_polars()
    assert isinstance(df, pl.DataFrame)
    assert df.columns == ["name", "born"]
    assert df["born"].to_list() == [1815, 1906, 1912] and df["born"].dtype == pl.Int64
    assert r.get_as_pl().equals(df)


def test_to_networkx(people):
    nx = pytest.importorskip("networkx")
    r = people.execute("MATCH (a)-[k:KNOWS]->(b) RETURN a, k, b")
    g = r.to_networkx()
    assert isinstance(g, nx.MultiDiGraph)
    assert g.number_of_nodes() == 3 and g.number_of_edges() == 2
    ids = dict(people.execute("MATCH (p:Person) RETURN p.name, id(p)").fetchall())
    assert g.nodes[ids["Ada"]]["name"] == "Ada"
    assert g.nodes[ids["Grace"]]["_labels"] == ["Person", "Admiral"] or set(g.nodes[ids["Grace"]]["_labels"]) == {"Person", "Admiral"}
    assert g.has_edge(ids["Ada"], ids["Alan"]) and not g.has_edge(ids["Alan"], ids["Ada"])
    (key, data), = g[ids["Ada"]][ids["Alan"]].items()
    assert data["_type"] == "KNOWS" and data["since"] == 1833
    assert nx.shortest_path_length(g, ids["Ada"], ids["Grace"]) == 2
    undirected = r.get_as_networkx(directed=False)
    assert isinstance(undirected, nx.MultiGraph) and not undirected.is_directed()


def test_to_networkx_from_paths_and_relationships_alone(people):
    nx = pytest.importorskip("networkx")
    g = people.execute("MATCH p = (:Person {name: 'Ada'})-[:KNOWS*2]->() RETURN p").to_networkx()
    assert g.number_of_nodes() == 3 and g.number_of_edges() == 2
    g = people.execute("MATCH ()-[k:KNOWS {since: 1940}]->() RETURN k").to_networkx()
    assert g.number_of_nodes() == 2 and g.number_of_edges() == 1
    g = people.execute("RETURN 1 AS x").to_networkx()
    assert g.number_of_nodes() == 0


def test_large_result_to_df(conn):
    pd = pytest.importorskip("pandas")
    df = conn.execute("UNWIND range(1, 200000) AS x RETURN x, toString(x) AS s, x / 2.0 AS h").to_df()
    assert len(df) == 200000 and df["x"].sum() == 200000 * 200001 // 2
    assert df["s"].iloc[-1] == "200000" and df["h"].iloc[0] == 0.5


def test_columns_of_strings_of_scalars_and_of_entities(conn):
    """Each column kind reaches every frame library: strings with nulls, other scalars, and
    values kept as Python objects (a list beside strings, a node)."""
    pd = pytest.importorskip("pandas")
    q = (
        "UNWIND [1, 2, 3] AS i RETURN CASE WHEN i = 2 THEN null ELSE toString(i) END AS s, "
        "CASE WHEN i = 1 THEN date('2020-01-01') ELSE null END AS d, "
        "CASE WHEN i = 3 THEN [i] ELSE 'x' END AS mixed"
    )
    df = conn.execute(q).to_df()
    assert [None if pd.isna(v) else v for v in df["s"]] == ["1", None, "3"]
    assert df["mixed"].dtype == object and df["mixed"].tolist() == ["x", "x", [3]]
    assert str(df["d"].iloc[0]) == "2020-01-01"
    pa = pytest.importorskip("pyarrow")
    t = conn.execute(q).to_arrow()
    assert t.column("s").to_pylist() == ["1", None, "3"] and t.column("s").type == pa.string()
    assert t.column("mixed").to_pylist() == ["x", "x", "[3]"]  # mixed: as text
    pl = pytest.importorskip("polars")
    p = conn.execute(q).to_polars()
    assert p["s"].to_list() == ["1", None, "3"]
    assert conn.execute("RETURN null AS n").to_arrow().column("n").to_pylist() == [None]
