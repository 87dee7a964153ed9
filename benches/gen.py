#!/usr/bin/env python3
"""Seeded generator of the benchmark's social graph, and its expected answers.

    python3 benches/gen.py --size 10k [--seed 42] [--out benches/data]

writes, under OUT/SIZE-sSEED/:
  persons.csv   id:ID,name,age:int,country     (id is 0..N-1)
  knows.csv     :START_ID,:END_ID,since:int    (start/end are person ids)
  expected.json the workloads' answers, computed here from the same data
  algo.json     the graph-algorithm workloads' answers (`algo_answers`, made on first use)

The headers are the typed ones of `quiver import` (as neo4j-admin's): Kùzu's
and LadybugDB's COPY FROM take the columns by position and skip the header, and
the Python loaders skip it too.

Sizes: tiny = 1k persons / 10k knows, 10k = 10k / 100k, 100k = 100k / 1M,
1m = 1M / 10M.  Pure Python (no numpy), deterministic for a given seed and
Python version's `random` (stable since 3.2 for the calls used here).

The degree distribution is a power law: each person gets a weight
w = rank^-ALPHA (ranks shuffled, so hubs are not the low ids) and both ends of
every relationship are drawn in proportion to it (a Chung-Lu graph; with
ALPHA = 0.5 the degree tail goes as k^-3, like preferential attachment).
Self-loops and a second relationship between the same two persons (in either
direction) are rejected, so a person's relationship count is its number of
distinct friends.
"""

import argparse
import bisect
import itertools
import json
import os
import random
import sys
import time
from collections import Counter, deque

SIZES = {
    "tiny": (1_000, 10_000),
    "10k": (10_000, 100_000),
    "100k": (100_000, 1_000_000),
    "1m": (1_000_000, 10_000_000),
}
ALPHA = 0.5
PERSONS_HEADER = "id:ID,name,age:int,country"
KNOWS_HEADER = ":START_ID,:END_ID,since:int"
AGE_THRESHOLD = 30  # W5: persons per country with age > 30

COUNTRIES = [
    "Argentina", "Australia", "Austria", "Bangladesh", "Belgium", "Brazil", "Canada", "Chile",
    "China", "Colombia", "Czechia", "Denmark", "Egypt", "Ethiopia", "Finland", "France",
    "Germany", "Ghana", "Greece", "Hungary", "India", "Indonesia", "Iran", "Ireland",
    "Israel", "Italy", "Japan", "Kenya", "Malaysia", "Mexico", "Morocco", "Netherlands",
    "New Zealand", "Nigeria", "Norway", "Pakistan", "Peru", "Philippines", "Poland", "Portugal",
    "Romania", "South Africa", "South Korea", "Spain", "Sweden", "Switzerland", "Thailand",
    "Turkey", "Ukraine", "Vietnam",
]
SYLLABLES = ["ka", "lo", "mi", "ra", "ten", "su", "vo", "ne", "di", "an", "bel", "chi", "or", "pa", "quin", "ze"]


def log(msg):
    print(f"gen: {msg}", file=sys.stderr, flush=True)


def make_persons(rng, n):
    # Countries are skewed too (weight 1/(rank+1)), so the GROUP BY has a clear order.
    cw = list(itertools.accumulate(1.0 / (i + 1) for i in range(len(COUNTRIES))))
    countries = rng.choices(COUNTRIES, cum_weights=cw, k=n)
    persons = []
    for i in range(n):
        k = rng.randint(2, 3)
        name = "".join(rng.choice(SYLLABLES) for _ in range(k)).capitalize() + f" {i}"
        persons.append((i, name, rng.randint(18, 80), countries[i]))
    return persons


