"""The official Python driver against `quiver serve` (the real engine).

Run by cli/tests/serve.rs, which starts the quiver binary and sets:
  QUIVER_BOLT_ADDR    host:port of its Bolt listener
  QUIVER_SERVER_PID   its process id (to read its memory from /proc)
Prints one line per check and "N passed, M failed"; exits non-zero on a failure.
"""

import os
import sys
import threading
import time
import traceback

import neo4j
from neo4j import GraphDatabase

ADDR = os.environ["QUIVER_BOLT_ADDR"]
PID = os.environ.get("QUIVER_SERVER_PID")
AUTH = ("neo4j", "quiver-test")

results = {"passed": 0, "failed": 0}


def check(fn):
    try:
        fn()
        results["passed"] += 1
        print(f"ok {fn.__name__}", flush=True)
    except Exception:
        results["failed"] += 1
        print(f"FAILED {fn.__name__}", flush=True)
        traceback.print_exc()
    return fn


driver = GraphDatabase.driver(f"bolt://{ADDR}", auth=AUTH, max_connection_pool_size=64)


def peak_kib():
    """The server's peak resident memory (VmHWM), in KiB, or None."""
    if not PID:
        return None
    try:
        with open(f"/proc/{PID}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


@check
def large_result_streams_in_batches():
    # The server computes rows as the driver pulls them: its peak memory
    # grows by far less than the result would take held whole.
    rows = 300_000
    before = peak_kib()
    n = 0
    size = 0
    with driver.session(fetch_size=1000) as s:
        for record in s.run(
            "UNWIND range(1, $n) AS i RETURN i, 'row ' + toString(i) + ' padded to be a little longer than that' AS s",
            n=rows,
        ):
            n += 1
            size += len(record["s"])
    after = peak_kib()
    assert n == rows, n
    if before is not None and after is not None:
        grew = (after - before) / 1024
        print(f"  {rows} rows ({size / 1e6:.1f} MB of strings) streamed; server peak memory grew {grew:.1f} MiB", flush=True)
        assert grew < size / 1e6 / 2, f"the server's peak grew {grew:.1f} MiB for {size / 1e6:.1f} MB of rows"


@check
def readers_in_parallel_with_one_writer():
    # 50 sessions read while one writes, each read on a snapshot: a reader
    # never sees the count go down, never sees half a transaction (items
    # come in pairs), and nothing fails.
    driver.execute_query("MATCH (n:Item) DETACH DELETE n")
    stop = threading.Event()
    errors = []
    reads = [0]
    lock = threading.Lock()

    def reader():
        last = 0
        try:
            with driver.session() as s:
                while not stop.is_set():
                    c = s.run("MATCH (n:Item) RETURN count(n) AS c").single()["c"]
                    assert c % 2 == 0, f"saw half a transaction: {c}"
                    assert c >= last, f"count went back from {last} to {c}"
                    last = c
                    with lock:
                        reads[0] += 1
        except Exception as e:  # noqa: BLE001
            errors.append(repr(e))

    def writer():
        try:
            with driver.session() as s:
                for i in range(40):
                    s.execute_write(
                        lambda tx, i=i: tx.run("CREATE (:Item {i: $i}), (:Item {i: $i})", i=i).consume()
                    )
        except Exception as e:  # noqa: BLE001
            errors.append(repr(e))

    threads = [threading.Thread(target=reader) for _ in range(50)]
    for t in threads:
        t.start()
    w = threading.Thread(target=writer)
    started = time.monotonic()
    w.start()
    w.join()
    stop.set()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    assert not errors, errors[:3]
    records, _, _ = driver.execute_query("MATCH (n:Item) RETURN count(n) AS c")
    assert records[0]["c"] == 80, records[0]["c"]
    print(f"  50 readers + 1 writer: {reads[0]} reads and 40 writes in {elapsed:.1f} s", flush=True)


@check
def routing_uri_and_round_trip():
    with GraphDatabase.driver(f"neo4j://{ADDR}", auth=AUTH) as d:
        d.verify_connectivity()
        t0 = time.monotonic()
        n = 200
        with d.session() as s:
            for _ in range(n):
                s.run("RETURN 1 AS x").single()
        per = (time.monotonic() - t0) / n * 1000
        print(f"  round trip (RUN+PULL, RETURN 1): {per:.2f} ms", flush=True)


@check
def read_access_mode_refuses_writes():
    try:
        with driver.session(default_access_mode=neo4j.READ_ACCESS) as s:
            s.run("CREATE (:NotHere)").consume()
        raise AssertionError("a write ran in read access mode")
    except neo4j.exceptions.ClientError as e:
        assert e.code == "Neo.ClientError.Statement.AccessMode", e.code
    records, _, _ = driver.execute_query("MATCH (n:NotHere) RETURN count(n) AS c")
    assert records[0]["c"] == 0


driver.close()
print(f"python driver {neo4j.__version__} on quiver serve: {results['passed']} passed, {results['failed']} failed", flush=True)
sys.exit(1 if results["failed"] else 0)
