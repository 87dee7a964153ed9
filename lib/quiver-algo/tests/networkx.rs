//! Compares every algorithm with networkx on the fixtures `tests/networkx/gen.py` writes.
//!
//! Each fixture's graph is loaded into a petgraph `StableGraph` with holes in its node
//! indices (dummy nodes added and removed), so the dense renumbering is exercised too.
//! Exact measures must agree within 1e-6 (relative to the value when it exceeds 1); Louvain
//! must reach networkx's modularity less 0.02; label propagation must give a seeded,
//! repeatable partition into connected communities. The worst deviation of each measure is
//! printed (`cargo test -p quiver-algo --test networkx -- --nocapture`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::Path;

use petgraph::stable_graph::{EdgeReference, NodeIndex, StableGraph};
use petgraph::visit::{EdgeRef, IntoEdgeReferences};
use petgraph::{Directed, EdgeType, Undirected};
use quiver_algo::*;
use serde_json::Value;

const TOLERANCE: f64 = 1e-6;

fn never() -> bool {
    false
}

fn weight(e: EdgeReference<'_, f64>) -> f64 {
    *e.weight()
}

/// The worst deviation seen per measure family, across fixtures.
#[derive(Default)]
struct Worst(BTreeMap<String, f64>);

impl Worst {
    fn see(&mut self, family: &str, deviation: f64) {
        let w = self.0.entry(family.to_string()).or_insert(0.0);
        *w = w.max(deviation);
    }
}

struct Fixture<Ty: EdgeType> {
    name: String,
    graph: StableGraph<(), f64, Ty>,
    /// Real node i is `nodes[i]`.
    nodes: Vec<NodeIndex>,
    weighted: bool,
    measures: serde_json::Map<String, Value>,
}

impl<Ty: EdgeType> Fixture<Ty> {
    fn load(json: &Value) -> Self {
        let n = json["n"].as_u64().unwrap() as usize;
        let mut graph = StableGraph::<(), f64, Ty>::default();
        let mut nodes = Vec::with_capacity(n);
        let mut dummies = Vec::new();
        for i in 0..n {
            if i % 7 == 3 {
                dummies.push(graph.add_node(()));
            }
            nodes.push(graph.add_node(()));
        }
        for e in json["edges"].as_array().unwrap() {
            let e = e.as_array().unwrap();
            let (u, v) = (e[0].as_u64().unwrap() as usize, e[1].as_u64().unwrap() as usize);
            let w = e.get(2).map_or(1.0, |w| w.as_f64().unwrap());
            graph.add_edge(nodes[u], nodes[v], w);
        }
        for d in dummies {
            graph.remove_node(d);
        }
        Fixture {
            name: json["name"].as_str().unwrap().to_string(),
            graph,
            nodes,
            weighted: !json["weights"].is_null(),
            measures: json["measures"].as_object().unwrap().clone(),
        }
    }

    fn n(&self) -> usize {
        self.nodes.len()
    }

    fn real(&self) -> HashMap<NodeIndex, usize> {
        self.nodes.iter().enumerate().map(|(i, &n)| (n, i)).collect()
    }

    /// Per-node results in real node order.
    fn by_real<T: Copy + Default>(&self, values: &[(NodeIndex, T)]) -> Vec<T> {
        let real = self.real();
        let mut out = vec![T::default(); self.n()];
        assert_eq!(values.len(), self.n(), "{}: one value per node", self.name);
        for &(node, v) in values {
            out[real[&node]] = v;
        }
        out
    }

