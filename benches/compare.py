#!/usr/bin/env python3
"""Side-by-side benchmark: quiver against embedded graph peers.

    bash benches/compare --size 10k            # the usual entry point (wrapper)
    benches/.venv/bin/python benches/compare.py --size 10k [--reps 5] [--engines quiver,kuzu]

Every engine runs in its own process.  quiver is driven through its stdin pipe
with `--format json` (one JSON line back per `;`-terminated statement) and is
timed around that round trip; each peer runs in a worker process
(`compare.py --worker NAME`) that times the call of its Python API, fetching
every row.  After W1 (bulk load) each query gets one warm-up and --reps timed
runs, the engines taking turns run by run.  Every answer is checked against the
generator's expected.json: a wrong answer is printed loudly, and left out of
the table.  W8 (cold start) times a whole new process that opens the database
file and answers W2.  quiver-python is quiver for Python (the `quiver` package)
in a worker like Kùzu's, driven through the same Python calls (execute,
get_all, get_as_df); it runs in --quiver-python (default: this interpreter,
benches/.venv, where the wrapper installs a release wheel built by maturin), and
the report's second table sets it against Kùzu and LadybugDB.  C1 and C2 time
a result's conversion to a pandas DataFrame on the engines with a Python API:
1M unwound rows, and every person; the get_as_df / to_df part alone is its own
row.  A1-A3 are graph algorithms (PageRank, connected
components, sampled betweenness): quiver runs them as `CALL algo.*` in its
process, the libraries through their own calls, Kùzu through its algo extension
where it computes the same thing; their answers are checked against gen.py's
algo.json.

Writes benches/results/<date>-<size>.md (the table) and .json (raw timings).
"""

import argparse
import datetime
import glob
import json
import math
import os
import platform
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

ALL_ENGINES = ["quiver", "quiver-python", "kuzu", "ladybug", "falkordb", "networkx", "rustworkx", "igraph"]
CYPHER_ENGINES = {"quiver", "quiver-python", "kuzu", "ladybug", "falkordb"}
# Engines driven through the same Python calls (Kùzu's API: execute, get_all, get_as_df).
PY_API_ENGINES = {"quiver-python", "kuzu", "ladybug"}
LIB_ENGINES = {"networkx", "rustworkx", "igraph"}

# ---------------------------------------------------------------------------
# Workloads: one Cypher text for every engine, unless its dialect needs another.

W6_STANDARD = (
    "MATCH (a:Person {id: %(src)d}), (b:Person {id: %(dst)d}) "
    "MATCH p = shortestPath((a)-[:KNOWS*]-(b)) RETURN length(p) AS len"
)
# Kùzu and LadybugDB have no shortestPath(); they spell it as a recursive
# relationship with SHORTEST (upper bound 30, their default maximum).
W6_KUZU = (
    "MATCH p = (a:Person {id: %(src)d})-[:KNOWS* SHORTEST 1..30]-(b:Person {id: %(dst)d}) "
    "RETURN length(p) AS len"
)

# FalkorDB takes shortestPath() only in WITH/RETURN and only directed; its
# algo.SPpaths procedure walks both directions (each relationship costs 1).
W6_FALKOR = (
    "MATCH (a:Person {id: %(src)d}), (b:Person {id: %(dst)d}) "
    "CALL algo.SPpaths({sourceNode: a, targetNode: b, relTypes: ['KNOWS'], relDirection: 'both', pathCount: 1}) "
    "YIELD path RETURN length(path) AS len"
)

# The directed variant: quiver's shortestPath((a)-[:KNOWS*]->(b)) runs from both ends at once.
W6D_STANDARD = (
    "MATCH (a:Person {id: %(dsrc)d}), (b:Person {id: %(ddst)d}) "
    "MATCH p = shortestPath((a)-[:KNOWS*]->(b)) RETURN length(p) AS len"
)
W6D_KUZU = (
    "MATCH p = (a:Person {id: %(dsrc)d})-[:KNOWS* SHORTEST 1..30]->(b:Person {id: %(ddst)d}) "
    "RETURN length(p) AS len"
)
W6D_FALKOR = (
    "MATCH (a:Person {id: %(dsrc)d}), (b:Person {id: %(ddst)d}) "
    "RETURN length(shortestPath((a)-[:KNOWS*]->(b))) AS len"
)

WORKLOADS = [
    # id, title, cypher, overrides {engine: text}, library op
    ("W2", "person by id", "MATCH (p:Person {id: %(w2)d}) RETURN p.name AS name, p.age AS age, p.country AS country", {}, None),
    ("W3-hub", "friends of the hub", "MATCH (p:Person {id: %(hub)d})-[:KNOWS]-(f:Person) RETURN count(f) AS friends", {}, ("degree", "hub")),
    ("W3-median", "friends of a median node", "MATCH (p:Person {id: %(median)d})-[:KNOWS]-(f:Person) RETURN count(f) AS friends", {}, ("degree", "median")),
    ("W4-hub", "distinct friends-of-friends, hub",
     "MATCH (p:Person {id: %(hub)d})-[:KNOWS]-(:Person)-[:KNOWS]-(fof:Person) WHERE fof <> p RETURN count(DISTINCT fof) AS fof", {}, ("fof", "hub")),
    ("W4-median", "distinct friends-of-friends, median",
     "MATCH (p:Person {id: %(median)d})-[:KNOWS]-(:Person)-[:KNOWS]-(fof:Person) WHERE fof <> p RETURN count(DISTINCT fof) AS fof", {}, ("fof", "median")),
    ("W5", "persons per country, age > 30",
     "MATCH (p:Person) WHERE p.age > 30 RETURN p.country AS country, count(*) AS n ORDER BY n DESC, country", {}, None),
    ("W6", "shortest-path length", W6_STANDARD, {"kuzu": W6_KUZU, "ladybug": W6_KUZU, "falkordb": W6_FALKOR}, ("path", None)),
    ("W6-dir", "directed shortest-path length", W6D_STANDARD, {"kuzu": W6D_KUZU, "ladybug": W6D_KUZU, "falkordb": W6D_FALKOR}, None),
    ("W7", "average age", "MATCH (p:Person) RETURN avg(p.age) AS avg_age", {}, None),
]

# Result conversion: the rows of a query as a pandas DataFrame (quiver's to_df, Kùzu's get_as_df),
# for the engines with a Python API. Timed around execute + get_as_df; the conversion alone is
# its own row (C1-df, C2-df).
CONVERT_WORKLOADS = [
    ("C1", "1M rows (an integer and a string) to a DataFrame",
     "UNWIND range(1, 1000000) AS i RETURN i, toString(i) AS s",
     {"kuzu": "UNWIND range(1, 1000000) AS i RETURN i, to_string(i) AS s",
      "ladybug": "UNWIND range(1, 1000000) AS i RETURN i, to_string(i) AS s"}),
    ("C2", "every person (4 columns) to a DataFrame",
     "MATCH (p:Person) RETURN p.id AS id, p.name AS name, p.age AS age, p.country AS country", {}),
]


