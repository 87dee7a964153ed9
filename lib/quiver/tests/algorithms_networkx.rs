//! The `algo.*` procedures against networkx, on the fixtures of `quiver-algo`
//! (`lib/quiver-algo/tests/networkx/*.json`, written by its `gen.py`).
//!
//! Each fixture's graph is loaded into a Database with CREATE statements: its nodes as
//! `(:N {i})` with holes in the ids (dummy nodes made and deleted), its relationships as
//! `:R {w}`; then noise the procedures must leave out: `:Other` nodes tied to the graph by
//! `:R` relationships, and `:NOISE` relationships between its nodes. Every call chooses the
//! graph with `nodeLabels: ['N'], relationshipTypes: ['R']`; an undirected fixture is read
//! with `orientation: 'UNDIRECTED'`. The tolerances are those of `quiver-algo`'s own test:
//! exact measures within 1e-6 (relative above 1), Louvain's modularity at least networkx's
//! less 0.02, label propagation repeatable and connected. The worst deviation of each measure
//! is printed (`cargo test -p quiver --test algorithms_networkx -- --nocapture`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::PathBuf;
use std::sync::Arc;

use quiver::{Database, Params, Value};
use serde_json::Value as Json;

const TOLERANCE: f64 = 1e-6;

#[derive(Default)]
struct Worst(BTreeMap<String, f64>);

impl Worst {
    fn see(&mut self, family: &str, deviation: f64) {
        let w = self.0.entry(family.to_string()).or_insert(0.0);
        *w = w.max(deviation);
    }
}

fn num(v: &Value) -> f64 {
    match v {
        Value::Int(i) => *i as f64,
        Value::Float(f) => *f,
        other => panic!("{other} is not a number"),
    }
}

fn int(v: &Value) -> i64 {
    v.as_int().unwrap_or_else(|| panic!("{v} is not an integer"))
}