    fn partition(&self, values: &[(NodeIndex, u64)]) -> Vec<Vec<usize>> {
        let mut groups: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
        for (i, c) in self.by_real(values).into_iter().enumerate() {
            groups.entry(c).or_default().push(i);
        }
        let mut p: Vec<Vec<usize>> = groups.into_values().collect();
        p.sort();
        p
    }
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

fn close(worst: &mut Worst, family: &str, what: &str, ours: &[f64], theirs: &[f64]) {
    assert_eq!(ours.len(), theirs.len(), "{what}: lengths");
    for (i, (a, b)) in ours.iter().zip(theirs).enumerate() {
        let deviation = (a - b).abs() / b.abs().max(1.0);
        worst.see(family, deviation);
        assert!(deviation <= TOLERANCE, "{what}: node {i}: ours {a}, networkx {b}");
    }
}

fn orientation(name: &str) -> Orientation {
    match name {
        "natural" => Orientation::Natural,
        "reverse" => Orientation::Reverse,
        "undirected" => Orientation::Undirected,
        other => panic!("unknown orientation {other}"),
    }
}

fn check<Ty: EdgeType>(f: &Fixture<Ty>, worst: &mut Worst) {
    let g = &f.graph;
    let w: &dyn Fn(EdgeReference<'_, f64>) -> f64 = &weight;
    let mut checked = 0;
    for (key, expected) in &f.measures {
        let what = format!("{}: {key}", f.name);
        let parts: Vec<&str> = key.split('/').collect();
        let o = parts.get(1).map(|&p| orientation(p)).unwrap_or_default();
        let weighted = parts.contains(&"weighted");
        let wt = if weighted { Some(w) } else { None };
        match parts[0] {
            "pagerank" => {
                let opts = PageRankOptions {
                    orientation: o,
                    tolerance: 1e-12,
                    max_iterations: 10_000,
                    ..Default::default()
                };
                let r = pagerank(g, &opts, wt, &never).unwrap();
                assert!(r.converged, "{what}: did not converge");
                close(worst, "pagerank", &what, &f.by_real(&r.scores), &floats(expected));
            }
            "degree" => {
                let r = degree(g, o, wt, &never).unwrap();
                close(worst, "degree", &what, &f.by_real(&r), &floats(expected));
            }
            "kcore" => {
                let r: Vec<f64> = f
                    .by_real(&kcore(g, o, &never).unwrap())
                    .into_iter()
                    .map(|c| c as f64)
                    .collect();
                close(worst, "kcore", &what, &r, &floats(expected));
            }
            "triangles" => {
                let r: Vec<f64> = f
                    .by_real(&triangle_count(g, &never).unwrap())
                    .into_iter()
                    .map(|c| c as f64)
                    .collect();
                close(worst, "triangles", &what, &r, &floats(expected));
            }
            "betweenness" if parts[2] == "sampled" => {
                let normalized = parts[3] == "normalized";
                let sources: Vec<NodeIndex> = expected["sources"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| f.nodes[s.as_u64().unwrap() as usize])
                    .collect();
                let opts = BetweennessOptions {
                    orientation: o,
                    normalized,
                    ..Default::default()
                };
                let r = betweenness_from_sources(g, &opts, None, &sources, &never).unwrap();
                close(
                    worst,
                    "betweenness (sampled)",
                    &what,
                    &f.by_real(&r),
                    &floats(&expected["scores"]),
                );
            }
            "betweenness" => {
                let opts = BetweennessOptions {
                    orientation: o,
                    normalized: parts[2] == "normalized",
                    ..Default::default()
                };
                let r = betweenness(g, &opts, wt, &never).unwrap();
                close(worst, "betweenness", &what, &f.by_real(&r), &floats(expected));
            }
            "closeness" => {
                let r = closeness(g, o, wt, &never).unwrap();
                close(worst, "closeness", &what, &f.by_real(&r), &floats(expected));
            }
            "modularity" => {
                let wt = if f.weighted { Some(w) } else { None };
                let real = f.real();
                let q = modularity(g, o, wt, 1.0, &|n| (real[&n] % 3) as u64, &never).unwrap();
                close(worst, "modularity", &what, &[q], &[expected.as_f64().unwrap()]);
            }
            "louvain" => {
                let wt = if f.weighted { Some(w) } else { None };
                let theirs = expected.as_f64().unwrap();
                let opts = LouvainOptions {
                    orientation: o,
                    ..Default::default()
                };
                let r = louvain(g, &opts, wt, &never).unwrap();
                let community: HashMap<NodeIndex, u64> = r.communities.iter().copied().collect();
                let q = modularity(g, o, wt, 1.0, &|n| community[&n], &never).unwrap();
                assert!(
                    (q - r.modularity).abs() < 1e-9,
                    "{what}: reported {} vs {q}",
                    r.modularity
                );
                worst.see("louvain (networkx - ours)", theirs - q);
                assert!(q >= theirs - 0.02, "{what}: modularity {q} vs networkx {theirs}");
                assert_eq!(r, louvain(g, &opts, wt, &never).unwrap(), "{what}: not repeatable");
            }
            "bfs" => {
                let source = f.nodes[expected["source"].as_u64().unwrap() as usize];
                let depth = expected.get("max_depth").and_then(Value::as_u64);
                let real = f.real();
                let mut ours: Vec<(usize, u64)> = bfs(g, source, depth, o, &never)
                    .unwrap()
                    .into_iter()
                    .map(|(n, d)| (real[&n], d))
                    .collect();
                ours.sort();
                let theirs: Vec<(usize, u64)> = expected["depths"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| (p[0].as_u64().unwrap() as usize, p[1].as_u64().unwrap()))
                    .collect();
                assert_eq!(ours, theirs, "{what}");
            }
            "dijkstra" => {
                let wt = if f.weighted { Some(w) } else { None };
                let s = expected["source"].as_u64().unwrap() as usize;
                let paths = dijkstra(g, f.nodes[s], None, o, wt, &never).unwrap();
                let real = f.real();
                let mut ours: Vec<(usize, f64)> = vec![(s, 0.0)];
                for p in &paths {
                    check_path(f, o, wt.is_some(), p, &what);
                    ours.push((real[p.nodes.last().unwrap()], p.cost));
                }
                ours.sort_by_key(|&(t, _)| t);
                let theirs: Vec<(usize, f64)> = expected["costs"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| (p[0].as_u64().unwrap() as usize, p[1].as_f64().unwrap()))
                    .collect();
                assert_eq!(
                    ours.iter().map(|p| p.0).collect::<Vec<_>>(),
                    theirs.iter().map(|p| p.0).collect::<Vec<_>>(),
                    "{what}: targets"
                );
                let a: Vec<f64> = ours.iter().map(|p| p.1).collect();
                let b: Vec<f64> = theirs.iter().map(|p| p.1).collect();
                close(worst, "dijkstra cost", &what, &a, &b);
                let t = theirs[theirs.len() / 2].0;
                let one = dijkstra(g, f.nodes[s], Some(f.nodes[t]), o, wt, &never).unwrap();
                assert_eq!(one.len(), 1);
                close(
                    worst,
                    "dijkstra cost",
                    &what,
                    &[one[0].cost],
                    &[theirs[theirs.len() / 2].1],
                );
            }
            "yen" => {
                let wt = if f.weighted { Some(w) } else { None };
                let s = f.nodes[expected["source"].as_u64().unwrap() as usize];
                let t = f.nodes[expected["target"].as_u64().unwrap() as usize];
                let k = expected["k"].as_u64().unwrap() as usize;
                let paths = k_shortest_paths(g, s, t, k, o, wt, &never).unwrap();
                let mut distinct = HashSet::new();
                for p in &paths {
                    check_path(f, o, wt.is_some(), p, &what);
                    assert!(distinct.insert(p.nodes.clone()), "{what}: a path twice");
                    assert_eq!(
                        p.nodes.iter().collect::<HashSet<_>>().len(),
                        p.nodes.len(),
                        "{what}: a loop"
                    );
                }
                let costs: Vec<f64> = paths.iter().map(|p| p.cost).collect();
                close(worst, "yen cost", &what, &costs, &floats(&expected["costs"]));
            }
            "wcc" => {
                assert_eq!(f.partition(&wcc(g, &never).unwrap()), partition_of(expected), "{what}");
            }
            "scc" => {
                assert_eq!(
                    f.partition(&scc(g, Orientation::Natural, &never).unwrap()),
                    partition_of(expected),
                    "{what}"
                );
                assert_eq!(
                    f.partition(&scc(g, Orientation::Reverse, &never).unwrap()),
                    partition_of(expected),
                    "{what}"
                );
            }
            "spanning_forest" => {
                let wt = if f.weighted { Some(w) } else { None };
                let forest = spanning_forest(g, wt, &never).unwrap();
                let components = f.partition(&wcc(g, &never).unwrap()).len();
                assert_eq!(forest.relationships.len(), f.n() - components, "{what}: forest size");
                close(
                    worst,
                    "spanning forest weight",
                    &what,
                    &[forest.total_weight],
                    &[expected.as_f64().unwrap()],
                );
            }
            other => panic!("{what}: unknown measure {other}"),
        }
        checked += 1;
    }
    for o in [Orientation::Natural, Orientation::Undirected] {
        check_label_propagation(f, o);
    }
    println!("{}: {checked} measures agree with networkx", f.name);
}

fn partition_of(v: &Value) -> Vec<Vec<usize>> {
    let mut p: Vec<Vec<usize>> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            c.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_u64().unwrap() as usize)
                .collect()
        })
        .collect();
    p.sort();
    p
}