def convert_expected(wid, data):
    """What a C workload's DataFrame summary (see df_summary) must be."""
    if wid == "C1":
        n = 1_000_000
        return [[n, 2, n * (n + 1) // 2, str(n)]]
    rows = read_csv_rows(os.path.join(data, "persons.csv"), {0, 2})
    return [[len(rows), 4, sum(r[0] for r in rows), sum(r[2] for r in rows)]]


def df_summary(df):
    """[rows, columns, the sum of the first (integer) column, C1: the last string / C2: the sum of age]."""
    first = df.iloc[:, 0]
    if first.dtype.kind not in "iu":
        raise TypeError(f"column {df.columns[0]} came as {first.dtype}, not an integer array")
    last = str(df.iloc[-1, 1]) if df.shape[1] == 2 else int(df["age"].sum())
    return [[int(df.shape[0]), int(df.shape[1]), int(first.sum()), last]]


# Graph algorithms: (id, title, {engine: Cypher text}, library op). An engine with neither a
# text nor the op (LIB_ALGOS) does not run the workload. The graph is taken as undirected, as
# the libraries hold it.
ALGO_WORKLOADS = [
    ("A1", "PageRank, 20 iterations",
     {"quiver": "CALL algo.pageRank({orientation: 'UNDIRECTED', maxIterations: 100, tolerance: %(pr_tol).17g}) "
                "YIELD node, score RETURN node.id AS id ORDER BY score DESC LIMIT 1"},
     "pagerank"),
    ("A2", "connected components",
     {"quiver": "CALL algo.wcc() YIELD componentId RETURN count(DISTINCT componentId) AS components",
      "kuzu": "CALL weakly_connected_components('social') RETURN count(DISTINCT group_id) AS components"},
     "wcc"),
    ("A3", "betweenness, 100 sampled sources",
     {"quiver": "CALL algo.betweenness({orientation: 'UNDIRECTED', samplingSize: %(sample)d, samplingSeed: %(seed)d}) "
                "YIELD node, score RETURN node.id AS id ORDER BY score DESC LIMIT 1"},
     "betweenness"),
]
# Which library has which algorithm (rustworkx has no sampled betweenness).
LIB_ALGOS = {"networkx": {"pagerank", "wcc", "betweenness"}, "rustworkx": {"pagerank", "wcc"},
             "igraph": {"pagerank", "wcc", "betweenness"}}
BETWEENNESS_SAMPLE = 100


def algo_params(alg, seed):
    return {"pr_tol": alg["pagerank"]["tolerance"], "sample": BETWEENNESS_SAMPLE, "seed": seed}


def algo_answer(wid, alg):
    """(a test of an algorithm workload's rows, what it expects, for messages)."""
    if wid == "A1":
        want = [[alg["pagerank"]["top"]]]
        return (lambda rows: same(rows, want)), want
    if wid == "A2":
        want = [[alg["components"]]]
        return (lambda rows: same(rows, want)), want
    if wid == "A3":
        top = alg["top_degree"]
        return (lambda rows: len(rows) == 1 and len(rows[0]) == 1 and rows[0][0] in top), f"one of {top}"
    raise KeyError(wid)


def workload_params(exp):
    return {"w2": exp["w2"]["id"], "hub": exp["hub"]["id"], "median": exp["median"]["id"],
            "src": exp["w6"]["src"], "dst": exp["w6"]["dst"],
            "dsrc": exp["w6_directed"]["src"], "ddst": exp["w6_directed"]["dst"]}


def expected_rows(wid, exp):
    if wid == "W2":
        w = exp["w2"]
        return [[w["name"], w["age"], w["country"]]]
    if wid.startswith("W3"):
        return [[exp[wid.split("-")[1]]["friends"]]]
    if wid.startswith("W4"):
        return [[exp[wid.split("-")[1]]["fof"]]]
    if wid == "W5":
        return exp["w5"]["rows"]
    if wid == "W6":
        return [[exp["w6"]["length"]]]
    if wid == "W6-dir":
        return [[exp["w6_directed"]["length"]]]
    if wid == "W7":
        return [[exp["w7"]]]
    raise KeyError(wid)


def same(a, b):
    if isinstance(a, float) or isinstance(b, float):
        try:
            return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
        except (TypeError, ValueError):
            return False
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def short(v, n=160):
    s = json.dumps(v, default=str)
    return s if len(s) <= n else s[: n - 3] + "..."


# ---------------------------------------------------------------------------
# Peers, inside a worker process.

def read_csv_rows(path, ints):
    """Rows of a generated CSV (no quoting in it); `ints` says which columns are integers."""
    out = []
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            parts = line.rstrip("\n").split(",")
            out.append([int(p) if i in ints else p for i, p in enumerate(parts)])
    return out


def file_bytes(paths):
    total = 0
    for p in paths:
        if os.path.isdir(p):
            for dp, _, fs in os.walk(p):
                total += sum(os.path.getsize(os.path.join(dp, f)) for f in fs)
        elif os.path.exists(p):
            total += os.path.getsize(p)
    return total


class KuzuPeer:
    """Kùzu 0.11.3 and LadybugDB (its fork): same API and dialect."""

    def __init__(self, module):
        import importlib
        self.mod = importlib.import_module(module)
        self.version = getattr(self.mod, "__version__", "?")
        self.db = self.conn = None

    def open(self, path):
        self.path = path
        self.db = self.mod.Database(path)
        self.conn = self.mod.Connection(self.db)

    def load(self, data):
        c = self.conn
        c.execute("CREATE NODE TABLE Person(id INT64, name STRING, age INT64, country STRING, PRIMARY KEY(id))")
        c.execute("CREATE REL TABLE KNOWS(FROM Person TO Person, since INT64)")
        c.execute(f"COPY Person FROM '{data}/persons.csv' (header=true)")
        c.execute(f"COPY KNOWS FROM '{data}/knows.csv' (header=true)")
        try:  # the graph the algo extension's functions run on (A2); LadybugDB cannot download it
            c.execute("CALL project_graph('social', ['Person'], ['KNOWS'])")
        except Exception:  # noqa: BLE001
            pass
        return "COPY FROM csv (id is the primary key)"

    def query(self, text):
        return [list(r) for r in self.conn.execute(text).get_all()]

    def to_df(self, text):
        """C1/C2: (summary, seconds of execute + get_as_df, seconds of get_as_df alone)."""
        t0 = time.perf_counter()
        r = self.conn.execute(text)
        t1 = time.perf_counter()
        df = r.get_as_df()
        t2 = time.perf_counter()
        return df_summary(df), t2 - t0, t2 - t1

    def disk(self):
        try:
            self.conn.execute("CHECKPOINT")
        except Exception:
            pass
        return file_bytes(glob.glob(self.path + "*"))

    def close(self):
        self.conn = None
        self.db.close() if hasattr(self.db, "close") else None
        self.db = None


class QuiverPythonPeer(KuzuPeer):
    """quiver for Python (the quiver package, as `pip install ./python` or the wheel of `maturin build --release`
    installs it): the same Python calls as Kùzu's (execute, get_all, get_as_df); only the load differs."""

    def __init__(self):
        super().__init__("quiver")

    def open(self, path):
        self.path = path
        self.db = self.mod.Database(path)
        self.conn = self.mod.Connection(self.db)

    def load(self, data):
        self.conn.import_files(nodes={"Person": os.path.join(data, "persons.csv")},
                               relationships={"KNOWS": os.path.join(data, "knows.csv")}, id_type="integer")
        self.conn.execute("CREATE INDEX FOR (p:Person) ON (p.id)")
        return "conn.import_files(nodes=..., relationships=..., id_type='integer') into the database file, " \
               "then CREATE INDEX on :Person(id)"

    def disk(self):
        return file_bytes(glob.glob(self.path + "*"))


class FalkorPeer:
    """FalkorDB embedded (falkordblite: a redis-server child process with the FalkorDB module)."""

    BATCH = 10_000

    def __init__(self):
        from redislite.falkordb_client import FalkorDB  # noqa: F401
        import importlib.metadata as md
        self.version = md.version("falkordblite")

    def open(self, path):
        from redislite.falkordb_client import FalkorDB
        self.path = path
        self.db = FalkorDB(path)
        self.g = self.db.select_graph("social")

    def load(self, data):
        persons = read_csv_rows(os.path.join(data, "persons.csv"), {0, 2})
        knows = read_csv_rows(os.path.join(data, "knows.csv"), {0, 1, 2})
        self.g.query("CREATE INDEX FOR (p:Person) ON (p.id)")
        for i in range(0, len(persons), self.BATCH):
            self.g.query("UNWIND $rows AS r CREATE (:Person {id: r[0], name: r[1], age: r[2], country: r[3]})",
                         {"rows": persons[i:i + self.BATCH]})
        for i in range(0, len(knows), self.BATCH):
            self.g.query("UNWIND $rows AS r MATCH (a:Person {id: r[0]}), (b:Person {id: r[1]}) "
                         "CREATE (a)-[:KNOWS {since: r[2]}]->(b)", {"rows": knows[i:i + self.BATCH]})
        return f"index on :Person(id), then UNWIND $rows CREATE in batches of {self.BATCH}"

    def query(self, text):
        return [list(r) for r in self.g.query(text).result_set]

    def server_pids(self):
        # redislite daemonizes its redis-server: it is no child of this process
        pid = getattr(self.db.client, "pid", None)
        return [pid] if pid else []

    def disk(self):
        self.db.client.save()
        return file_bytes(glob.glob(self.path + "*"))

    def close(self):
        try:
            self.db.close() if hasattr(self.db, "close") else None
        except Exception:
            pass


class LibPeer:
    """networkx / rustworkx / igraph: the hop and path workloads (W1, W3, W4, W6) and the algorithms (A1-A3)."""

    def __init__(self, name):
        import importlib
        self.name = name
        mod = {"networkx": "networkx", "rustworkx": "rustworkx", "igraph": "igraph"}[name]
        self.m = importlib.import_module(mod)
        self.version = getattr(self.m, "__version__", "?")

    def open(self, path):
        pass

    def load(self, data):
        with open(os.path.join(data, "persons.csv")) as f:
            n = sum(1 for _ in f) - 1
        edges = [(r[0], r[1]) for r in read_csv_rows(os.path.join(data, "knows.csv"), {0, 1, 2})]
        if self.name == "networkx":
            g = self.m.Graph()
            g.add_nodes_from(range(n))
            g.add_edges_from(edges)
        elif self.name == "rustworkx":
            g = self.m.PyGraph(multigraph=False)
            g.add_nodes_from(range(n))
            g.add_edges_from_no_data(edges)
        else:
            g = self.m.Graph(n=n, edges=edges, directed=False)
        self.g = g
        return "edge list read from knows.csv (structure only)"

    def op(self, kind, node, src=None, dst=None, arg=None):
        g, name = self.g, self.name
        if kind in ("pagerank", "wcc", "betweenness"):
            return self.algo(kind, arg)
        if kind == "degree":
            return g.degree(node)
        if kind == "fof":
            s = set()
            if name == "networkx":
                for y in g[node]:
                    s.update(g[y])
            elif name == "rustworkx":
                for y in g.neighbors(node):
                    s.update(g.neighbors(y))
            else:
                for lst in g.neighborhood(g.neighbors(node), order=1, mindist=1):
                    s.update(lst)
            s.discard(node)
            return len(s)
        if kind == "path":
            if name == "networkx":
                return self.m.shortest_path_length(g, src, dst)
            if name == "rustworkx":
                paths = self.m.graph_dijkstra_shortest_paths(g, src, target=dst)
                return len(paths[dst]) - 1
            return int(g.distances(src, dst)[0][0])
        raise ValueError(kind)

    def algo(self, kind, arg):
        """A1-A3 (see ALGO_WORKLOADS): the top node, or the number of components."""
        g, name, m = self.g, self.name, self.m
        if kind == "pagerank":  # arg: the tolerance that makes networkx's rule stop at 20 iterations
            if name == "networkx":
                scores = m.pagerank(g, alpha=0.85, max_iter=100, tol=arg)
            elif name == "rustworkx":
                if getattr(self, "dg", None) is None:  # it takes a PyDiGraph: made once, in the untimed warm-up
                    self.dg = g.to_directed()
                scores = m.pagerank(self.dg, alpha=0.85, max_iter=100, tol=arg)
            else:
                scores = dict(enumerate(g.pagerank(damping=0.85, directed=False)))
            return max(scores.keys(), key=lambda v: scores[v])
        if kind == "wcc":
            if name in ("networkx", "rustworkx"):
                return m.number_connected_components(g)
            return len(g.connected_components())
        if kind == "betweenness":  # arg: [sample size, seed]
            k, seed = arg
            if name == "networkx":
                scores = m.betweenness_centrality(g, k=k, seed=seed)
                return max(scores, key=scores.get)
            import random
            sources = random.Random(seed).sample(range(g.vcount()), k)
            scores = g.betweenness(directed=False, sources=sources)
            return max(range(len(scores)), key=lambda v: scores[v])
        raise ValueError(kind)

    def disk(self):
        return None

    def close(self):
        self.g = None
        self.dg = None


def make_peer(name):
    if name in ("kuzu", "ladybug"):
        return KuzuPeer(name)
    if name == "quiver-python":
        return QuiverPythonPeer()
    if name == "falkordb":
        return FalkorPeer()
    return LibPeer(name)


def worker_main(name):
    """Line protocol: one JSON request in, one JSON answer out."""
    out = sys.stdout
    sys.stdout = sys.stderr  # nothing else may write to the protocol stream
    peer = None

    def reply(obj):
        out.write(json.dumps(obj, default=str) + "\n")
        out.flush()

    try:
        peer = make_peer(name)
        reply({"ok": True, "version": peer.version})
    except Exception as e:  # noqa: BLE001
        reply({"ok": False, "error": f"{type(e).__name__}: {e}"})
        return 1
    for line in sys.stdin:
        req = json.loads(line)
        op = req["op"]
        try:
            t0 = time.perf_counter()
            if op == "open":
                peer.open(req["path"])
                res = None
            elif op == "load":
                res = peer.load(req["data"])
            elif op == "query":
                res = peer.query(req["text"])
            elif op == "df":
                res, total, conv = peer.to_df(req["text"])
                reply({"ok": True, "result": res, "seconds": total, "convert": conv})
                continue
            elif op == "lib":
                res = [[peer.op(req["kind"], req.get("node"), req.get("src"), req.get("dst"), req.get("arg"))]]
            elif op == "disk":
                res = peer.disk()
            elif op == "pids":
                res = peer.server_pids() if hasattr(peer, "server_pids") else []
            elif op == "close":
                peer.close()
                res = None
            elif op == "quit":
                reply({"ok": True})
                return 0
            else:
                raise ValueError(op)
            dt = time.perf_counter() - t0
            reply({"ok": True, "result": res, "seconds": dt})
        except Exception as e:  # noqa: BLE001
            reply({"ok": False, "error": f"{type(e).__name__}: {e}"})
    return 0


def cold_main(name, path, text):
    """W8 for a peer: open the existing database and answer one query, in this new process."""
    peer = make_peer(name)
    if not text:  # the baseline: interpreter start and import only
        print("[]")
        return 0
    peer.open(path)
    rows = peer.query(text)
    print(json.dumps(rows, default=str))
    return 0


# ---------------------------------------------------------------------------
# The orchestrator's handles on engine processes.

class Timeout(Exception):
    pass


class Proc:
    """A child process whose stdout lines arrive on a queue (so reads can time out)."""

    def __init__(self, argv, cwd=None):
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  cwd=cwd, text=True, encoding="utf-8", bufsize=1)
        self.q = queue.Queue()
        self.err = []
        threading.Thread(target=self._pump, args=(self.p.stdout, self.q), daemon=True).start()
        threading.Thread(target=self._pump, args=(self.p.stderr, None), daemon=True).start()

    def _pump(self, stream, q):
        for line in stream:
            if q is None:
                self.err.append(line)
                del self.err[:-50]
            else:
                q.put(line)
        if q is not None:
            q.put(None)

    def send(self, text):
        self.p.stdin.write(text)
        self.p.stdin.flush()

    def recv(self, timeout):
        try:
            line = self.q.get(timeout=timeout)
        except queue.Empty:
            raise Timeout(f"no answer in {timeout:.0f}s")
        if line is None:
            raise RuntimeError("process ended: " + "".join(self.err[-5:]).strip())
        return line

    def peak_rss(self):
        """Peak resident set (VmHWM) of the process and its descendants, in bytes."""
        return sum(peak_of(pid) for pid in [self.p.pid] + descendants(self.p.pid))

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait()


def descendants(pid):
    out = []
    try:
        kids = open(f"/proc/{pid}/task/{pid}/children").read().split()
    except OSError:
        return out
    for k in kids:
        out.append(int(k))
        out.extend(descendants(int(k)))
    return out


def peak_of(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def cypher_literal(v):
    if isinstance(v, str):
        return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return str(v)


class QuiverEngine:
    NODE_BATCH = 10_000
    REL_BATCH = 50_000

    def __init__(self, binary, workdir, method="auto", name="quiver"):
        self.name = name
        self.binary = binary
        self.workdir = workdir
        self.version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip().split()[-1]
        self.file_db = quiver_supports_files(binary, workdir)
        self.db_path = os.path.join(workdir, f"{name}.db") if self.file_db else None
        helps = subprocess.run([binary, "--help"], capture_output=True, text=True).stdout
        # `quiver import --help` alone proves nothing: without the subcommand, "import" is taken as FILE
        self.has_import = any(l.split()[:1] == ["import"] for l in helps.splitlines() if l.startswith("  "))
        self.has_load_flags = "--load-nodes" in helps
        self.method = method  # auto, import, load-flags, load-csv, unwind
        self.proc = None
        self.import_peak = None
        self.w1_kind = None

    def start(self):
        pass  # the process starts in load(): how depends on the W1 method

    def spawn(self, extra=()):
        argv = [self.binary] + ([self.db_path] if self.db_path else []) + ["--format", "json", "--keep-going"]
        self.proc = Proc(argv + list(extra))

    def run(self, text, timeout):
        t0 = time.perf_counter()
        self.proc.send(text + ";\n")
        line = self.proc.recv(timeout)
        dt = time.perf_counter() - t0
        obj = json.loads(line)
        if "error" in obj:
            raise RuntimeError(f"{obj['error'].get('code')}: {obj['error'].get('message')}")
        return obj["rows"], dt

    def id_is_integer(self, timeout):
        rows, _ = self.run("MATCH (p:Person {id: 0}) RETURN count(p) AS c", timeout)
        return rows == [[1]]

    def load(self, data, timeout):
        m = self.method
        persons_csv, knows_csv = os.path.join(data, "persons.csv"), os.path.join(data, "knows.csv")
        if m in ("auto", "import") and self.has_import and self.file_db:
            # the bulk importer into the database file, then the warm process opens it and builds the index
            t0 = time.perf_counter()
            p, self.import_peak = run_measured([self.binary, "import", "--id-type", "integer", "--nodes",
                                                f"Person={persons_csv}", "--relationships", f"KNOWS={knows_csv}",
                                                self.db_path], timeout)
            if p.returncode != 0:
                raise RuntimeError(f"quiver import failed: {p.stderr.strip()[-300:]}")
            t_import = time.perf_counter() - t0
            self.spawn()
            self.run("CREATE INDEX FOR (p:Person) ON (p.id)", timeout)
            if not self.id_is_integer(timeout):
                raise RuntimeError("after quiver import --id-type integer, p.id is not the integer id")
            self.w1_kind = "import"
            return time.perf_counter() - t0, (
                f"`quiver import --id-type integer` into the database file ({fmt_time(t_import)}), then "
                "CREATE INDEX on :Person(id) in the warm process that opened it")
        if m in ("auto", "load-flags") and self.has_load_flags and not self.file_db:
            t0 = time.perf_counter()
            self.spawn(["--load-nodes", f"Person={persons_csv}", "--load-relationships", f"KNOWS={knows_csv}"])
            rows, _ = self.run("MATCH (p:Person) RETURN p.id AS id LIMIT 1", timeout)
            fix = ""
            if rows and isinstance(rows[0][0], str):
                # --load-nodes keeps id:ID as a string (no --id-type for it): make it the integer it is
                self.run("MATCH (p:Person) SET p.id = toInteger(p.id)", timeout)
                fix = ", `SET p.id = toInteger(p.id)` (the in-memory loader keeps id:ID as a string)"
            self.run("CREATE INDEX FOR (p:Person) ON (p.id)", timeout)
            dt = time.perf_counter() - t0
            if not self.id_is_integer(timeout):
                raise RuntimeError("after --load-nodes, p.id is not the integer id")
            self.w1_kind = "load-nodes"
            return dt, ("`--load-nodes Person=persons.csv --load-relationships KNOWS=knows.csv` (the bulk "
                        f"importer, into memory; timed from process start){fix}, then CREATE INDEX on :Person(id)")
        self.spawn()
        if m in ("auto", "load-csv"):
            probe = quiver_load_csv_probe(self, data, timeout)
            if probe:
                return probe
            if m == "load-csv":
                raise RuntimeError("this quiver has no LOAD CSV")
        t0 = time.perf_counter()
        persons = read_csv_rows(os.path.join(data, "persons.csv"), {0, 2})
        knows = read_csv_rows(os.path.join(data, "knows.csv"), {0, 1, 2})
        self.run("CREATE INDEX FOR (p:Person) ON (p.id)", timeout)
        for i in range(0, len(persons), self.NODE_BATCH):
            rows = ",".join("[" + ",".join(cypher_literal(x) for x in r) + "]" for r in persons[i:i + self.NODE_BATCH])
            self.run(f"UNWIND [{rows}] AS r CREATE (:Person {{id: r[0], name: r[1], age: r[2], country: r[3]}})",
                     timeout)
        for i in range(0, len(knows), self.REL_BATCH):
            rows = ",".join(f"[{a},{b},{s}]" for a, b, s in knows[i:i + self.REL_BATCH])
            self.w1_kind = "UNWIND"
            self.run(f"UNWIND [{rows}] AS r MATCH (a:Person {{id: r[0]}}), (b:Person {{id: r[1]}}) "
                     "CREATE (a)-[:KNOWS {since: r[2]}]->(b)", timeout)
        return time.perf_counter() - t0, (
            ("into the database file: " if self.db_path else "in memory: ") +
            f"index on :Person(id), then CREATE via UNWIND over literal lists piped on stdin ({self.NODE_BATCH} "
            f"nodes / {self.REL_BATCH} relationships a statement; the pipe takes no parameters); "
            "includes reading the CSVs in Python")

    def disk(self):
        if not self.db_path:
            return None
        return file_bytes(glob.glob(self.db_path + "*"))

    def peak_rss(self):
        return self.proc.peak_rss()

    def stop(self):
        if self.proc:
            try:
                self.proc.p.stdin.close()
            except OSError:
                pass
            try:
                self.proc.p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def cold_argv(self, text):
        return [self.binary, self.db_path, "--format", "json", "-c", text]


def run_measured(argv, timeout):
    """Runs argv to its end: (CompletedProcess, the peak RSS of that one process in bytes).
    Through GNU time when it is there: a child's own rusage on Linux starts from the peak of
    the (large) Python process that forked it."""
    with tempfile.NamedTemporaryFile("r") as rss_file:
        timed = os.path.exists("/usr/bin/time")
        full = (["/usr/bin/time", "-f", "%M", "-o", rss_file.name] if timed else []) + list(argv)
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            p = subprocess.Popen(full, stdout=out, stderr=err)
            try:
                p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            out.seek(0)
            err.seek(0)
            done = subprocess.CompletedProcess(argv, p.returncode, out.read().decode(), err.read().decode())
        peak = None
        if timed:
            try:
                peak = int(open(rss_file.name).read().strip().splitlines()[-1]) * 1024
            except (ValueError, IndexError):
                peak = None
        return done, peak


def quiver_w1_csv(binary, workdir, data, timeout, name):
    """W1 through LOAD CSV in a fresh process and database file: (seconds, peak RSS bytes)."""
    path = os.path.join(workdir, f"{name}-csv.db")
    persons, knows = os.path.join(data, "persons.csv"), os.path.join(data, "knows.csv")
    script = (
        "CREATE INDEX FOR (p:Person) ON (p.id);\n"
        "LOAD CSV WITH HEADERS FROM 'file://" + persons + "' AS r "
        "CREATE (:Person {id: toInteger(r.`id:ID`), name: r.name, age: toInteger(r.`age:int`), country: r.country});\n"
        "LOAD CSV WITH HEADERS FROM 'file://" + knows + "' AS r "
        "MATCH (a:Person {id: toInteger(r.`:START_ID`)}), (b:Person {id: toInteger(r.`:END_ID`)}) "
        "CREATE (a)-[:KNOWS {since: toInteger(r.`since:int`)}]->(b);\n"
        "MATCH ()-[r:KNOWS]->() RETURN count(r) AS n;\n")
    f = os.path.join(workdir, f"{name}-csv.cypher")
    open(f, "w").write(script)
    t0 = time.perf_counter()
    p, rss = run_measured([binary, path, "--format", "json", "-f", f], timeout)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(f"LOAD CSV load failed: {p.stderr.strip()[-300:]}")
    last = json.loads(p.stdout.strip().splitlines()[-1])
    return dt, rss, last["rows"][0][0]


def quiver_supports_files(binary, workdir):
    """True when `quiver FILE` keeps a database in FILE (file databases have landed)."""
    probe = os.path.join(workdir, "probe.db")
    r = subprocess.run([binary, probe, "--format", "json", "-c", "CREATE (:Probe {x: 1})"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return False
    r = subprocess.run([binary, probe, "--format", "json", "-c", "MATCH (n:Probe) RETURN count(n) AS c"],
                       capture_output=True, text=True)
    ok = r.returncode == 0 and '"rows":[[1]]' in r.stdout
    for p in glob.glob(probe + "*"):
        shutil.rmtree(p) if os.path.isdir(p) else os.remove(p)
    return ok


def quiver_load_csv_probe(engine, data, timeout):
    """W1 through LOAD CSV when quiver has it: returns (seconds, method) or None."""
    try:
        engine.run("LOAD CSV WITH HEADERS FROM 'file://" + os.path.join(data, "persons.csv") +
                   "' AS r WITH r LIMIT 0 RETURN count(*) AS c", timeout)
    except RuntimeError:
        return None
    t0 = time.perf_counter()
    engine.run("CREATE INDEX FOR (p:Person) ON (p.id)", timeout)
    # the headers are typed for `quiver import` (id:ID, age:int, ...): LOAD CSV sees them as plain names
    engine.run("LOAD CSV WITH HEADERS FROM 'file://" + os.path.join(data, "persons.csv") + "' AS r "
               "CREATE (:Person {id: toInteger(r.`id:ID`), name: r.name, age: toInteger(r.`age:int`), "
               "country: r.country})", timeout)
    engine.w1_kind = "LOAD CSV"
    engine.run("LOAD CSV WITH HEADERS FROM 'file://" + os.path.join(data, "knows.csv") + "' AS r "
               "MATCH (a:Person {id: toInteger(r.`:START_ID`)}), (b:Person {id: toInteger(r.`:END_ID`)}) "
               "CREATE (a)-[:KNOWS {since: toInteger(r.`since:int`)}]->(b)", timeout)
    return time.perf_counter() - t0, (("into the database file: " if engine.db_path else "in memory: ") +
                                      "index on :Person(id), then LOAD CSV WITH HEADERS ... CREATE (nodes, then "
                                      "relationships)")


class PeerEngine:
    def __init__(self, name, python, workdir):
        self.name = name
        self.python = python
        self.workdir = workdir
        self.proc = Proc([python, os.path.abspath(__file__), "--worker", name])
        hello = json.loads(self.proc.recv(120))
        if not hello["ok"]:
            self.proc.kill()
            raise RuntimeError(hello["error"])
        self.version = hello["version"]
        self.db_path = os.path.join(workdir, f"{name}.db") if name in ("kuzu", "ladybug", "falkordb", "quiver-python") else None
        self.convert = {}  # C workload -> the get_as_df part of each run, warm-up first

    def call(self, req, timeout):
        self.proc.send(json.dumps(req) + "\n")
        ans = json.loads(self.proc.recv(timeout))
        if not ans["ok"]:
            raise RuntimeError(ans["error"])
        if "convert" in ans:
            self.convert.setdefault(req["wid"], []).append(ans["convert"])
        return ans.get("result"), ans.get("seconds")

    def run_df(self, wid, text, timeout):
        return self.call({"op": "df", "wid": wid, "text": text}, timeout)

    def start(self):
        self.call({"op": "open", "path": self.db_path}, 120)

    def load(self, data, timeout):
        method, dt = self.call({"op": "load", "data": data}, timeout)
        return dt, method

    def run(self, text, timeout):
        return self.call({"op": "query", "text": text}, timeout)

    def run_lib(self, kind, who, exp, timeout):
        req = {"op": "lib", "kind": kind}
        if kind == "path":
            req["src"], req["dst"] = exp["w6"]["src"], exp["w6"]["dst"]
        else:
            req["node"] = exp[who]["id"]
        return self.call(req, timeout)

    def run_algo(self, kind, arg, timeout):
        return self.call({"op": "lib", "kind": kind, "arg": arg}, timeout)

    def disk(self):
        if not self.db_path:
            return None
        return self.call({"op": "disk"}, 600)[0]

    def peak_rss(self):
        extra = self.call({"op": "pids"}, 60)[0] or []
        return self.proc.peak_rss() + sum(peak_of(p) for p in extra)

    def stop(self):
        try:
            self.call({"op": "close"}, 120)
            self.call({"op": "quit"}, 60)
        except Exception:  # noqa: BLE001
            pass
        try:
            self.proc.p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    def cold_argv(self, text):
        return [self.python, os.path.abspath(__file__), "--cold", self.name, self.db_path, text]


# ---------------------------------------------------------------------------
# The run.

def quiver_commit():
    """HEAD, with "-dirty" only when quiver's own sources differ from it (not benches/)."""
    head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--", "src", "Cargo.toml", "Cargo.lock"],
                           capture_output=True, text=True).stdout.strip()
    return head.stdout.strip() + ("-dirty" if dirty else "")


def fmt_time(s):
    if s is None:
        return "—"
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.3g} ms"
    return f"{s * 1e6:.3g} µs"


def fmt_bytes(b):
    if b is None:
        return None
    for unit in ("B", "KiB", "MiB", "GiB"):
        if b < 1024 or unit == "GiB":
            return f"{b:.0f} {unit}" if unit == "B" else f"{b:.1f} {unit}"
        b /= 1024


def median(xs):
    return statistics.median(xs) if xs else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", default="10k", help="tiny, 10k, 100k or 1m (see gen.py)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--reps", type=int, default=5, help="timed runs per query, after one warm-up")
    ap.add_argument("--engines", default=",".join(ALL_ENGINES))
    ap.add_argument("--quiver", default=os.path.join(ROOT, "target", "release", "quiver"))
    ap.add_argument("--quiver-python", default=sys.executable,
                    help="the Python interpreter the quiver-python engine runs in: one with the quiver package "
                         "installed (default: this one, benches/.venv, where `bash benches/compare` installs a "
                         "release wheel of it built by maturin)")
    ap.add_argument("--quiver-prev", help="another quiver binary (a build of the previous main), run as the "
                                          "engine quiver-prev (add it to --engines)")
    ap.add_argument("--load-csv", action="store_true",
                    help="also time quiver's W1 through LOAD CSV (W1-csv): a fresh process and database file, "
                         "the script of quiver_load_csv_probe, its time and peak RSS")
    ap.add_argument("--timeout", type=float, default=600, help="seconds one query may take before its engine is dropped")
    ap.add_argument("--slow", type=float, default=30,
                    help="a query whose warm-up took longer than this many seconds is timed once, not --reps times")
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    ap.add_argument("--keep", action="store_true", help="keep the database directory")
    ap.add_argument("--only", help="comma-separated workload ids (W2,W5,A1,...) to run after the load; "
                                   "default all (W1 and W8 always run)")
    ap.add_argument("--quiver-load", default="auto", choices=["auto", "import", "load-flags", "load-csv", "unwind"],
                    help="quiver's W1: auto takes the first that this quiver has of import (file database), "
                         "load-flags (in memory), load-csv, unwind")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--cold", nargs=3, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        return worker_main(a.worker)
    if a.cold:
        return cold_main(*a.cold)

    import gen
    data = os.path.abspath(gen.generate(a.size, a.seed, os.path.join(HERE, "data")))
    exp = json.load(open(os.path.join(data, "expected.json")))
    exp["w6_directed"] = gen.directed_answers(data, exp)
    params = workload_params(exp)
    alg = gen.algo_answers(data)
    aparams = algo_params(alg, a.seed)
    workdir = tempfile.mkdtemp(prefix=f"quiver-bench-{a.size}-")
    notes, failures = [], []
    skipped = {}

    def say(msg):
        print(msg, flush=True)

    failed_peers = set()
    ff = os.path.join(HERE, ".venv", "peers-failed.txt")
    if os.path.exists(ff):
        failed_peers = {l.split()[0] for l in open(ff) if l.strip()}

    # -- start every engine
    engines = []
    for name in a.engines.split(","):
        try:
            if name in ("quiver", "quiver-prev"):
                binary = a.quiver if name == "quiver" else a.quiver_prev
                if not binary or not os.access(binary, os.X_OK):
                    raise RuntimeError(f"{binary} missing: run `cargo build --release` first (quiver-prev: --quiver-prev PATH)")
                e = QuiverEngine(binary, workdir, a.quiver_load, name)
            else:
                pkg = "falkordblite" if name == "falkordb" else name
                if pkg in failed_peers:
                    raise RuntimeError(f"benches/setup.sh could not install {pkg}")
                python = a.quiver_python if name == "quiver-python" else sys.executable
                e = PeerEngine(name, python, workdir)
            e.start()
            engines.append(e)
            say(f"started {name} {e.version}")
        except Exception as ex:  # noqa: BLE001
            skipped[name] = str(ex).strip().splitlines()[-1][:200] if str(ex).strip() else type(ex).__name__
            say(f"*** SKIPPING {name}: {skipped[name]}")

    # -- W1: bulk load, one engine at a time
    results = {e.name: {} for e in engines}  # engine -> wid -> {"times": [...], "rows":..., "error":...}
    load_methods = {}
    alive = []
    for e in engines:
        say(f"W1 {e.name}: loading {a.size} ...")
        try:
            dt, method = e.load(data, a.timeout * 4)
            results[e.name]["W1"] = {"times": [dt]}
            load_methods[e.name] = method
            alive.append(e)
            say(f"W1 {e.name}: {fmt_time(dt)} ({method})")
        except Exception as ex:  # noqa: BLE001
            results[e.name]["W1"] = {"error": str(ex)[:300]}
            failures.append(f"{e.name} W1 failed: {str(ex)[:300]}")
            say(f"*** {e.name} W1 FAILED: {ex}")
            e.stop()

    # -- peak memory right after W1 (the load's), and quiver's LOAD CSV load
    rss_w1 = {e.name: e.peak_rss() for e in alive}
    for e in alive:
        if getattr(e, "import_peak", None):
            rss_w1[e.name] = max(rss_w1[e.name], e.import_peak)
    if a.load_csv:
        for e in alive:
            if not isinstance(e, QuiverEngine) or not e.file_db:
                continue
            say(f"W1-csv {e.name}: loading {a.size} through LOAD CSV ...")
            try:
                dt, peak, n = quiver_w1_csv(e.binary, workdir, data, a.timeout * 4, e.name)
                if n != exp["knows"]:
                    raise RuntimeError(f"WRONG ANSWER: {n} relationships loaded, expected {exp['knows']}")
                results[e.name]["W1-csv"] = {"times": [dt], "rss": [peak]}
                say(f"W1-csv {e.name}: {fmt_time(dt)}, peak RSS {fmt_bytes(peak)}")
            except Exception as ex:  # noqa: BLE001
                results[e.name]["W1-csv"] = {"error": str(ex)[:300]}
                failures.append(f"{e.name} W1-csv failed: {str(ex)[:300]}")
                say(f"*** {e.name} W1-csv FAILED: {ex}")

    # -- queries, engines taking turns run by run
    def timed(wid, title, todo, ok, want):
        """Each (engine, run) of todo: a warm-up whose rows must pass ok, then --reps timed runs."""
        reps = {e.name: a.reps for e, _ in todo}
        for rep in range(a.reps + 1):
            for e, run in todo:
                r = results[e.name].setdefault(wid, {"times": []})
                if "error" in r or rep > reps[e.name]:
                    continue
                try:
                    rows, dt = run()
                except Timeout as ex:
                    r["error"] = f"timed out ({ex}); engine dropped"
                    failures.append(f"{e.name} {wid}: {r['error']}")
                    say(f"*** {e.name} {wid}: {r['error']}")
                    e.proc.kill()
                    alive.remove(e)
                    continue
                except Exception as ex:  # noqa: BLE001
                    r["error"] = str(ex)[:300]
                    failures.append(f"{e.name} {wid}: error: {r['error']}")
                    say(f"*** {e.name} {wid} ERROR: {r['error']}")
                    continue
                if rep == 0:
                    r["rows"] = rows
                    if not ok(rows):
                        r["error"] = f"WRONG ANSWER {short(rows)}, expected {short(want)}"
                        failures.append(f"{e.name} {wid}: {r['error']}")
                        say(f"*** {e.name} {wid}: {r['error']}")
                        continue
                    if dt > a.slow:
                        reps[e.name] = 1
                        r["note"] = f"warm-up took {fmt_time(dt)}: timed once"
                    r["warmup"] = dt
                else:
                    r["times"].append(dt)
        todo_names = ", ".join(
            f"{e.name} {fmt_time(median(results[e.name][wid].get('times')))}" for e, _ in todo
            if "error" not in results[e.name].get(wid, {}))
        say(f"{wid} ({title}): {todo_names}")

    only = set(a.only.split(",")) if a.only else None
    for wid, title, cypher, overrides, libop in WORKLOADS:
        if only is not None and wid not in only:
            continue
        want = expected_rows(wid, exp)
        todo = []
        for e in alive:
            if e.name in LIB_ENGINES:
                if libop is not None:
                    todo.append((e, lambda e=e, kind=libop[0], who=libop[1]: e.run_lib(kind, who, exp, a.timeout)))
            else:
                text = overrides.get(e.name, cypher) % params
                todo.append((e, lambda e=e, text=text: e.run(text, a.timeout)))
        timed(wid, title, todo, lambda rows, want=want: same(rows, want), want)

    # peak memory of the database workloads, before the algorithms' working sets
    rss = {e.name: e.peak_rss() for e in alive}
    # C1-C2 (DataFrames of a million rows) after that measurement, as the algorithms
    for wid, title, text, overrides in CONVERT_WORKLOADS:
        if only is not None and wid not in only:
            continue
        want = convert_expected(wid, data)
        todo = [(e, lambda e=e, text=overrides.get(e.name, text), wid=wid: e.run_df(wid, text, a.timeout))
                for e in alive if e.name in PY_API_ENGINES]
        if not todo:
            continue
        timed(wid, title, todo, lambda rows, want=want: same(rows, want), want)
        for e, _ in todo:
            r = results[e.name].get(wid, {})
            conv = e.convert.get(wid, [])[1:]  # without the warm-up
            if "error" not in r and conv:
                results[e.name][wid + "-df"] = {"times": conv[:len(r["times"])]}
        say(f"{wid} get_as_df alone: " + ", ".join(
            f"{e.name} {fmt_time(median(results[e.name].get(wid + '-df', {}).get('times')))}" for e, _ in todo))

    for wid, title, texts, kind in ALGO_WORKLOADS:
        if only is not None and wid not in only:
            continue
        ok, want = algo_answer(wid, alg)
        arg = {"pagerank": alg["pagerank"]["tolerance"], "wcc": None,
               "betweenness": [BETWEENNESS_SAMPLE, a.seed]}[kind]
        todo = []
        for e in alive:
            if e.name in LIB_ENGINES:
                if kind in LIB_ALGOS[e.name]:
                    todo.append((e, lambda e=e, kind=kind, arg=arg: e.run_algo(kind, arg, a.timeout)))
            elif e.name in texts:
                text = texts[e.name] % aparams
                todo.append((e, lambda e=e, text=text: e.run(text, a.timeout)))
        timed(wid, title, todo, ok, want)

    # -- peak memory and size on disk, then stop the warm processes
    rss_algo, disk = {}, {}
    for e in alive:
        rss_algo[e.name] = e.peak_rss()
        try:
            disk[e.name] = e.disk()
        except Exception as ex:  # noqa: BLE001
            disk[e.name] = None
            notes.append(f"{e.name}: size on disk unknown ({ex})")
    for e in alive:
        if getattr(e, "import_peak", None):
            notes.append(f"quiver import (its own process) peaked at {fmt_bytes(e.import_peak)} RSS; "
                         "the table's peak RSS is the warm process that opened the file")
        e.stop()
    # size on disk once every process has closed its database (checkpoints and saves done)
    for e in alive:
        if getattr(e, "db_path", None) and disk.get(e.name) is not None:
            disk[e.name] = max(disk[e.name], file_bytes(glob.glob(e.db_path + "*")))

    # -- W8: cold start, a new process per run, engines taking turns
    w2 = WORKLOADS[0][2] % params
    cold = [e for e in alive if getattr(e, "db_path", None)]
    for rep in range(a.reps + 1):
        for e in cold:
            r = results[e.name].setdefault("W8", {"times": []})
            if "error" in r:
                continue
            t0 = time.perf_counter()
            p, maxrss = run_measured(e.cold_argv(w2), a.timeout)
            dt = time.perf_counter() - t0
            try:
                out = p.stdout.strip().splitlines()[-1]
                rows = json.loads(out)
                rows = rows["rows"] if isinstance(rows, dict) else rows
            except Exception:  # noqa: BLE001
                rows = None
            if p.returncode != 0 or not same(rows, expected_rows("W2", exp)):
                r["error"] = f"cold start failed or wrong: rc={p.returncode} out={short(p.stdout)} err={short(p.stderr[-300:])}"
                failures.append(f"{e.name} W8: {r['error']}")
                say(f"*** {e.name} W8: {r['error']}")
                continue
            if rep > 0:
                r["times"].append(dt)
                if maxrss:
                    r.setdefault("rss", []).append(maxrss)
    # the part of a peer's W8 that is Python starting and importing its package
    for rep in range(a.reps + 1):
        for e in cold:
            if isinstance(e, QuiverEngine):
                continue
            r = results[e.name].setdefault("W8-base", {"times": []})
            t0 = time.perf_counter()
            p = subprocess.run(e.cold_argv(""), capture_output=True, text=True, timeout=a.timeout)
            if p.returncode == 0 and rep > 0:
                r["times"].append(time.perf_counter() - t0)
    if cold:
        say("W8 (cold start): " + ", ".join(
            f"{e.name} {fmt_time(median(results[e.name].get('W8', {}).get('times')))}" for e in cold))

    # -- report
    stamp = datetime.datetime.now()
    meta = {
        "date": stamp.isoformat(timespec="seconds"),
        "size": a.size, "seed": a.seed, "persons": exp["persons"], "knows": exp["knows"],
        "reps": a.reps, "versions": {e.name: e.version for e in engines},
        "skipped": skipped, "load_methods": load_methods,
        "quiver_file_db": any(e.name == "quiver" and e.file_db for e in engines),
        "quiver_w1": next((e.w1_kind for e in engines if e.name == "quiver"), None),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
        "command": "bash benches/compare " + " ".join(sys.argv[1:]),
        "commit": quiver_commit(),
    }
    md = render(meta, exp, alg, results, rss, rss_algo, rss_w1, disk, failures, notes, [e.name for e in engines])
    os.makedirs(a.out, exist_ok=True)
    base = os.path.join(a.out, f"{stamp:%Y-%m-%d}-{a.size}")
    with open(base + ".md", "w") as f:
        f.write(md)
    with open(base + ".json", "w") as f:
        json.dump({"meta": meta, "expected": exp, "expected_algo": alg, "results": results, "peak_rss": rss,
                   "peak_rss_algo": rss_algo, "peak_rss_w1": rss_w1, "disk": disk, "failures": failures}, f, indent=1, default=str)
    print()
    print(md)
    print(f"wrote {base}.md and .json")
    if not a.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"databases kept in {workdir}")
    return 1 if failures else 0


ROW_TITLES = {
    "W1": "W1 bulk load",
    "W2": "W2 person by id",
    "W3-hub": "W3 friends count, hub",
    "W3-median": "W3 friends count, median",
    "W4-hub": "W4 distinct friends-of-friends, hub",
    "W4-median": "W4 distinct friends-of-friends, median",
    "W5": "W5 persons per country, age > 30",
    "W6": "W6 shortest-path length",
    "W7": "W7 average age",
    "W8": "W8 cold start (new process, W2)",
    "W1-csv": "W1 through LOAD CSV (new process)",
    "W6-dir": "W6 directed shortest-path length",
    "W8-base": "… of which Python start + import",
    "C1": "C1 1M rows (integer, string) to a pandas DataFrame",
    "C1-df": "… of which get_as_df / to_df",
    "C2": "C2 every person (4 columns) to a pandas DataFrame",
    "C2-df": "… of which get_as_df / to_df",
    "A1": "A1 PageRank, 20 iterations",
    "A2": "A2 connected components",
    "A3": "A3 betweenness, 100 sampled sources",
}


def render_python_api(results, names):
    """The engines timed through the same Python calls: quiver-python against Kùzu and LadybugDB,
    the bracket being quiver-python's median divided by the peer's."""
    peers = [n for n in names if n in PY_API_ENGINES and n != "quiver-python"]
    if "quiver-python" not in names or not peers:
        return []
    cols = ["quiver-python"] + peers
    L = ["Through the same Python calls (`conn.execute(text).get_all()`, `get_as_df()`), in the same run: "
         "quiver for Python against the peers; the bracket is quiver-python's median divided by the peer's "
         "(**above 1 means quiver-python is slower**).", "",
         "| workload | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]
    wids = [w[0] for w in WORKLOADS] + [c for w in CONVERT_WORKLOADS for c in (w[0], w[0] + "-df")] + ["W8"]
    for wid in wids:
        rows = {n: results.get(n, {}).get(wid) for n in cols}
        if not any(rows.values()):
            continue
        q = rows["quiver-python"]
        qmed = median(q.get("times")) if q and "error" not in q else None
        cells = []
        for n in cols:
            r = rows[n]
            if r is None:
                cells.append("—")
            elif "error" in r:
                cells.append("**WRONG**" if r["error"].startswith("WRONG") else "**failed**")
            else:
                m = median(r.get("times"))
                c = fmt_time(m)
                if n != "quiver-python" and qmed and m:
                    c += f" ({qmed / m:.2g}×)" if qmed / m < 10 else f" ({qmed / m:.0f}×)"
                cells.append(c)
        L.append(f"| {ROW_TITLES[wid]} | " + " | ".join(cells) + " |")
    L.append("")
    return L


def render(meta, exp, alg, results, rss, rss_algo, rss_w1, disk, failures, notes, names):
    peers = [n for n in names if n != "quiver"]
    L = []
    L.append(f"# quiver side-by-side benchmark: {meta['size']} "
             f"({meta['persons']:,} persons, {meta['knows']:,} KNOWS)")
    L.append("")
    L.append(f"{meta['date']}, quiver at {meta['commit']}, seed {meta['seed']}, {meta['machine']}. "
             f"Command: `{meta['command']}`")
    L.append("")
    L.append("Medians of " + str(meta["reps"]) + " timed runs after one warm-up (W1: one run). "
             "In a peer's cell, the number in brackets is quiver's median divided by the peer's: "
             "**above 1 means quiver is slower**. quiver is timed around a round trip through its stdin pipe "
             "(`--format json`), the peers around their Python API call, all rows fetched; quiver-python is "
             "quiver for Python (the `quiver` package) driven through the same Python calls as Kùzu. "
             "The machine has 2 cores shared with other builds and jobs that may have been running: "
             "treat differences under ~2x with care.")
    L.append("")
    L.append("| workload | " + " | ".join(names) + " |")
    L.append("|---|" + "---|" * len(names))
    conv = [c for w in CONVERT_WORKLOADS for c in (w[0], w[0] + "-df")]
    wids = (["W1", "W1-csv"] + [w[0] for w in WORKLOADS] + conv + ["W8", "W8-base"] +
            [w[0] for w in ALGO_WORKLOADS])
    for w in ["W1-csv"] + conv:
        if not any(w in results.get(n, {}) for n in names):
            wids.remove(w)
    for wid in wids:
        q = results.get("quiver", {}).get(wid, {})
        qmed = median(q.get("times")) if "error" not in q else None
        cells = []
        for n in names:
            r = results.get(n, {}).get(wid)
            if r is None:
                if wid == "W8" and n == "quiver" and not meta["quiver_file_db"]:
                    cells.append("n/a (in-memory only)")
                elif wid == "W8-base" and n == "quiver":
                    cells.append("—")
                elif wid.startswith("W8") and n in LIB_ENGINES:
                    cells.append("n/a (in-memory)")
                else:
                    cells.append("—")
                continue
            if "error" in r:
                cells.append("**WRONG**" if r["error"].startswith("WRONG") else "**failed**")
                continue
            m = median(r.get("times"))
            c = fmt_time(m)
            if n != "quiver" and qmed and m and wid != "W8-base":
                c += f" ({qmed / m:.2g}×)" if qmed / m < 10 else f" ({qmed / m:.0f}×)"
            if r.get("note"):
                c += " †"
            if wid == "W1" and n == "quiver" and meta.get("quiver_w1"):
                c += f" ({meta['quiver_w1']})"
            cells.append(c)
        L.append(f"| {ROW_TITLES[wid]} | " + " | ".join(cells) + " |")
    rcells = [fmt_bytes(rss_w1.get(n)) or "—" for n in names]
    L.append("| peak RSS after W1 | " + " | ".join(rcells) + " |")
    rcells = []
    for n in names:
        r = results.get(n, {}).get("W1-csv", {})
        rcells.append(fmt_bytes(max(r["rss"])) if r.get("rss") else "—")
    if any(c != "—" for c in rcells):
        L.append("| peak RSS of W1 through LOAD CSV | " + " | ".join(rcells) + " |")
    rcells = []
    for n in names:
        r = results.get(n, {}).get("W8", {})
        rcells.append(fmt_bytes(median(r["rss"])) if r.get("rss") else "—")
    L.append("| peak RSS of W8 (the cold process) | " + " | ".join(rcells) + " |")
    rcells = [fmt_bytes(rss.get(n)) or "—" for n in names]
    L.append("| peak RSS | " + " | ".join(rcells) + " |")
    rcells = [fmt_bytes(rss_algo.get(n)) or "—" for n in names]
    L.append("| peak RSS with C1–C2, A1–A3 | " + " | ".join(rcells) + " |")
    dcells = []
    for n in names:
        if n == "quiver" and not meta["quiver_file_db"]:
            dcells.append("n/a (in-memory only)")
        elif n in LIB_ENGINES:
            dcells.append("n/a (in-memory)")
        else:
            dcells.append(fmt_bytes(disk.get(n)) or "—")
    L.append("| database size on disk | " + " | ".join(dcells) + " |")
    L.append("")
    L.extend(render_python_api(results, names))
    L.append("Versions: " + ", ".join(f"{n} {v}" for n, v in meta["versions"].items()) + ".")
    if meta["skipped"]:
        L.append("")
        L.append("**Skipped peers:** " + "; ".join(f"{n}: {why}" for n, why in meta["skipped"].items()))
    L.append("")
    L.append("W1 methods:")
    for n, m in meta["load_methods"].items():
        L.append(f"- {n}: {m}")
    L.append("")
    L.append(f"Answers checked against expected.json: hub = person {exp['hub']['id']} "
             f"({exp['hub']['friends']} friends, {exp['hub']['fof']} friends-of-friends), median node = person "
             f"{exp['median']['id']} ({exp['median']['friends']} friends, {exp['median']['fof']} friends-of-friends), "
             f"shortest path {exp['w6']['src']} → {exp['w6']['dst']} of length {exp['w6']['length']}; "
             f"PageRank's top person {alg['pagerank']['top']}, {alg['components']} connected components, "
             f"and a sampled betweenness must rank one of the {len(alg['top_degree'])} best-connected persons "
             "first (benches/gen.py `algo_answers`, in pure Python).")
    L.append("")
    L.append("Notes:")
    L.append("- Peak RSS is the process's VmHWM (plus its children's: FalkorDB's redis-server); "
             "for peers it includes the Python interpreter and the loaded CSV rows where the loader reads them "
             "in Python (FalkorDB, the graph libraries).")
    L.append("- networkx, rustworkx and igraph are libraries, not databases: they run only W1 (building the "
             "graph from the edge list), W3, W4, W6 and A1–A3, through their own calls rather than Cypher.")
    L.append("- W6 is one text for quiver (`shortestPath((a)-[:KNOWS*]-(b))`); Kùzu and LadybugDB spell it "
             "`-[:KNOWS* SHORTEST 1..30]-`, FalkorDB (no undirected shortestPath) calls `algo.SPpaths` with "
             "relDirection 'both'. Every other workload is the same Cypher text on every database.")
    L.append("- W2 uses an index on :Person(id) in every database (Kùzu/LadybugDB: the primary key; "
             "quiver and FalkorDB: CREATE INDEX before loading).")
    L.append("- W8 for peers includes starting the Python interpreter and importing the package: the row "
             "below it times just that (`python -c 'import pkg'`), for comparison. FalkorDB's W8 also starts "
             "and stops its redis-server (which saves the database on the way out).")
    L.append("- A1–A3 take the KNOWS graph as undirected, as the libraries hold it. quiver runs "
             "`CALL algo.pageRank`, `algo.wcc` and `algo.betweenness` in its process like any query, returning "
             "the top person (or the component count). A1: every engine that iterates stops by networkx's rule "
             f"(L1 change below n × tolerance) with the tolerance ({alg['pagerank']['tolerance']:.3g}) chosen by "
             "gen.py so that the rule ends at iteration 20; igraph solves PageRank with PRPACK instead of "
             "iterating; rustworkx's pagerank takes a directed graph, made once (both ways) in the untimed "
             "warm-up. A3: quiver, networkx and igraph each draw their own 100 sources (seed 42), so the scores "
             "differ but the top person must be a hub; rustworkx has no sampled betweenness. Kùzu runs A2 through "
             "its algo extension (`weakly_connected_components` on a projected graph); its `page_rank` follows "
             "relationship direction and keeps no dangling mass, a different measure, so it does not run A1; it "
             "has no betweenness. LadybugDB cannot download its algo extension here, and FalkorDB's `algo.*` "
             "procedures are not driven (no A rows).")
    L.append("- Peak RSS is measured before C1–C2 and A1–A3; the row below it includes them (the DataFrames, "
             "the algorithms' working sets: quiver's CSR projection of the graph, a library's own structures).")
    L.append("- C1 and C2 run on the engines with a Python API (quiver-python, Kùzu, LadybugDB): execute, then "
             "`get_as_df()` (quiver's alias of `to_df()`), timed together and the conversion alone (the row below "
             "each). C1 unwinds 1,000,000 integers and their strings (Kùzu and LadybugDB write `to_string`); C2 "
             "returns every person's four properties. Each answer is checked: row and column counts, the sum "
             "of the integer column (which must arrive as an integer array) and the last string or the sum "
             "of ages.")
    if any(r.get("note") for rr in results.values() for r in rr.values()):
        L.append("- †: the warm-up took longer than --slow, so the query was timed once.")
    for n in notes:
        L.append(f"- {n}")
    if failures:
        L.append("")
        L.append("## FAILURES (excluded from the table)")
        for f in failures:
            L.append(f"- {f}")
    L.append("")
    return "\n".join(L)


if __name__ == "__main__":
    sys.exit(main())
