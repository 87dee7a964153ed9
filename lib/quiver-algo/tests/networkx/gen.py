#!/usr/bin/env python3
"""Writes the networkx fixtures the quiver-algo integration tests compare against.

Each fixture is one seeded random graph (its edge list) and networkx's answers for every
measure, keyed "measure/orientation[/variant]". Nodes are 0..n-1. Graphs are built as
networkx multigraphs so that parallel relationships and self-loops are kept as they are in
quiver; measures networkx defines only on simple graphs (triangles, core_number,
shortest_simple_paths) get the simple graph the Rust side documents.

Run with a Python that has networkx (3.5 or later for the sampled-betweenness rescaling):
    python3 gen.py            # rewrites the *.json files beside this script
"""

import json
import os
import random

import networkx as nx

HERE = os.path.dirname(os.path.abspath(__file__))
# PageRank is compared at convergence: a tight tolerance and room to reach it.
PR_TOL = 1e-12
PR_ITER = 10000


def r(x):
    """A float with 10 significant digits (the tests compare to 1e-6)."""
    return float("%.10g" % x)


def random_graph(rng, n, m, directed, weights, parallel=0.0, loops=0.0, isolated=0, blocks=1, power=False):
    """n nodes (the last `isolated` ones without relationships), about m relationships spread over
    `blocks` disconnected blocks; `power` draws endpoints by preferential attachment."""
    edges = []
    live = n - isolated
    size = live // blocks
    ends = []
    for _ in range(m):
        b = rng.randrange(blocks)
        lo = b * size
        hi = live if b == blocks - 1 else lo + size
        if power and ends and rng.random() < 0.8:
            v = rng.choice(ends)
            if not lo <= v < hi:
                v = rng.randrange(lo, hi)
        else:
            v = rng.randrange(lo, hi)
        u = rng.randrange(lo, hi)
        if u == v and rng.random() >= loops:
            continue
        edges.append([u, v])
        ends.append(v)
        if rng.random() < parallel:
            edges.append([u, v] if rng.random() < 0.5 or directed else [v, u])
    for e in edges:
        if weights == "int":
            e.append(rng.randint(1, 9))
        elif weights == "float":
            e.append(round(rng.uniform(0.1, 10.0), 3))
    return edges


def nx_graph(n, edges, directed):
    G = nx.MultiDiGraph() if directed else nx.MultiGraph()
    G.add_nodes_from(range(n))
    for e in edges:
        if len(e) == 3:
            G.add_edge(e[0], e[1], weight=e[2])
        else:
            G.add_edge(e[0], e[1])
    return G


def oriented(G, o):
    if not G.is_directed() or o == "natural":
        return G
    if o == "reverse":
        return G.reverse(copy=True)
    return undirected(G)


def undirected(G):
    """Every relationship as an undirected edge of its own (nx.MultiGraph(G) would merge
    u->v and v->u when their keys coincide)."""
    U = nx.MultiGraph()
    U.add_nodes_from(G)
    U.add_edges_from((u, v, d) for u, v, d in G.edges(data=True))
    return U


def simple_min(G):
    """The simple graph with the cheapest of parallel relationships and no self-loops."""
    H = nx.DiGraph() if G.is_directed() else nx.Graph()
    H.add_nodes_from(G)
    for u, v, d in G.edges(data=True):
        if u == v:
            continue
        w = d.get("weight", 1)
        if not H.has_edge(u, v) or H[u][v]["weight"] > w:
            H.add_edge(u, v, weight=w)
    return H


def arr(n, d, f=r):
    return [f(d[i]) for i in range(n)]


def partition(components):
    return sorted(sorted(c) for c in components)


