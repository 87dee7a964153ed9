"""A script written for Kùzu's Python API, ported by changing the import
(`import kuzu` -> `import quiver as kuzu`) and the query dialect (Kùzu's
`CREATE NODE TABLE` schema and `COPY FROM` become quiver's schema-free
`CREATE` and `import_files`). Everything else is Kùzu's API as its docs show it."""

import pytest

import quiver as kuzu


def test_kuzu_script(tmp_path):
    (tmp_path / "user.csv").write_text("name:ID,age:int\nAdam,30\nKaren,40\nZhang,50\nNoura,25\n")
    (tmp_path / "follows.csv").write_text(":START_ID,:END_ID,since:int\nAdam,Karen,2020\nAdam,Zhang,2020\nKaren,Zhang,2021\nZhang,Noura,2022\n")

    db = kuzu.Database(str(tmp_path / "demo_db"))
    conn = kuzu.Connection(db)
    # Kùzu: conn.execute("CREATE NODE TABLE User(...)"); conn.execute('COPY User FROM "user.csv"')
    conn.import_files(nodes={"User": str(tmp_path / "user.csv")}, relationships={"Follows": str(tmp_path / "follows.csv")})

    results = conn.execute("MATCH (a:User)-[f:Follows]->(b:User) RETURN a.name, b.name, f.since ORDER BY a.name, b.name")
    rows = []
    while results.has_next():
        rows.append(results.get_next())
    assert rows == [
        ["Adam", "Karen", 2020],
        ["Adam", "Zhang", 2020],
        ["Karen", "Zhang", 2021],
        ["Zhang", "Noura", 2022],
    ]
    assert results.get_column_names() == ["a.name", "b.name", "f.since"]
    results.reset_iterator()
    assert results.get_n(1) == [["Adam", "Karen", 2020]]
    assert results.get_all() == rows[1:]  # the rest, as lists
    assert results.get_all() == [] and results.get_n(5) == []

    # Parameters, as Kùzu takes them.
    r = conn.execute("MATCH (u:User) WHERE u.age > $min_age RETURN u.name ORDER BY u.name", {"min_age": 28})
    assert [row[0] for row in r] == ["Adam", "Karen", "Zhang"]

    pd = pytest.importorskip("pandas")
    df = conn.execute("MATCH (u:User) RETURN u.name AS name, u.age AS age ORDER BY age").get_as_df()
    assert isinstance(df, pd.DataFrame) and df["age"].tolist() == [25, 30, 40, 50]

    pytest.importorskip("polars")
    pl_df = conn.execute("MATCH (u:User) RETURN u.name AS name").get_as_pl()
    assert sorted(pl_df["name"].to_list()) == ["Adam", "Karen", "Noura", "Zhang"]

    pytest.importorskip("pyarrow")
    table = conn.execute("MATCH (u:User) RETURN u.age AS age").get_as_arrow(chunk_size=100)
    assert sum(table.column("age").to_pylist()) == 145

    nx = pytest.importorskip("networkx")
    g = conn.execute("MATCH (a:User)-[f:Follows]->(b:User) RETURN a, f, b").get_as_networkx(directed=True)
    assert g.number_of_nodes() == 4 and g.number_of_edges() == 4
    ids = {name: nid for name, nid in conn.execute("MATCH (u:User) RETURN u.name, id(u)").fetchall()}
    assert nx.descendants(g, ids["Adam"]) == {ids["Karen"], ids["Zhang"], ids["Noura"]}
    assert g.nodes[ids["Noura"]]["age"] == 25
    conn.close()
    db.close()
