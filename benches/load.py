#!/usr/bin/env python3
"""Load test: reader processes beside one writer on one database file.

    python3 benches/load.py --data benches/data/100k-s42 [--readers 8] [--seconds 60]

Builds the database with `quiver import` (into a temporary directory), creates
the :Person(id) index, then starts one writer (`quiver FILE --format json`) and
N readers (`quiver FILE --read-only --format json`), each driven through its
stdin one statement at a time, for --seconds.  Readers alternate a point
lookup (W2) and the friends of a random person (W3); the writer commits one
small transaction after another, each creating a :Probe node with the next
number and a KNOWS relationship between two random persons.

Printed: reads/s and commits/s over the run, p50/p99 latency of each kind,
the errors seen (expected: none), and after the run a fresh process opens the
file and counts the :Probe nodes, which must equal the commits the writer
acknowledged (no lost commits; every number once).  Not part of CI.
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

HERE = os.path.dirname(os.path.abspath(__file__))


def percentile(xs, q):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


class Proc:
    """One quiver process answering one statement per line."""

    def __init__(self, argv):
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, bufsize=1)

    def ask(self, stmt):
        self.p.stdin.write(stmt + ";\n")
        self.p.stdin.flush()
        line = self.p.stdout.readline()
        if not line:
            raise RuntimeError("process ended: " + self.p.stderr.read()[-500:])
        return json.loads(line)

    def close(self):
        try:
            self.p.stdin.close()
        except BrokenPipeError:
            pass
        self.p.wait(timeout=60)
        return self.p.returncode


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.join(HERE, "data", "100k-s42"))
    ap.add_argument("--quiver", default=os.path.join(HERE, "..", "target", "release", "quiver"))
    ap.add_argument("--readers", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    persons = sum(1 for _ in open(os.path.join(a.data, "persons.csv"))) - 1
    work = tempfile.mkdtemp(prefix="quiver-load-")
    db = os.path.join(work, "load.qv")
    t0 = time.perf_counter()
    subprocess.run([a.quiver, "import", "--id-type", "integer",
                    "--nodes", "Person=" + os.path.join(a.data, "persons.csv"),
                    "--relationships", "KNOWS=" + os.path.join(a.data, "knows.csv"), db],
                   check=True, capture_output=True)
    subprocess.run([a.quiver, db, "-c", "CREATE INDEX FOR (p:Person) ON (p.id)"], check=True, capture_output=True)
    print(f"imported {persons} persons into {db} in {time.perf_counter() - t0:.1f} s", flush=True)

    stop = threading.Event()
    errors = []
    reads = {"W2": [], "W3": []}
    commits = []
    lock = threading.Lock()

    def reader(k):
        rng = random.Random(a.seed * 1000 + k)
        p = Proc([a.quiver, db, "--read-only", "--format", "json"])
        n = 0
        local = {"W2": [], "W3": []}
        while not stop.is_set():
            pid = rng.randrange(persons)
            kind = "W2" if n % 2 == 0 else "W3"
            q = (f"MATCH (p:Person {{id: {pid}}}) RETURN p.name AS name" if kind == "W2" else
                 f"MATCH (p:Person {{id: {pid}}})-[:KNOWS]-(f) RETURN count(f) AS c")
            t = time.perf_counter()
            try:
                r = p.ask(q)
            except Exception as e:  # the process died
                errors.append(f"reader {k}: {e}")
                return
            local[kind].append(time.perf_counter() - t)
            if "error" in r:
                errors.append(f"reader {k}: {r['error']}")
            n += 1
        p.close()
        with lock:
            for kind in local:
                reads[kind].extend(local[kind])

    def writer():
        rng = random.Random(a.seed)
        p = Proc([a.quiver, db, "--format", "json"])
        i = 0
        while not stop.is_set():
            x, y = rng.randrange(persons), rng.randrange(persons)
            q = (f"MATCH (a:Person {{id: {x}}}), (b:Person {{id: {y}}}) "
                 f"CREATE (:Probe {{k: {i}}}), (a)-[:KNOWS {{load: {i}}}]->(b)")
            t = time.perf_counter()
            r = p.ask(q)
            if "error" in r:
                errors.append(f"writer: {r['error']}")
            else:
                commits.append(time.perf_counter() - t)
                i += 1
        rc = p.close()
        if rc != 0:
            errors.append(f"writer exited {rc}")

    threads = [threading.Thread(target=writer)] + [threading.Thread(target=reader, args=(k,)) for k in range(a.readers)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    time.sleep(a.seconds)
    stop.set()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start

    check = subprocess.run([a.quiver, db, "--read-only", "--format", "json", "-c",
                            "MATCH (n:Probe) RETURN count(n) AS n, count(DISTINCT n.k) AS d, max(n.k) AS top"],
                           capture_output=True, text=True, check=True)
    row = json.loads(check.stdout.splitlines()[0])["rows"][0]
    held, distinct, top = row[0], row[1], row[2]
    n_reads = sum(len(v) for v in reads.values())
    ms = lambda s: f"{s * 1000:.2f} ms"
    print(f"{a.readers} readers + 1 writer for {elapsed:.1f} s on {os.cpu_count()} cores")
    print(f"reads:   {n_reads} ({n_reads / elapsed:.0f}/s)")
    for kind, xs in reads.items():
        print(f"  {kind}: {len(xs)}, p50 {ms(percentile(xs, 0.5))}, p99 {ms(percentile(xs, 0.99))}")
    print(f"commits: {len(commits)} ({len(commits) / elapsed:.0f}/s), p50 {ms(percentile(commits, 0.5))}, "
          f"p99 {ms(percentile(commits, 0.99))}")
    print(f"errors:  {len(errors)}")
    for e in errors[:10]:
        print("  " + e)
    lost = len(commits) - held
    print(f"after reopening: {held} :Probe nodes ({distinct} distinct, highest {top}); "
          f"acknowledged {len(commits)}; lost {lost}")
    ok = not errors and held == len(commits) and distinct == held and (top is None or top == held - 1)
    print("OK" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