def measures(G, n, weighted, heavy, seed):
    directed = G.is_directed()
    orientations = ["natural", "reverse", "undirected"] if directed else ["natural"]
    if not heavy:
        # The largest graph: its natural orientation only, to keep the fixture small.
        orientations = ["natural"]
    w = "weight" if weighted else None
    out = {}
    for o in orientations:
        H = oriented(G, o)
        out["pagerank/" + o] = arr(n, nx.pagerank(H, weight=None, tol=PR_TOL, max_iter=PR_ITER))
        if weighted:
            out["pagerank/%s/weighted" % o] = arr(n, nx.pagerank(H, weight="weight", tol=PR_TOL, max_iter=PR_ITER))
        if directed and o == "reverse":
            out["degree/reverse"] = arr(n, dict(G.in_degree()))
        elif directed and o == "natural":
            out["degree/natural"] = arr(n, dict(G.out_degree()))
            if weighted:
                out["degree/natural/weighted"] = arr(n, dict(G.out_degree(weight="weight")))
        else:
            out["degree/" + o] = arr(n, dict(G.degree()))
            if weighted:
                out["degree/%s/weighted" % o] = arr(n, dict(G.degree(weight="weight")))
        directed_view = directed and o != "undirected"
        S = simple_min(H)
        out["kcore/" + o] = arr(n, nx.core_number(S if directed_view else nx.Graph(S)), int)
        if heavy:
            for norm in (True, False):
                key = "betweenness/%s/%s" % (o, "normalized" if norm else "raw")
                out[key] = arr(n, nx.betweenness_centrality(H, normalized=norm))
                if weighted == "int":
                    out[key + "/weighted"] = arr(n, nx.betweenness_centrality(H, normalized=norm, weight="weight"))
            k = max(2, n // 5)
            sources = random.Random(seed).sample(list(H.nodes()), k)
            for norm in (True, False):
                scores = nx.betweenness_centrality(H, k=k, seed=seed, normalized=norm)
                out["betweenness/%s/sampled/%s" % (o, "normalized" if norm else "raw")] = {
                    "sources": sources,
                    "scores": arr(n, scores),
                }
            out["closeness/" + o] = arr(n, nx.closeness_centrality(H))
            if weighted:
                out["closeness/%s/weighted" % o] = arr(n, nx.closeness_centrality(H, distance="weight"))
        if o != "reverse":
            q = nx.community.modularity(H, [set(range(i, n, 3)) for i in range(3)], weight=w)
            out["modularity/%s/mod3" % o] = r(q)
            communities = nx.community.louvain_communities(H, weight=w, seed=seed)
            out["louvain/" + o] = r(nx.community.modularity(H, communities, weight=w))
        source = 0
        out["bfs/" + o] = {"source": source, "depths": sorted(nx.single_source_shortest_path_length(H, source).items())}
        out["bfs/%s/depth2" % o] = {
            "source": source,
            "max_depth": 2,
            "depths": sorted(nx.single_source_shortest_path_length(H, source, cutoff=2).items()),
        }
        dist = nx.single_source_dijkstra_path_length(H, source, weight=w or (lambda u, v, d: 1))
        out["dijkstra/" + o] = {"source": source, "costs": sorted((t, r(c)) for t, c in dist.items())}
        targets = sorted(t for t in dist if t != source)
        if targets:
            target = targets[len(targets) // 2]
            paths = nx.shortest_simple_paths(simple_min(H), source, target, weight="weight")
            costs = []
            for p in paths:
                costs.append(r(nx.path_weight(simple_min(H), p, "weight")))
                if len(costs) == 10:
                    break
            out["yen/" + o] = {"source": source, "target": target, "k": 10, "costs": costs}
    out["wcc"] = partition(nx.weakly_connected_components(G) if directed else nx.connected_components(G))
    if directed:
        out["scc"] = partition(nx.strongly_connected_components(G))
    out["triangles"] = arr(n, nx.triangles(nx.Graph(simple_min(undirected(G)))), int)
    forest = nx.minimum_spanning_tree(undirected(G), weight="weight")
    out["spanning_forest"] = r(sum(d.get("weight", 1) for _, _, d in forest.edges(data=True)))
    return out


GRAPHS = [
    # name, seed, n, m, directed, weights, options, heavy (betweenness, closeness, every orientation)
    ("und_small", 1, 10, 18, False, None, {}, True),
    ("und_multi_int", 2, 60, 150, False, "int", {"parallel": 0.15, "loops": 0.3, "isolated": 4, "blocks": 2}, True),
    ("dir_small_int", 3, 30, 90, True, "int", {"loops": 0.2}, True),
    ("dir_multi_float", 4, 200, 700, True, "float", {"parallel": 0.1, "loops": 0.2, "isolated": 5, "blocks": 3}, True),
    ("dir_power_300", 5, 300, 1200, True, None, {"parallel": 0.05, "power": True, "isolated": 10}, True),
    ("und_power_int_500", 6, 500, 1500, False, "int", {"power": True, "blocks": 2, "isolated": 8}, True),
    ("dir_power_float_2000", 7, 2000, 5000, True, "float", {"power": True, "parallel": 0.02, "loops": 0.1, "isolated": 20}, False),
]


def main():
    for name, seed, n, m, directed, weights, opts, heavy in GRAPHS:
        rng = random.Random(seed)
        edges = random_graph(rng, n, m, directed, weights, **opts)
        G = nx_graph(n, edges, directed)
        fixture = {
            "name": name,
            "directed": directed,
            "n": n,
            "weights": weights,
            "edges": edges,
            "measures": measures(G, n, weights, heavy, seed),
        }
        with open(os.path.join(HERE, name + ".json"), "w") as f:
            json.dump(fixture, f, separators=(",", ":"))
            f.write("\n")
        print(name, n, len(edges))


if __name__ == "__main__":
    main()