def make_knows(rng, n, m):
    ranks = list(range(1, n + 1))
    rng.shuffle(ranks)
    cum = list(itertools.accumulate(r ** -ALPHA for r in ranks))
    total = cum[-1]
    seen = set()
    knows = []
    rnd = rng.random
    while len(knows) < m:
        want = m - len(knows)
        # draw in chunks; bisect on the cumulative weights
        for _ in range(want + want // 10 + 16):
            a = bisect.bisect_right(cum, rnd() * total)
            b = bisect.bisect_right(cum, rnd() * total)
            if a >= n or b >= n or a == b:
                continue
            key = a * n + b if a < b else b * n + a
            if key in seen:
                continue
            seen.add(key)
            knows.append((a, b, rng.randint(2000, 2025)))
            if len(knows) == m:
                break
    return knows


def adjacency(n, knows):
    adj = [[] for _ in range(n)]
    for a, b, _ in knows:
        adj[a].append(b)
        adj[b].append(a)
    return adj


def fof_count(adj, p):
    """Distinct z with p-y-z over two different relationships (so z != p here)."""
    s = set()
    for y in adj[p]:
        s.update(adj[y])
    s.discard(p)
    return len(s)


def bfs(adj, src):
    dist = {src: 0}
    q = deque([src])
    while q:
        u = q.popleft()
        du = dist[u] + 1
        for v in adj[u]:
            if v not in dist:
                dist[v] = du
                q.append(v)
    return dist


def expected_answers(persons, knows, size, seed):
    n = len(persons)
    adj = adjacency(n, knows)
    deg = [len(a) for a in adj]
    hub = max(range(n), key=lambda i: (deg[i], -i))
    median_deg = sorted(deg)[n // 2]
    median = min(i for i in range(n) if deg[i] == median_deg)
    dist = bfs(adj, median)
    far = max(dist, key=lambda v: (dist[v], -v))
    groups = Counter(c for (_, _, age, c) in persons if age > AGE_THRESHOLD)
    w5 = sorted(groups.items(), key=lambda kv: (-kv[1], kv[0]))
    pid, name, age, country = persons[median]
    return {
        "size": size,
        "seed": seed,
        "persons": n,
        "knows": len(knows),
        "max_degree": deg[hub],
        "median_degree": median_deg,
        "hub": {"id": hub, "friends": deg[hub], "fof": fof_count(adj, hub)},
        "median": {"id": median, "friends": deg[median], "fof": fof_count(adj, median)},
        "w2": {"id": pid, "name": name, "age": age, "country": country},
        "w5": {"age_gt": AGE_THRESHOLD, "rows": [[c, k] for c, k in w5]},
        "w6": {"src": median, "dst": far, "length": dist[far], "reachable_from_src": len(dist)},
        "w7": sum(p[2] for p in persons) / n,
    }


PAGERANK_ITERATIONS = 20  # A1: power iterations
TOP_DEGREE = 10  # A3: a sampled betweenness must put one of the 10 best-connected persons first


def directed_answers(d, exp):
    """W6-dir: from the W6 source along KNOWS in their direction, the farthest person reached
    (the smallest id among the farthest) and its distance; cached as directed.json."""
    path = os.path.join(d, "directed.json")
    if os.path.exists(path):
        return json.load(open(path))
    n = exp["persons"]
    out = [[] for _ in range(n)]
    with open(os.path.join(d, "knows.csv")) as f:
        next(f)
        for line in f:
            a, b, _ = line.split(",")
            out[int(a)].append(int(b))
    src = exp["w6"]["src"]
    dist = {src: 0}
    q = deque([src])
    while q:
        u = q.popleft()
        for v in out[u]:
            if v not in dist:
                dist[v] = dist[u] + 1
                q.append(v)
    far = max(dist, key=lambda v: (dist[v], -v))
    ans = {"src": src, "dst": far, "length": dist[far], "reachable_from_src": len(dist)}
    with open(path + ".tmp", "w") as f:
        json.dump(ans, f, indent=1)
    os.replace(path + ".tmp", path)
    return ans


def algo_answers(d):
    """The graph-algorithm workloads' answers (A1-A3), computed from the CSVs in pure Python
    and cached as algo.json beside them.

    A1, PageRank on the undirected graph as networkx iterates it: the tolerance is chosen
    here so that networkx's stopping rule (L1 change below n * tolerance) ends the iteration
    at exactly PAGERANK_ITERATIONS (the geometric mean of the per-node changes of that
    iteration and the one before), so that every engine given it does the same work; the
    answer is the top person.  A2: the number of connected components (union-find).
    A3: the persons of highest degree."""
    path = os.path.join(d, "algo.json")
    if os.path.exists(path):
        return json.load(open(path))
    t0 = time.time()
    with open(os.path.join(d, "persons.csv")) as f:
        n = sum(1 for _ in f) - 1
    knows = []
    with open(os.path.join(d, "knows.csv")) as f:
        next(f)
        for line in f:
            a, b, _ = line.split(",")
            knows.append((int(a), int(b), 0))
    adj = adjacency(n, knows)
    deg = [len(a) for a in adj]
    # x' = 0.85 (x A + dangling mass / n) + 0.15 / n, from the uniform vector.
    x = [1.0 / n] * n
    changes = []
    for _ in range(PAGERANK_ITERATIONS):
        dangling = sum(x[u] for u in range(n) if deg[u] == 0)
        base = 0.85 * dangling / n + 0.15 / n
        nxt = [base] * n
        for u in range(n):
            if deg[u]:
                share = 0.85 * x[u] / deg[u]
                for v in adj[u]:
                    nxt[v] += share
        changes.append(sum(abs(a - b) for a, b in zip(nxt, x)) / n)
        x = nxt
    tolerance = (changes[-1] * changes[-2]) ** 0.5
    ranked = sorted(range(n), key=lambda i: -x[i])
    # Components by union-find.
    parent = list(range(n))

    def find(v):
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    for a, b, _ in knows:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
    components = sum(1 for v in range(n) if find(v) == v)
    by_degree = sorted(range(n), key=lambda i: (-deg[i], i))[:TOP_DEGREE]
    out = {
        "pagerank": {"iterations": PAGERANK_ITERATIONS, "tolerance": tolerance, "top": ranked[0],
                     "score": x[ranked[0]], "second": ranked[1], "second_score": x[ranked[1]]},
        "components": components,
        "top_degree": by_degree,
    }
    with open(path + ".tmp", "w") as f:
        json.dump(out, f, indent=1)
    os.replace(path + ".tmp", path)
    log(f"algorithm answers for {d} in {time.time() - t0:.1f}s (PageRank tolerance {tolerance:.3g})")
    return out


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(header + "\n")
        for r in rows:
            f.write(",".join(str(x) for x in r))
            f.write("\n")


def dataset_dir(out, size, seed):
    return os.path.join(out, f"{size}-s{seed}")


def generate(size, seed, out, force=False):
    d = dataset_dir(out, size, seed)
    exp_path = os.path.join(d, "expected.json")
    fresh = os.path.exists(exp_path) and open(os.path.join(d, "persons.csv")).readline().strip() == PERSONS_HEADER
    if fresh and not force:
        log(f"{d} exists (use --force to remake)")
        return d
    os.makedirs(d, exist_ok=True)
    n, m = SIZES[size]
    t0 = time.time()
    rng = random.Random(seed)
    persons = make_persons(rng, n)
    knows = make_knows(rng, n, m)
    log(f"{size}: {n} persons, {len(knows)} knows drawn in {time.time() - t0:.1f}s")
    # names hold no comma or quote, so plain CSV needs no quoting for any loader
    write_csv(os.path.join(d, "persons.csv"), PERSONS_HEADER, persons)
    write_csv(os.path.join(d, "knows.csv"), KNOWS_HEADER, knows)
    if os.path.exists(os.path.join(d, "algo.json")):
        os.remove(os.path.join(d, "algo.json"))  # answers of the data it replaces
    exp = expected_answers(persons, knows, size, seed)
    with open(exp_path + ".tmp", "w") as f:
        json.dump(exp, f, indent=1)
    os.replace(exp_path + ".tmp", exp_path)
    log(f"{size}: wrote {d} in {time.time() - t0:.1f}s (hub degree {exp['max_degree']}, "
        f"median degree {exp['median_degree']}, path length {exp['w6']['length']})")
    return d


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", choices=SIZES, default="10k")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "data"))
    ap.add_argument("--force", action="store_true")
    a = ap.parse_args()
    print(generate(a.size, a.seed, a.out, a.force))


if __name__ == "__main__":
    main()
