import threading

import pytest

import quiver


def count(c, label="N"):
    return c.execute(f"MATCH (n:{label}) RETURN count(n)").fetchone()[0]


def test_with_block_commits(conn):
    with conn.transaction() as tx:
        conn.execute("CREATE (:N)")
        tx.execute("CREATE (:N)")
        assert conn.in_transaction
    assert not conn.in_transaction
    assert count(conn) == 2


def test_with_block_rolls_back_on_an_exception(conn):
    with pytest.raises(RuntimeError):
        with conn.transaction():
            conn.execute("CREATE (:N)")
            raise RuntimeError("boom")
    assert count(conn) == 0 and not conn.in_transaction


def test_a_failing_statement_inside_keeps_the_transaction(conn):
    with conn.transaction():
        conn.execute("CREATE (:N)")
        with pytest.raises(quiver.Error):
            conn.execute("CREATE (:N {v: 1 / 0})")
        conn.execute("CREATE (:N)")
    assert count(conn) == 2


def test_begin_commit_rollback(conn):
    conn.begin()
    conn.execute("CREATE (:N)")
    conn.rollback()
    assert count(conn) == 0
    conn.begin()
    conn.execute("CREATE (:N)")
    conn.commit()
    assert count(conn) == 1
    with pytest.raises(quiver.ArgumentError) as e:
        conn.commit()
    assert e.value.code == "NoOpenTransaction"
    conn.begin()
    with pytest.raises(quiver.ArgumentError):
        conn.begin()
    conn.rollback()


def test_commit_inside_the_block(conn):
    with conn.transaction() as tx:
        conn.execute("CREATE (:N)")
        tx.commit()
    assert count(conn) == 1


def test_connections_are_isolated(db):
    a, b = db.connect(), db.connect()
    a.begin()
    a.execute("CREATE (:N)")
    assert count(a) == 1 and count(b) == 0
    a.commit()
    assert count(b) == 1


def test_a_writer_waits_for_another_connections_transaction(db):
    db2 = quiver.Database(lock_timeout=0.2)
    a, b = db2.connect(), db2.connect()
    a.begin()
    a.execute("CREATE (:N)")
    with pytest.raises(quiver.TransientError) as e:
        b.execute("CREATE (:M)")
    assert e.value.code == "LockTimeout"
    a.commit()
    b.execute("CREATE (:M)")
    assert count(b, "M") == 1


def test_close_rolls_back(db):
    c = db.connect()
    c.begin()
    c.execute("CREATE (:N)")
    c.close()
    assert count(db) == 0


def test_file_transactions_are_durable(tmp_path):
    path = tmp_path / "t.qv"
    with quiver.Database(path) as db:
        conn = db.connect()
        with conn.transaction():
            conn.execute("UNWIND range(1, 100) AS i CREATE (:N {i: i})")
        conn.close()
    with quiver.Database(path) as db:
        assert db.execute("MATCH (n:N) RETURN count(n), sum(n.i)").fetchone() == (100, 5050)


def test_threads_each_with_a_connection(db):
    db.execute("UNWIND range(1, 1000) AS i CREATE (:N {i: i})")
    results, errors = [], []

    def work():
        try:
            c = db.connect()
            for _ in range(20):
                results.append(c.execute("MATCH (n:N) WHERE n.i % 7 = 0 RETURN count(n)").fetchone()[0])
            c.execute("CREATE (:W)")
        except Exception as e:  # pragma: no cover
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert results == [142] * 80
    assert count(db, "W") == 4