/// A path runs along real relationships in the orientation, and its cost is their weight.
fn check_path<Ty: EdgeType>(
    f: &Fixture<Ty>,
    o: Orientation,
    weighted: bool,
    p: &quiver_algo::Path<NodeIndex, petgraph::stable_graph::EdgeIndex>,
    what: &str,
) {
    assert_eq!(p.relationships.len() + 1, p.nodes.len(), "{what}");
    let mut cost = 0.0;
    for (i, &e) in p.relationships.iter().enumerate() {
        let (s, t) = f.graph.edge_endpoints(e).unwrap();
        let (a, b) = (p.nodes[i], p.nodes[i + 1]);
        let forward = (s, t) == (a, b);
        let backward = (s, t) == (b, a);
        let ok = match (Ty::is_directed(), o) {
            (false, _) | (true, Orientation::Undirected) => forward || backward,
            (true, Orientation::Natural) => forward,
            (true, Orientation::Reverse) => backward,
        };
        assert!(ok, "{what}: relationship {i} does not join its nodes");
        cost += if weighted { f.graph[e] } else { 1.0 };
    }
    assert!(
        (cost - p.cost).abs() < 1e-9,
        "{what}: cost {} vs relationships {cost}",
        p.cost
    );
}

fn check_label_propagation<Ty: EdgeType>(f: &Fixture<Ty>, o: Orientation) {
    let g = &f.graph;
    let w: &dyn Fn(EdgeReference<'_, f64>) -> f64 = &weight;
    for wt in [None, Some(w)] {
        let opts = LabelPropagationOptions {
            orientation: o,
            seed: 11,
            ..Default::default()
        };
        let r = label_propagation(g, &opts, wt, &never).unwrap();
        assert_eq!(
            r,
            label_propagation(g, &opts, wt, &never).unwrap(),
            "{}: not repeatable",
            f.name
        );
        let parts = f.partition(&r.communities);
        assert_eq!(parts.iter().map(Vec::len).sum::<usize>(), f.n());
        // Each community is connected through relationships (either way) inside it.
        let real = f.real();
        let label = f.by_real(&r.communities);
        let mut adjacent: Vec<Vec<usize>> = vec![Vec::new(); f.n()];
        for e in g.edge_references() {
            let (a, b) = (real[&e.source()], real[&e.target()]);
            if label[a] == label[b] {
                adjacent[a].push(b);
                adjacent[b].push(a);
            }
        }
        for part in &parts {
            let mut seen = HashSet::from([part[0]]);
            let mut stack = vec![part[0]];
            while let Some(v) = stack.pop() {
                for &u in &adjacent[v] {
                    if seen.insert(u) {
                        stack.push(u);
                    }
                }
            }
            assert_eq!(seen.len(), part.len(), "{}: a community is not connected", f.name);
        }
    }
}

#[test]
fn agrees_with_networkx() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/networkx");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 7, "fixtures missing in {}", dir.display());
    let mut worst = Worst::default();
    for path in files {
        let json: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        if json["directed"].as_bool().unwrap() {
            check(&Fixture::<Directed>::load(&json), &mut worst);
        } else {
            check(&Fixture::<Undirected>::load(&json), &mut worst);
        }
    }
    for (family, deviation) in &worst.0 {
        println!("worst {family}: {deviation:.3e}");
    }
}
