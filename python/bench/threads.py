"""Queries per second of a W3-style read (friends of a person) from 1 and from
4 Python threads, each with its own connection: execute releases the GIL, so
threads read in parallel (up to the machine's cores).

    python python/bench/threads.py --data benches/data/100k-s42 [--seconds 3]   # the benchmark graph
    python python/bench/threads.py [--persons 100000] [--seconds 3]             # a graph built here
    ... --query w4      # friends-of-friends instead of friends (longer statements)

--data takes a directory benches/gen.py wrote (persons.csv, knows.csv: make it
with `python benches/gen.py --size 100k`), imported with conn.import_files.
"""

import argparse
import os
import random
import threading
import time

import quiver

QUERIES = {
    # W3: friends of a random person (median degree ~15 on the benchmark graph: tens of microseconds)
    "w3": "MATCH (p:Person {id: $id})-[:KNOWS]-(f:Person) RETURN count(f) AS friends",
    # W4: distinct friends-of-friends of a random person (a fraction of a millisecond)
    "w4": "MATCH (p:Person {id: $id})-[:KNOWS]-(:Person)-[:KNOWS]-(fof:Person) WHERE fof <> p "
          "RETURN count(DISTINCT fof) AS fof",
}
QUERY = QUERIES["w3"]


def build(db, persons, degree=5):
    conn = db.connect()
    conn.execute("UNWIND range(0, $n - 1) AS i CREATE (:Person {id: i, age: i % 80})", {"n": persons})
    conn.execute("CREATE INDEX FOR (p:Person) ON (p.id)")
    rng = random.Random(7)
    edges = {"from": [], "to": []}
    for i in range(persons):
        for _ in range(degree):
            edges["from"].append(i)
            edges["to"].append(rng.randrange(persons))
    conn.execute(
        "UNWIND $rows AS r MATCH (a:Person {id: r[0]}), (b:Person {id: r[1]}) CREATE (a)-[:KNOWS]->(b)",
        {"rows": list(zip(edges["from"], edges["to"]))},
    )


def load(db, data):
    conn = db.connect()
    conn.import_files(nodes={"Person": os.path.join(data, "persons.csv")},
                      relationships={"KNOWS": os.path.join(data, "knows.csv")}, id_type="integer")
    conn.execute("CREATE INDEX FOR (p:Person) ON (p.id)")
    return conn.execute("MATCH (p:Person) RETURN count(p)").fetchone()[0]


def rate(db, threads, seconds, persons):
    counts = [0] * threads
    stop = time.monotonic() + seconds

    def work(k):
        conn = db.connect()
        rng = random.Random(k)
        n = 0
        while time.monotonic() < stop:
            conn.execute(QUERY, {"id": rng.randrange(persons)}).fetchone()
            n += 1
        counts[k] = n

    ts = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
    started = time.monotonic()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return sum(counts) / (time.monotonic() - started)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=100_000)
    ap.add_argument("--seconds", type=float, default=3)
    ap.add_argument("--data", help="a benchmark data directory (benches/gen.py's persons.csv and knows.csv)")
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--query", choices=sorted(QUERIES), default="w3")
    a = ap.parse_args()
    global QUERY
    QUERY = QUERIES[a.query]
    db = quiver.Database()
    t = time.monotonic()
    if a.data:
        a.persons = load(db, a.data)
    else:
        build(db, a.persons)
    print(f"graph: {a.persons} persons, {db.execute('MATCH ()-[k]->() RETURN count(k)').fetchone()[0]} KNOWS, built in {time.monotonic() - t:.1f} s")
    one = rate(db, 1, a.seconds, a.persons)
    many = rate(db, a.threads, a.seconds, a.persons)
    print(f"{a.query}, {os.cpu_count()} cores. 1 thread: {one:.0f} queries/s; {a.threads} threads: {many:.0f} queries/s "
          f"({many / one:.2f}x)")


if __name__ == "__main__":
    main()
