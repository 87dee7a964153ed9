import _thread
import threading
import time

import pytest

import quiver

SLOW_READ = "UNWIND range(1, 1000000000) AS x WITH x WHERE x < 0 RETURN count(x)"
SLOW_WRITE = "UNWIND range(1, 1000000000) AS x CREATE (:N {x: x})"


def interrupt_main_soon(delay=0.3):
    timer = threading.Timer(delay, _thread.interrupt_main)
    timer.start()
    return timer


def test_ctrl_c_interrupts_a_read(conn):
    started = time.monotonic()
    interrupt_main_soon()
    with pytest.raises(KeyboardInterrupt):
        conn.execute(SLOW_READ)
    assert time.monotonic() - started < 10
    assert conn.execute("RETURN 1").fetchone() == (1,)


def test_ctrl_c_interrupts_a_write_and_the_graph_is_unchanged(conn):
    conn.execute("CREATE (:Keep)")
    interrupt_main_soon()
    with pytest.raises(KeyboardInterrupt):
        conn.execute(SLOW_WRITE)
    assert conn.execute("MATCH (n) RETURN labels(n)").fetchall() == [(["Keep"],)]
    conn.execute("CREATE (:After)")  # the write lock was let go


def test_interrupt_from_another_thread(conn):
    timer = threading.Timer(0.3, conn.interrupt)
    timer.start()
    with pytest.raises(quiver.Interrupted):
        conn.execute(SLOW_READ)
    timer.join()


def test_execute_releases_the_gil(db):
    """While one thread runs a long query, another runs Python code."""
    db.execute("UNWIND range(1, 200000) AS i CREATE (:N {i: i})")
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.001)

    def query():
        c = db.connect()
        for _ in range(5):
            c.execute("MATCH (n:N) WITH n.i % 1000 AS k, count(*) AS c RETURN count(k)").fetchone()

    t = threading.Thread(target=ticker)
    t.start()
    q = threading.Thread(target=query)
    before = len(ticks)
    started = time.monotonic()
    q.start()
    q.join()
    elapsed = time.monotonic() - started
    stop.set()
    t.join()
    # The ticker kept running during the queries (it would stall if the GIL were held).
    assert len(ticks) - before >= max(2, int(elapsed * 1000 * 0.2))
