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


def test_a_signal_handler_may_run_a_statement_while_one_runs(db):
    """Statements from the main thread run on a helper thread; one started by a signal handler
    while the main thread waits for another gets a thread of its own, and both answer."""
    signal = pytest.importorskip("signal")
    if not hasattr(signal, "setitimer"):
        pytest.skip("no setitimer")
    seen = []
    other = db.connect()

    def handler(signum, frame):
        seen.append(other.execute("RETURN 41 + 1").fetchone()[0])

    old = signal.signal(signal.SIGALRM, handler)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.05)
        started = time.monotonic()
        n = 0
        while not seen and time.monotonic() - started < 20:
            n = db.execute("UNWIND range(1, 2000000) AS x WITH x WHERE x % 7 = 0 RETURN count(x)").fetchone()[0]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert seen == [42]
    assert n == 2000000 // 7
    assert db.execute("RETURN 1").fetchone() == (1,)


def test_statements_work_in_a_forked_child(db):
    """A forked child has no helper thread of its parent's: it starts its own."""
    os = pytest.importorskip("os")
    if not hasattr(os, "fork"):
        pytest.skip("no fork")
    assert db.execute("RETURN 1").fetchone() == (1,)  # the parent's helper is running
    pid = os.fork()
    if pid == 0:  # the child
        try:
            ok = db.execute("RETURN 2").fetchone() == (2,)
        finally:
            os._exit(0 if ok else 1)
    deadline = time.monotonic() + 30
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            pytest.fail("the forked child hung running a statement")
        time.sleep(0.05)
    assert os.waitstatus_to_exitcode(status) == 0