fn floats(v: &Json) -> Vec<f64> {
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

fn partition_of(v: &Json) -> Vec<Vec<usize>> {
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

struct Fixture {
    name: String,
    db: Database,
    n: usize,
    directed: bool,
    weighted: bool,
    /// `(u, v, w)` as in the fixture (w 1 unweighted).
    edges: Vec<(usize, usize, f64)>,
    /// Real node i's node value.
    nodes: Vec<Value>,
    measures: serde_json::Map<String, Json>,
}

impl Fixture {
    fn load(json: &Json) -> Fixture {
        let name = json["name"].as_str().unwrap().to_string();
        let n = json["n"].as_u64().unwrap() as usize;
        let weighted = !json["weights"].is_null();
        let edges: Vec<(usize, usize, f64)> = json["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let e = e.as_array().unwrap();
                let w = e.get(2).map_or(1.0, |w| w.as_f64().unwrap());
                (e[0].as_u64().unwrap() as usize, e[1].as_u64().unwrap() as usize, w)
            })
            .collect();
        let mut db = Database::in_memory();
        // Real node i is `i`; a dummy (i = -1) before every seventh, deleted afterwards.
        let mut ids = Vec::new();
        for i in 0..n as i64 {
            if i % 7 == 3 {
                ids.push(Value::Int(-1));
            }
            ids.push(Value::Int(i));
        }
        let mut p = Params::new();
        p.insert("ids".into(), Value::list(ids));
        run(&mut db, "CREATE INDEX FOR (n:N) ON (n.i)", &Params::new());
        run(&mut db, "UNWIND $ids AS i CREATE (:N {i: i})", &p);
        run(&mut db, "MATCH (d:N {i: -1}) DELETE d", &Params::new());
        let rows: Vec<Value> = edges
            .iter()
            .map(|&(u, v, w)| {
                let mut r = vec![Value::Int(u as i64), Value::Int(v as i64)];
                if weighted {
                    r.push(Value::Float(w));
                }
                Value::list(r)
            })
            .collect();
        let mut p = Params::new();
        p.insert("edges".into(), Value::list(rows));
        run(
            &mut db,
            "UNWIND $edges AS e MATCH (a:N {i: e[0]}), (b:N {i: e[1]}) CREATE (a)-[:R {w: e[2]}]->(b)",
            &p,
        );
        // Noise: an :Other node on every fifth node, tied by :R both ways; :NOISE between nodes.
        run(
            &mut db,
            "MATCH (a:N) WHERE a.i % 5 = 0 CREATE (a)-[:R {w: 0.5}]->(o:Other)-[:R {w: 0.5}]->(a)",
            &Params::new(),
        );
        run(
            &mut db,
            "MATCH (a:N), (b:N) WHERE b.i = (a.i * 3 + 1) % $n CREATE (a)-[:NOISE {w: 100}]->(b)",
            &[("n".to_string(), Value::Int(n as i64))].into_iter().collect(),
        );
        let mut nodes = vec![Value::Null; n];
        for r in run(&mut db, "MATCH (a:N) RETURN a.i, a", &Params::new()) {
            nodes[int(&r[0]) as usize] = r[1].clone();
        }
        Fixture {
            name,
            db,
            n,
            directed: json["directed"].as_bool().unwrap(),
            weighted,
            edges,
            nodes,
            measures: json["measures"].as_object().unwrap().clone(),
        }
    }

    /// The configuration choosing the fixture's graph, read `orientation` way.
    fn config(&self, orientation: &str, weighted: bool, more: &[(&str, Value)]) -> Value {
        let o = if self.directed { orientation } else { "undirected" };
        let mut m: BTreeMap<Arc<str>, Value> = BTreeMap::new();
        m.insert("nodeLabels".into(), Value::list(vec![Value::from("N")]));
        m.insert("relationshipTypes".into(), Value::list(vec![Value::from("R")]));
        m.insert("orientation".into(), Value::from(o.to_ascii_uppercase().as_str()));
        if weighted {
            m.insert("weightProperty".into(), Value::from("w"));
        }
        for (k, v) in more {
            m.insert((*k).into(), v.clone());
        }
        Value::map(m)
    }

    /// Runs `q` with `$config`.
    fn call(&mut self, q: &str, config: Value) -> Vec<Vec<Value>> {
        let mut p = Params::new();
        p.insert("config".into(), config);
        run(&mut self.db, q, &p)
    }

    /// A per-node procedure's `(i, value)` rows, one per real node, in node order.
    fn per_node(&mut self, procedure: &str, column: &str, config: Value) -> Vec<f64> {
        let q = format!("CALL {procedure}($config) YIELD node, {column} RETURN node.i, {column}");
        let rows = self.call(&q, config);
        assert_eq!(rows.len(), self.n, "{}: {procedure}: one row per node", self.name);
        let mut out = vec![f64::NAN; self.n];
        for r in rows {
            out[int(&r[0]) as usize] = num(&r[1]);
        }
        out
    }

    fn partition(&mut self, procedure: &str, column: &str, config: Value) -> Vec<Vec<usize>> {
        let mut groups: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
        for (i, c) in self.per_node(procedure, column, config).into_iter().enumerate() {
            groups.entry(c as i64).or_default().push(i);
        }
        let mut p: Vec<Vec<usize>> = groups.into_values().collect();
        p.sort();
        p
    }
}

fn run(db: &mut Database, q: &str, p: &Params) -> Vec<Vec<Value>> {
    db.execute(q, p).unwrap_or_else(|e| panic!("{q}\n{e}")).rows
}

/// A path's rows come back as `[node i...], [[start i, end i, w]...], cost`: check that it
/// runs along the fixture's relationships in the orientation and costs their weight.
fn check_path(f: &Fixture, orientation: &str, weighted: bool, row: &[Value], what: &str) -> (Vec<usize>, f64) {
    let nodes: Vec<usize> = row[0].as_list().unwrap().iter().map(|v| int(v) as usize).collect();
    let rels = row[1].as_list().unwrap();
    assert_eq!(rels.len() + 1, nodes.len(), "{what}");
    let mut cost = 0.0;
    for (k, r) in rels.iter().enumerate() {
        let r = r.as_list().unwrap();
        let (s, t) = (int(&r[0]) as usize, int(&r[1]) as usize);
        let (a, b) = (nodes[k], nodes[k + 1]);
        let forward = (s, t) == (a, b);
        let backward = (s, t) == (b, a);
        let ok = match (f.directed, orientation) {
            (false, _) | (true, "undirected") => forward || backward,
            (true, "natural") => forward,
            _ => backward,
        };
        assert!(ok, "{what}: relationship {k} does not join its nodes");
        cost += if weighted { num(&r[2]) } else { 1.0 };
    }
    let reported = num(&row[2]);
    assert!(
        (cost - reported).abs() < 1e-9,
        "{what}: cost {reported} vs relationships {cost}"
    );
    (nodes, reported)
}

const PATH_RETURN: &str =
    "RETURN [n IN nodes(path) | n.i], [r IN relationships(path) | [startNode(r).i, endNode(r).i, r.w]], cost";

fn check(f: &mut Fixture, worst: &mut Worst) {
    let mut checked = 0;
    let measures = f.measures.clone();
    for (key, expected) in &measures {
        let what = format!("{}: {key}", f.name);
        let parts: Vec<&str> = key.split('/').collect();
        let o = parts
            .get(1)
            .copied()
            .filter(|p| ["natural", "reverse", "undirected"].contains(p));
        let o = o.unwrap_or("natural");
        let weighted = parts.contains(&"weighted");
        let fw = f.weighted;
        match parts[0] {
            "pagerank" => {
                let extra = [
                    ("tolerance", Value::Float(1e-12)),
                    ("maxIterations", Value::Int(10_000)),
                ];
                let c = f.config(o, weighted, &extra);
                let r = f.per_node("algo.pageRank", "score", c);
                close(worst, "pagerank", &what, &r, &floats(expected));
            }
            "degree" => {
                let r = f.per_node("algo.degree", "score", f.config(o, weighted, &[]));
                close(worst, "degree", &what, &r, &floats(expected));
            }
            "kcore" => {
                let r = f.per_node("algo.kcore", "coreness", f.config(o, false, &[]));
                close(worst, "kcore", &what, &r, &floats(expected));
            }
            "triangles" => {
                let r = f.per_node("algo.triangleCount", "triangles", f.config(o, false, &[]));
                close(worst, "triangles", &what, &r, &floats(expected));
            }
            "betweenness" if parts[2] == "sampled" => {
                let sources: Vec<Value> = expected["sources"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| f.nodes[s.as_u64().unwrap() as usize].clone())
                    .collect();
                let extra = [
                    ("sourceNodes", Value::list(sources)),
                    ("normalized", Value::Bool(parts[3] == "normalized")),
                ];
                let r = f.per_node("algo.betweenness", "score", f.config(o, false, &extra));
                close(worst, "betweenness (sampled)", &what, &r, &floats(&expected["scores"]));
            }
            "betweenness" => {
                let extra = [("normalized", Value::Bool(parts[2] == "normalized"))];
                let r = f.per_node("algo.betweenness", "score", f.config(o, weighted, &extra));
                close(worst, "betweenness", &what, &r, &floats(expected));
            }
            "closeness" => {
                let r = f.per_node("algo.closeness", "score", f.config(o, weighted, &[]));
                close(worst, "closeness", &what, &r, &floats(expected));
            }
            "modularity" => {
                run(&mut f.db, "MATCH (n:N) SET n.m3 = n.i % 3", &Params::new());
                let c = f.config(o, fw, &[("communityProperty", Value::from("m3"))]);
                let q = f.call("CALL algo.modularity($config) YIELD modularity RETURN modularity", c);
                close(
                    worst,
                    "modularity",
                    &what,
                    &[num(&q[0][0])],
                    &[expected.as_f64().unwrap()],
                );
            }
            "louvain" => {
                let theirs = expected.as_f64().unwrap();
                let q = "CALL algo.louvain($config) YIELD node, communityId, modularity
                         RETURN node.i, communityId, modularity ORDER BY node.i";
                let rows = f.call(q, f.config(o, fw, &[]));
                assert_eq!(rows, f.call(q, f.config(o, fw, &[])), "{what}: not repeatable");
                let ours = num(&rows[0][2]);
                worst.see("louvain (networkx - ours)", theirs - ours);
                assert!(ours >= theirs - 0.02, "{what}: modularity {ours} vs networkx {theirs}");
                // The modularity reported is the partition's, as algo.modularity judges it.
                let mut p = Params::new();
                p.insert(
                    "rows".into(),
                    Value::list(rows.iter().map(|r| Value::list(r[..2].to_vec())).collect()),
                );
                run(
                    &mut f.db,
                    "UNWIND $rows AS r MATCH (n:N {i: r[0]}) SET n.louvain = r[1]",
                    &p,
                );
                let c = f.config(o, fw, &[("communityProperty", Value::from("louvain"))]);
                let q = f.call("CALL algo.modularity($config) YIELD modularity RETURN modularity", c);
                assert!(
                    (num(&q[0][0]) - ours).abs() < 1e-9,
                    "{what}: {} vs {ours}",
                    num(&q[0][0])
                );
            }
            "bfs" => {
                let source = f.nodes[expected["source"].as_u64().unwrap() as usize].clone();
                let mut extra = vec![("source", source)];
                if let Some(d) = expected.get("max_depth").and_then(Json::as_u64) {
                    extra.push(("maxDepth", Value::Int(d as i64)));
                }
                let rows = f.call(
                    "CALL algo.bfs($config) YIELD node, depth RETURN node.i, depth",
                    f.config(o, false, &extra),
                );
                let mut ours: Vec<(u64, u64)> = rows.iter().map(|r| (int(&r[0]) as u64, int(&r[1]) as u64)).collect();
                ours.sort();
                let theirs: Vec<(u64, u64)> = expected["depths"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| (p[0].as_u64().unwrap(), p[1].as_u64().unwrap()))
                    .collect();
                assert_eq!(ours, theirs, "{what}");
            }
            "dijkstra" => {
                let s = expected["source"].as_u64().unwrap() as usize;
                let c = f.config(o, fw, &[("source", f.nodes[s].clone())]);
                let rows = f.call(
                    &format!("CALL algo.dijkstra($config) YIELD path, cost {PATH_RETURN}"),
                    c,
                );
                let mut ours: Vec<(usize, f64)> = vec![(s, 0.0)];
                for r in &rows {
                    let (nodes, cost) = check_path(f, o, fw, r, &what);
                    ours.push((*nodes.last().unwrap(), cost));
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
                let (t, cost) = theirs[theirs.len() / 2];
                let c = f.config(o, fw, &[("source", f.nodes[s].clone()), ("target", f.nodes[t].clone())]);
                let one = f.call(
                    &format!("CALL algo.dijkstra($config) YIELD path, cost {PATH_RETURN}"),
                    c,
                );
                assert_eq!(one.len(), 1, "{what}");
                let (_, ours) = check_path(f, o, fw, &one[0], &what);
                close(worst, "dijkstra cost", &what, &[ours], &[cost]);
            }
            "yen" => {
                let s = f.nodes[expected["source"].as_u64().unwrap() as usize].clone();
                let t = f.nodes[expected["target"].as_u64().unwrap() as usize].clone();
                let k = Value::Int(expected["k"].as_u64().unwrap() as i64);
                let c = f.config(o, fw, &[("source", s), ("target", t), ("k", k)]);
                let rows = f.call(
                    &format!("CALL algo.kShortestPaths($config) YIELD path, cost {PATH_RETURN}"),
                    c,
                );
                let mut distinct = HashSet::new();
                let mut costs = Vec::new();
                for r in &rows {
                    let (nodes, cost) = check_path(f, o, fw, r, &what);
                    assert_eq!(
                        nodes.iter().collect::<HashSet<_>>().len(),
                        nodes.len(),
                        "{what}: a loop"
                    );
                    assert!(distinct.insert(nodes), "{what}: a path twice");
                    costs.push(cost);
                }
                close(worst, "yen cost", &what, &costs, &floats(&expected["costs"]));
            }
            "wcc" => {
                let p = f.partition("algo.wcc", "componentId", f.config(o, false, &[]));
                assert_eq!(p, partition_of(expected), "{what}");
            }
            "scc" => {
                for o in ["natural", "reverse"] {
                    let p = f.partition("algo.scc", "componentId", f.config(o, false, &[]));
                    assert_eq!(p, partition_of(expected), "{what} ({o})");
                }
            }
            "spanning_forest" => {
                let r = f.call(
                    "CALL algo.spanningForest($config) YIELD relationship
                     RETURN count(*), sum(coalesce(relationship.w, 1.0))",
                    f.config(o, fw, &[]),
                );
                let components = f.partition("algo.wcc", "componentId", f.config(o, false, &[])).len();
                assert_eq!(int(&r[0][0]) as usize, f.n - components, "{what}: forest size");
                let total = if fw { num(&r[0][1]) } else { int(&r[0][0]) as f64 };
                close(
                    worst,
                    "spanning forest weight",
                    &what,
                    &[total],
                    &[expected.as_f64().unwrap()],
                );
            }
            other => panic!("{what}: unknown measure {other}"),
        }
        checked += 1;
    }
    for o in ["natural", "undirected"] {
        check_label_propagation(f, o);
    }
    println!(
        "{}: {checked} measures agree with networkx through the procedures",
        f.name
    );
}

fn check_label_propagation(f: &mut Fixture, o: &str) {
    for weighted in [false, true] {
        let c = || f.config(o, weighted, &[("seed", Value::Int(11))]);
        let (c1, c2) = (c(), c());
        let label = f.per_node("algo.labelPropagation", "communityId", c1);
        assert_eq!(
            label,
            f.per_node("algo.labelPropagation", "communityId", c2),
            "{}: not repeatable",
            f.name
        );
        // Each community is connected through relationships (either way) inside it.
        let mut adjacent: Vec<Vec<usize>> = vec![Vec::new(); f.n];
        for &(a, b, _) in &f.edges {
            if label[a] == label[b] {
                adjacent[a].push(b);
                adjacent[b].push(a);
            }
        }
        let mut parts: HashMap<i64, Vec<usize>> = HashMap::new();
        for (i, &l) in label.iter().enumerate() {
            parts.entry(l as i64).or_default().push(i);
        }
        for part in parts.values() {
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
fn the_procedures_agree_with_networkx() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../quiver-algo/tests/networkx");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 7, "fixtures missing in {}", dir.display());
    let mut worst = Worst::default();
    for path in files {
        let json: Json = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        check(&mut Fixture::load(&json), &mut worst);
    }
    for (family, deviation) in &worst.0 {
        println!("worst {family}: {deviation:.3e}");
    }
}
