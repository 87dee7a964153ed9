#!/usr/bin/env python3
"""Load test of `quiver serve` through the official Neo4j Python driver.

    cargo build --release
    server/tests/drivers/.venv/bin/python benches/serve_load.py [--seconds 60] [--sessions 32] [--persons 10000]

Starts target/release/quiver serve on free ports, loads a generated social
graph (--persons people, ~10 KNOWS each), then for --seconds runs --sessions
driver sessions (threads) of W2 (person by id) and W3 (friends count of a
person) reads beside one session writing (a new KNOWS relationship per
transaction, through execute_write so lock waits are retried). Prints
queries/s, p50/p99 latency and errors for reads and writes; then the same
W2/W3 queries one at a time through the driver, and through the embedded
engine (the quiver binary over a pipe, --format json, timed around each
round trip, as benches/compare.py does), for comparison.

Writes nothing; the numbers go to standard output (paste them where wanted).
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from neo4j import GraphDatabase

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BIN = os.path.join(ROOT, "target", "release", "quiver")

W2 = "MATCH (p:Person {id: $id}) RETURN p.name AS name, p.age AS age"
W3 = "MATCH (p:Person {id: $id})-[:KNOWS]-(f:Person) RETURN count(f) AS friends"
WRITE = "MATCH (a:Person {id: $a}), (b:Person {id: $b}) CREATE (a)-[:KNOWS {since: $t}]->(b)"


def script(persons, seed=7):
    rnd = random.Random(seed)
    lines = [f"UNWIND range(0, {persons - 1}) AS i CREATE (:Person {{id: i, name: 'p' + toString(i), age: i % 90}});"]
    lines.append("CREATE INDEX FOR (p:Person) ON (p.id);")
    pairs = [(rnd.randrange(persons), rnd.randrange(persons)) for _ in range(persons * 5)]
    for k in range(0, len(pairs), 5000):
        chunk = ", ".join(f"[{a}, {b}]" for a, b in pairs[k:k + 5000])
        lines.append(
            f"UNWIND [{chunk}] AS e MATCH (a:Person {{id: e[0]}}), (b:Person {{id: e[1]}}) CREATE (a)-[:KNOWS]->(b);"
        )
    return "\n".join(lines) + "\n"


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))] if xs else float("nan")


def report(label, lat, seconds, errors):
    n = len(lat)
    print(
        f"{label:<34} {n / seconds:>9.0f} q/s   p50 {pct(lat, 0.5) * 1000:7.2f} ms   "
        f"p99 {pct(lat, 0.99) * 1000:7.2f} ms   errors {errors}",
        flush=True,
    )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--sessions", type=int, default=32)
    ap.add_argument("--persons", type=int, default=10000)
    args = ap.parse_args()
    if not os.path.exists(BIN):
        sys.exit(f"{BIN} is missing: run cargo build --release first")

    tmp = tempfile.mkdtemp()
    load = os.path.join(tmp, "graph.cypher")
    with open(load, "w") as f:
        f.write(script(args.persons))
    server = subprocess.Popen(
        [BIN, "serve", "--bolt", "127.0.0.1:0", "--http", "off", "--auth", "neo4j:bench", "--load", load],
        stdout=subprocess.PIPE, text=True,
    )
    bolt = server.stdout.readline().strip()
    try:
        driver = GraphDatabase.driver(bolt, auth=("neo4j", "bench"), max_connection_pool_size=args.sessions + 4)
        driver.verify_connectivity()
        print(f"quiver serve at {bolt}: {args.persons} persons, {args.sessions} reading sessions + 1 writer, "
              f"{args.seconds:.0f} s", flush=True)
        stop = threading.Event()
        reads, writes = [], []
        errors = {"r": 0, "w": 0}
        lock = threading.Lock()

        def reader(k):
            rnd = random.Random(k)
            mine = []
            with driver.session() as s:
                while not stop.is_set():
                    q = W2 if rnd.random() < 0.5 else W3
                    t = time.perf_counter()
                    try:
                        s.run(q, id=rnd.randrange(args.persons)).consume()
                        mine.append(time.perf_counter() - t)
                    except Exception:  # noqa: BLE001
                        with lock:
                            errors["r"] += 1
            with lock:
                reads.extend(mine)

        def writer():
            rnd = random.Random(99)
            with driver.session() as s:
                while not stop.is_set():
                    t = time.perf_counter()
                    try:
                        s.execute_write(lambda tx: tx.run(
                            WRITE, a=rnd.randrange(args.persons), b=rnd.randrange(args.persons), t=time.time()
                        ).consume())
                        writes.append(time.perf_counter() - t)
                    except Exception:  # noqa: BLE001
                        errors["w"] += 1

        threads = [threading.Thread(target=reader, args=(k,)) for k in range(args.sessions)]
        threads.append(threading.Thread(target=writer))
        started = time.perf_counter()
        for t in threads:
            t.start()
        time.sleep(args.seconds)
        stop.set()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        report(f"reads (W2/W3), {args.sessions} sessions", reads, elapsed, errors["r"])
        report("writes, 1 session", writes, elapsed, errors["w"])

        # One at a time, through the driver.
        rnd = random.Random(5)
        for name, q in [("W2", W2), ("W3", W3)]:
            lat = []
            with driver.session() as s:
                t_end = time.perf_counter() + min(5.0, args.seconds / 4)
                while time.perf_counter() < t_end:
                    t = time.perf_counter()
                    s.run(q, id=rnd.randrange(args.persons)).consume()
                    lat.append(time.perf_counter() - t)
            report(f"{name} alone, Bolt (Python driver)", lat, sum(lat), 0)
        driver.close()
    finally:
        server.terminate()
        server.wait()

    # The same through the embedded engine (the binary over a pipe).
    p = subprocess.Popen([BIN, "--format", "json", "--load", load], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         text=True)
    rnd = random.Random(5)
    for name, q in [("W2", W2), ("W3", W3)]:
        lat = []
        t_end = time.perf_counter() + min(5.0, args.seconds / 4)
        while time.perf_counter() < t_end:
            text = q.replace("$id", str(rnd.randrange(args.persons)))
            t = time.perf_counter()
            p.stdin.write(text + ";\n")
            p.stdin.flush()
            line = p.stdout.readline()
            lat.append(time.perf_counter() - t)
            assert "error" not in json.loads(line), line
        report(f"{name} alone, embedded (pipe)", lat, sum(lat), 0)
    p.stdin.close()
    p.wait()


if __name__ == "__main__":
    main()
