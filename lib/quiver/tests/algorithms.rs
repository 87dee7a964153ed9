//! The `algo.*` procedures through `Database::execute`, on small graphs whose answers are
//! worked out by hand in the comments; and the petgraph view of the store they run on.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use petgraph::visit::{EdgeRef, IntoEdgeReferences, IntoNodeIdentifiers, NodeCount, Reversed};
use quiver::procedure::ProcedureContext;
use quiver::store::view::GraphView;
use quiver::{Database, ErrorKind, Interrupt, Params, Procedure, Value, ValueType};

fn db(script: &str) -> Database {
    let db = Database::in_memory();
    for stmt in script.split(';').filter(|s| !s.trim().is_empty()) {
        db.execute(stmt, &Params::new())
            .unwrap_or_else(|e| panic!("{stmt}\n{e}"));
    }
    db
}

/// A number as a float.
fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

fn rows(db: &mut Database, q: &str) -> Vec<Vec<Value>> {
    db.execute(q, &Params::new())
        .unwrap_or_else(|e| panic!("{q}\n{e}"))
        .rows
}

/// A query returning `name, value` rows, as a map.
fn named(db: &mut Database, q: &str) -> BTreeMap<String, Value> {
    rows(db, q)
        .into_iter()
        .map(|r| (r[0].as_str().expect("a name").to_string(), r[1].clone()))
        .collect()
}

fn floats(db: &mut Database, q: &str) -> BTreeMap<String, f64> {
    named(db, q)
        .into_iter()
        .map(|(k, v)| {
            let x = num(&v).unwrap_or_else(|| panic!("{k}: {v} is not a number"));
            (k, x)
        })
        .collect()
}

fn ints(db: &mut Database, q: &str) -> BTreeMap<String, i64> {
    named(db, q)
        .into_iter()
        .map(|(k, v)| match v {
            Value::Int(i) => (k, i),
            other => panic!("{k}: {other} is not an integer"),
        })
        .collect()
}

fn close(got: &BTreeMap<String, f64>, want: &[(&str, f64)]) {
    assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
    for (name, w) in want {
        let g = got[*name];
        assert!((g - w).abs() < 1e-9, "{name}: got {g}, want {w} ({got:?})");
    }
}

fn int_map(want: &[(&str, i64)]) -> BTreeMap<String, i64> {
    want.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

/// The groups a `name, id` query makes, as sorted lists of names.
fn groups(db: &mut Database, q: &str) -> Vec<Vec<String>> {
    let mut by: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for (name, id) in ints(db, q) {
        by.entry(id).or_default().push(name);
    }
    let mut g: Vec<Vec<String>> = by.into_values().collect();
    for x in &mut g {
        x.sort();
    }
    g.sort();
    g
}

fn names(list: &[&[&str]]) -> Vec<Vec<String>> {
    list.iter().map(|g| g.iter().map(|s| s.to_string()).collect()).collect()
}

/// The error `q` fails with: an ArgumentError whose message names `key`.
fn argument_error(db: &mut Database, q: &str, key: &str) -> String {
    let e = match db.execute(q, &Params::new()) {
        Ok(r) => panic!("{q}: expected an error, got {:?}", r.rows),
        Err(e) => e,
    };
    assert_eq!(e.kind, ErrorKind::ArgumentError, "{q}: {e}");
    assert_eq!(e.code, "InvalidArgumentValue", "{q}: {e}");
    assert!(
        e.message.contains(&format!("`{key}`")) || e.message.contains(&format!("{key} ")),
        "{q}: {e}"
    );
    e.message
}

// ------------------------------------------------------------------ graphs

/// a -> b -> c -> a (a cycle), c -> d, d -> e; x isolated; all :P except e (:Q).
/// Types: R except d -> e, which is S.
const CYCLE: &str = "
CREATE (a:P {name: 'a'}), (b:P {name: 'b'}), (c:P {name: 'c'}), (d:P {name: 'd'}),
       (e:Q {name: 'e'}), (x:P {name: 'x'}),
       (a)-[:R]->(b), (b)-[:R]->(c), (c)-[:R]->(a), (c)-[:R]->(d), (d)-[:S]->(e)";

/// A weighted graph: a -> b (1), b -> c (2), a -> c (5), c -> d (1), a -> d (no weight).
const WEIGHTED: &str = "
CREATE (a {name: 'a'}), (b {name: 'b'}), (c {name: 'c'}), (d {name: 'd'}),
       (a)-[:R {w: 1}]->(b), (b)-[:R {w: 2.0}]->(c), (a)-[:R {w: 5}]->(c), (c)-[:R {w: 1}]->(d),
       (a)-[:R]->(d)";

/// Two triangles {a, b, c} and {d, e, f} joined by c - d.
const TWO_TRIANGLES: &str = "
CREATE (a {name: 'a'}), (b {name: 'b'}), (c {name: 'c'}), (d {name: 'd'}), (e {name: 'e'}), (f {name: 'f'}),
       (a)-[:R]->(b), (b)-[:R]->(c), (c)-[:R]->(a), (d)-[:R]->(e), (e)-[:R]->(f), (f)-[:R]->(d),
       (c)-[:R]->(d)";

// ------------------------------------------------------------------ centrality

#[test]
fn pagerank_matches_the_closed_form() {
    // a -> b, b dangling. With d = 0.85 and b's rank spread evenly:
    // x_a = 0.85 x_b / 2 + 0.075, x_a + x_b = 1, so x_a = 0.5 / 1.425.
    let mut g = db("CREATE ({name: 'a'})-[:R]->({name: 'b'})");
    let q = "CALL algo.pageRank({maxIterations: 200, tolerance: 0}) YIELD node, score RETURN node.name, score";
    let xa = 0.5 / 1.425;
    close(&floats(&mut g, q), &[("a", xa), ("b", 1.0 - xa)]);

    // Weighted: a -> b (3), a -> c (1), b and c dangling. x_a = (0.85/3 + 0.05) / (1 + 0.85/3);
    // b and c share the dangling mass and split a's by 3 : 1.
    let mut g =
        db("CREATE (a {name: 'a'}), (b {name: 'b'}), (c {name: 'c'}), (a)-[:R {w: 3}]->(b), (a)-[:R {w: 1}]->(c)");
    let xa = (0.85 / 3.0 + 0.05) / (1.0 + 0.85 / 3.0);
    let rest = 1.0 - xa;
    let split = 0.85 * 0.5 * xa; // x_b - x_c = 0.85 (0.75 - 0.25) x_a
    let q = "CALL algo.pageRank({weightProperty: 'w', maxIterations: 200, tolerance: 0}) YIELD node, score
             RETURN node.name, score";
    close(
        &floats(&mut g, q),
        &[("a", xa), ("b", (rest + split) / 2.0), ("c", (rest - split) / 2.0)],
    );
    // Unweighted, b and c are alike.
    let q = "CALL algo.pageRank({maxIterations: 200, tolerance: 0}) YIELD node, score RETURN node.name, score";
    let s = floats(&mut g, q);
    assert!((s["b"] - s["c"]).abs() < 1e-12, "{s:?}");
}

#[test]
fn pagerank_scores_sum_to_one_with_the_defaults() {
    let mut g = db(CYCLE);
    let total = rows(&mut g, "CALL algo.pageRank() YIELD score RETURN sum(score)");
    assert!((num(&total[0][0]).unwrap() - 1.0).abs() < 1e-9);
    // One row per node, isolated x included, ascending by id.
    let n = rows(&mut g, "CALL algo.pageRank() YIELD node RETURN node.name");
    let order: Vec<&str> = n.iter().map(|r| r[0].as_str().unwrap()).collect();
    assert_eq!(order, ["a", "b", "c", "d", "e", "x"]);
    // In the cycle, the node fed by two others (a, from c; d feeds e) ranks above b.
    let s = floats(&mut g, "CALL algo.pageRank() YIELD node, score RETURN node.name, score");
    assert!(s["c"] > s["x"] && s["a"] > s["x"], "{s:?}");
}

#[test]
fn betweenness_on_a_path() {
    // a -> b -> c: only b is between (a, c). Directed, normalized by (n-1)(n-2) = 2.
    let mut g = db("CREATE ({name: 'a'})-[:R]->({name: 'b'})-[:R]->({name: 'c'})");
    let q = |c: &str| format!("CALL algo.betweenness({c}) YIELD node, score RETURN node.name, score");
    close(&floats(&mut g, &q("")), &[("a", 0.0), ("b", 0.5), ("c", 0.0)]);
    close(
        &floats(&mut g, &q("{normalized: false}")),
        &[("a", 0.0), ("b", 1.0), ("c", 0.0)],
    );
    // Undirected: the pair counts once, normalized by (n-1)(n-2)/2 = 1.
    close(
        &floats(&mut g, &q("{orientation: 'undirected'}")),
        &[("a", 0.0), ("b", 1.0), ("c", 0.0)],
    );
    // Sampling every node is the exact computation.
    close(
        &floats(&mut g, &q("{samplingSize: 3, samplingSeed: 9}")),
        &[("a", 0.0), ("b", 0.5), ("c", 0.0)],
    );
}

#[test]
fn betweenness_sampling_is_deterministic_and_takes_given_sources() {
    let mut g = db("UNWIND range(0, 59) AS i CREATE (:N {name: toString(i), i: i})");
    rows(
        &mut g,
        "MATCH (a:N), (b:N) WHERE b.i = (a.i * 7 + 3) % 60 CREATE (a)-[:R]->(b)",
    );
    let q = |seed: u64| {
        format!("CALL algo.betweenness({{samplingSize: 10, samplingSeed: {seed}}}) YIELD node, score RETURN node.name, score")
    };
    let one = floats(&mut g, &q(5));
    assert_eq!(one, floats(&mut g, &q(5)));
    assert_ne!(one, floats(&mut g, &q(6)));
    // Paths from the sources given: from a -> b -> c's a alone, b carries the (a, c) pair;
    // a is the one source, so its own score is 0 (scaled as a sample of 1).
    let mut p = db("CREATE ({name: 'a'})-[:R]->({name: 'b'})-[:R]->({name: 'c'})");
    let got = floats(
        &mut p,
        "MATCH (s {name: 'a'}) CALL algo.betweenness({sourceNodes: [s], normalized: false}) YIELD node, score
         RETURN node.name, score",
    );
    // One source of n = 3: non-sources scale by (n - 1) / (k c) = 2.
    close(&got, &[("a", 0.0), ("b", 2.0), ("c", 0.0)]);
}

#[test]
fn closeness_with_the_wasserman_faust_correction() {
    // a -> b -> c. NATURAL uses incoming distances: c is reached from b (1) and a (2):
    // (2/3) * (2/2); b from a: (1/1) * (1/2); a from nobody: 0.
    let mut g = db("CREATE ({name: 'a'})-[:R]->({name: 'b'})-[:R]->({name: 'c'})");
    let q = |c: &str| format!("CALL algo.closeness({c}) YIELD node, score RETURN node.name, score");
    close(&floats(&mut g, &q("")), &[("a", 0.0), ("b", 0.5), ("c", 2.0 / 3.0)]);
    close(
        &floats(&mut g, &q("{orientation: 'REVERSE'}")),
        &[("a", 2.0 / 3.0), ("b", 0.5), ("c", 0.0)],
    );
    close(
        &floats(&mut g, &q("{orientation: 'UNDIRECTED'}")),
        &[("a", 2.0 / 3.0), ("b", 1.0), ("c", 2.0 / 3.0)],
    );
    // Weighted: the path a - b - c with b - c weighing 3: undirected c is at 3 and 4.
    let mut w = db("CREATE ({name: 'a'})-[:R {w: 1}]->({name: 'b'})-[:R {w: 3}]->({name: 'c'})");
    let s = floats(
        &mut w,
        "CALL algo.closeness({orientation: 'UNDIRECTED', weightProperty: 'w'}) YIELD node, score RETURN node.name, score",
    );
    close(&s, &[("a", 2.0 / 5.0), ("b", 2.0 / 4.0), ("c", 2.0 / 7.0)]);
}

#[test]
fn degree_counts_parallel_relationships_and_self_loops() {
    // a -> b twice (weights 2.5 and none), c -> c, d isolated.
    let mut g = db(
        "CREATE (a {name: 'a'}), (b {name: 'b'}), (c {name: 'c'}), ({name: 'd'}),
                    (a)-[:R {w: 2.5}]->(b), (a)-[:R]->(b), (c)-[:R {w: 4}]->(c)",
    );
    let q = |c: &str| format!("CALL algo.degree({c}) YIELD node, score RETURN node.name, score");
    close(
        &floats(&mut g, &q("")),
        &[("a", 2.0), ("b", 0.0), ("c", 1.0), ("d", 0.0)],
    );
    close(
        &floats(&mut g, &q("{orientation: 'REVERSE'}")),
        &[("a", 0.0), ("b", 2.0), ("c", 1.0), ("d", 0.0)],
    );
    // Undirected, a self-loop adds 2.
    close(
        &floats(&mut g, &q("{orientation: 'UNDIRECTED'}")),
        &[("a", 2.0), ("b", 2.0), ("c", 2.0), ("d", 0.0)],
    );
    // A relationship without the weight property weighs 1.
    close(
        &floats(&mut g, &q("{weightProperty: 'w'}")),
        &[("a", 3.5), ("b", 0.0), ("c", 4.0), ("d", 0.0)],
    );
}

// ------------------------------------------------------------------ components and communities

#[test]
fn weakly_and_strongly_connected_components() {
    let mut g = db(CYCLE);
    let wcc = "CALL algo.wcc() YIELD node, componentId RETURN node.name, componentId";
    assert_eq!(groups(&mut g, wcc), names(&[&["a", "b", "c", "d", "e"], &["x"]]));
    // Ids are numbered by first node: a's component is 0, x's 1.
    assert_eq!(
        ints(&mut g, wcc),
        int_map(&[("a", 0), ("b", 0), ("c", 0), ("d", 0), ("e", 0), ("x", 1)])
    );
    // Only :R relationships: e is cut off.
    assert_eq!(
        groups(
            &mut g,
            "CALL algo.wcc({relationshipTypes: ['R']}) YIELD node, componentId RETURN node.name, componentId"
        ),
        names(&[&["a", "b", "c", "d"], &["e"], &["x"]])
    );
    // Only :P nodes: e is not in the view at all.
    assert_eq!(
        groups(
            &mut g,
            "CALL algo.wcc({nodeLabels: ['P']}) YIELD node, componentId RETURN node.name, componentId"
        ),
        names(&[&["a", "b", "c", "d"], &["x"]])
    );
    let scc = |c: &str| format!("CALL algo.scc({c}) YIELD node, componentId RETURN node.name, componentId");
    let strong = names(&[&["a", "b", "c"], &["d"], &["e"], &["x"]]);
    assert_eq!(groups(&mut g, &scc("")), strong);
    assert_eq!(groups(&mut g, &scc("{orientation: 'REVERSE'}")), strong);
    assert_eq!(
        groups(&mut g, &scc("{orientation: 'UNDIRECTED'}")),
        names(&[&["a", "b", "c", "d", "e"], &["x"]])
    );
}

#[test]
fn louvain_finds_the_two_triangles_and_reports_their_modularity() {
    let mut g = db(TWO_TRIANGLES);
    let q = "CALL algo.louvain({orientation: 'UNDIRECTED'}) YIELD node, communityId RETURN node.name, communityId";
    assert_eq!(groups(&mut g, q), names(&[&["a", "b", "c"], &["d", "e", "f"]]));
    // m = 7; each triangle holds 3 relationships and has total degree 7:
    // Q = 2 (3/7 - (7/14)^2) = 5/14.
    let q = "CALL algo.louvain({orientation: 'UNDIRECTED'}) YIELD modularity RETURN DISTINCT modularity";
    let got = rows(&mut g, q);
    assert_eq!(got.len(), 1);
    assert!((num(&got[0][0]).unwrap() - 5.0 / 14.0).abs() < 1e-12, "{got:?}");
    // algo.modularity judges a partition held in a property: the same one gives the same Q.
    rows(
        &mut g,
        "MATCH (n) SET n.camp = CASE WHEN n.name IN ['a', 'b', 'c'] THEN 'left' ELSE 'right' END",
    );
    let q = "CALL algo.modularity({communityProperty: 'camp', orientation: 'UNDIRECTED'}) YIELD modularity RETURN modularity";
    let got = rows(&mut g, q);
    assert!((num(&got[0][0]).unwrap() - 5.0 / 14.0).abs() < 1e-12, "{got:?}");
    // Every node alone (no such values): Q = -Σ (k_i / 2m)^2 = -(4·4 + 2·9) / 196.
    rows(&mut g, "MATCH (n) SET n.alone = id(n)");
    let q = "CALL algo.modularity({communityProperty: 'alone', orientation: 'UNDIRECTED'}) YIELD modularity RETURN modularity";
    let got = rows(&mut g, q);
    assert!((num(&got[0][0]).unwrap() + 34.0 / 196.0).abs() < 1e-12, "{got:?}");
    // A high resolution splits further; the result is the same for the same seed.
    let q = "CALL algo.louvain({orientation: 'UNDIRECTED', resolution: 5.0, seed: 3}) YIELD node, communityId
             RETURN node.name, communityId";
    let fine = groups(&mut g, q);
    assert!(fine.len() > 2, "{fine:?}");
    assert_eq!(fine, groups(&mut g, q));
}

#[test]
fn label_propagation_stays_inside_components_and_repeats_for_a_seed() {
    // Two K4s (each relationship once) and an isolated node.
    let mut g = db("UNWIND range(0, 8) AS i CREATE (:N {name: toString(i), i: i})");
    rows(
        &mut g,
        "MATCH (a:N), (b:N) WHERE a.i < b.i AND b.i < 8 AND a.i / 4 = b.i / 4 CREATE (a)-[:R]->(b)",
    );
    let q = |seed: u64| {
        format!(
            "CALL algo.labelPropagation({{orientation: 'UNDIRECTED', seed: {seed}}}) YIELD node, communityId
             RETURN node.name, communityId"
        )
    };
    let parts = groups(&mut g, &q(1));
    assert_eq!(parts, names(&[&["0", "1", "2", "3"], &["4", "5", "6", "7"], &["8"]]));
    for seed in [2, 3, 4] {
        let once = ints(&mut g, &q(seed));
        assert_eq!(once, ints(&mut g, &q(seed)));
    }
}

// ------------------------------------------------------------------ structure

#[test]
fn triangles_and_coreness() {
    // K4 on a, b, c, d (one relationship each way between a and b, a parallel b -> c, a
    // self-loop on a), a pendant e on d, f isolated.
    let mut g = db(
        "CREATE (a {name: 'a'}), (b {name: 'b'}), (c {name: 'c'}), (d {name: 'd'}),
                           (e {name: 'e'}), ({name: 'f'}),
                           (a)-[:R]->(b), (b)-[:R]->(a), (a)-[:R]->(c), (a)-[:R]->(d), (b)-[:R]->(c),
                           (b)-[:R]->(c), (b)-[:R]->(d), (c)-[:R]->(d), (d)-[:R]->(e), (a)-[:R]->(a)",
    );
    assert_eq!(
        ints(
            &mut g,
            "CALL algo.triangleCount() YIELD node, triangles RETURN node.name, triangles"
        ),
        int_map(&[("a", 3), ("b", 3), ("c", 3), ("d", 3), ("e", 0), ("f", 0)])
    );
    assert_eq!(
        ints(
            &mut g,
            "CALL algo.kcore({orientation: 'UNDIRECTED'}) YIELD node, coreness RETURN node.name, coreness"
        ),
        int_map(&[("a", 3), ("b", 3), ("c", 3), ("d", 3), ("e", 1), ("f", 0)])
    );
    // Directed, degree is in + out of the simple directed graph: a and b, joined both ways, count twice.
    let directed = ints(
        &mut g,
        "CALL algo.kcore() YIELD node, coreness RETURN node.name, coreness",
    );
    assert_eq!(directed["e"], 1);
    assert!(directed["a"] >= 3, "{directed:?}");
}

// ------------------------------------------------------------------ paths

#[test]
fn bfs_depths_from_a_source() {
    let mut g = db(CYCLE);
    let q = |c: &str| {
        format!("MATCH (s {{name: 'c'}}) CALL algo.bfs({{source: s{c}}}) YIELD node, depth RETURN node.name, depth")
    };
    assert_eq!(
        ints(&mut g, &q("")),
        int_map(&[("c", 0), ("a", 1), ("d", 1), ("b", 2), ("e", 2)])
    );
    assert_eq!(
        ints(&mut g, &q(", maxDepth: 1")),
        int_map(&[("c", 0), ("a", 1), ("d", 1)])
    );
    assert_eq!(
        ints(&mut g, &q(", orientation: 'REVERSE'")),
        int_map(&[("c", 0), ("b", 1), ("a", 2)])
    );
    assert_eq!(
        ints(&mut g, &q(", relationshipTypes: ['R']")),
        int_map(&[("c", 0), ("a", 1), ("d", 1), ("b", 2)])
    );
    // In visiting order: the source first, then by depth.
    let order = rows(
        &mut g,
        "MATCH (s {name: 'c'}) CALL algo.bfs({source: s}) YIELD node, depth RETURN depth",
    );
    let depths: Vec<i64> = order.iter().map(|r| r[0].as_int().unwrap()).collect();
    assert!(depths.windows(2).all(|w| w[0] <= w[1]), "{depths:?}");
}

/// `[names], cost` rows of a path query, in their order except that equal costs are
/// ordered by names.
fn paths(db: &mut Database, q: &str) -> Vec<(Vec<String>, f64)> {
    let mut out: Vec<(Vec<String>, f64)> = rows(db, q)
        .into_iter()
        .map(|r| {
            let names = r[0]
                .as_list()
                .expect("a list")
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect();
            (names, num(&r[1]).unwrap())
        })
        .collect();
    out.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    out
}

fn path(names: &[&str], cost: f64) -> (Vec<String>, f64) {
    (names.iter().map(|s| s.to_string()).collect(), cost)
}

#[test]
fn dijkstra_by_weight_to_one_target_or_all() {
    let mut g = db(WEIGHTED);
    let q = |c: &str| {
        format!(
            "MATCH (s {{name: 'a'}}), (t {{name: 'd'}}) CALL algo.dijkstra({{source: s{c}}}) YIELD path, cost
             RETURN [n IN nodes(path) | n.name], cost"
        )
    };
    // By weight a -> b -> c costs 3 (not a -> c at 5); a -> d has no weight, so weighs 1.
    assert_eq!(
        paths(&mut g, &q(", weightProperty: 'w'")),
        vec![
            path(&["a", "b"], 1.0),
            path(&["a", "d"], 1.0),
            path(&["a", "b", "c"], 3.0)
        ]
    );
    assert_eq!(
        paths(&mut g, &q(", target: t, weightProperty: 'w'")),
        vec![path(&["a", "d"], 1.0)]
    );
    // Without a weight every relationship costs 1.
    assert_eq!(
        paths(&mut g, &q(", target: t, relationshipTypes: ['R']")),
        vec![path(&["a", "d"], 1.0)]
    );
    // The path value holds the relationships too: a -> b -> c by weight.
    let r = rows(
        &mut g,
        "MATCH (s {name: 'a'}), (t {name: 'c'}) CALL algo.dijkstra({source: s, target: t, weightProperty: 'w'})
         YIELD path RETURN length(path), [r IN relationships(path) | r.w], startNode(relationships(path)[1]).name",
    );
    assert_eq!(r[0][0], Value::Int(2));
    assert_eq!(r[0][1], Value::list(vec![Value::Int(1), Value::Float(2.0)]));
    assert_eq!(r[0][2], Value::from("b"));
    // Unreachable target: no rows. REVERSE walks relationships backwards.
    assert!(rows(
        &mut g,
        "MATCH (s {name: 'd'}), (t {name: 'a'}) CALL algo.dijkstra({source: s, target: t}) YIELD path RETURN path"
    )
    .is_empty());
    assert_eq!(
        paths(
            &mut g,
            "MATCH (s {name: 'd'}), (t {name: 'a'})
                       CALL algo.dijkstra({source: s, target: t, orientation: 'REVERSE', weightProperty: 'w'})
                       YIELD path, cost RETURN [n IN nodes(path) | n.name], cost"
        ),
        vec![path(&["d", "a"], 1.0)]
    );
}

#[test]
fn k_shortest_loopless_paths() {
    // a -> b -> d costs 2, a -> c -> d costs 4, a -> d costs 5.
    let mut g = db(
        "CREATE (a {name: 'a'}), (b {name: 'b'}), (c {name: 'c'}), (d {name: 'd'}),
                    (a)-[:R {w: 1}]->(b), (b)-[:R {w: 1}]->(d), (a)-[:R {w: 2}]->(c), (c)-[:R {w: 2}]->(d),
                    (a)-[:R {w: 5}]->(d), (d)-[:R {w: 1}]->(a)",
    );
    let q = |k: &str| {
        format!(
            "MATCH (s {{name: 'a'}}), (t {{name: 'd'}})
             CALL algo.kShortestPaths({{source: s, target: t, weightProperty: 'w'{k}}}) YIELD path, cost
             RETURN [n IN nodes(path) | n.name], cost"
        )
    };
    assert_eq!(paths(&mut g, &q("")), vec![path(&["a", "b", "d"], 2.0)]);
    assert_eq!(
        paths(&mut g, &q(", k: 5")),
        vec![
            path(&["a", "b", "d"], 2.0),
            path(&["a", "c", "d"], 4.0),
            path(&["a", "d"], 5.0)
        ]
    );
    argument_error(&mut g, &q(", k: 0"), "k");
}

#[test]
fn minimum_spanning_forest() {
    // Triangle a-b (1), b-c (2), a-c (3), and d-e (7); f isolated.
    let mut g = db(
        "CREATE (a {name: 'a'}), (b {name: 'b'}), (c {name: 'c'}), (d {name: 'd'}), (e {name: 'e'}), ({name: 'f'}),
                    (a)-[:R {w: 1}]->(b), (c)-[:R {w: 2}]->(b), (a)-[:R {w: 3}]->(c), (d)-[:R {w: 7}]->(e)",
    );
    let r = rows(
        &mut g,
        "CALL algo.spanningForest({weightProperty: 'w'}) YIELD relationship
         RETURN count(*), sum(relationship.w), collect(relationship.w)",
    );
    assert_eq!(r[0][0], Value::Int(3));
    assert_eq!(r[0][1], Value::Int(10));
    assert_eq!(r[0][2], Value::list(vec![Value::Int(1), Value::Int(2), Value::Int(7)]));
    let r = rows(&mut g, "CALL algo.spanningForest() YIELD relationship RETURN count(*)");
    assert_eq!(r[0][0], Value::Int(3));
}

// ------------------------------------------------------------------ YIELD, WHERE, WITH

#[test]
fn yield_subsets_where_and_with() {
    let mut g = db(CYCLE);
    assert_eq!(
        rows(
            &mut g,
            "CALL algo.degree({orientation: 'UNDIRECTED'}) YIELD score WHERE score >= 2 RETURN count(*)"
        ),
        vec![vec![Value::Int(4)]]
    );
    assert_eq!(
        rows(
            &mut g,
            "CALL algo.wcc() YIELD node AS n, componentId AS c WITH c, count(n) AS size
             WHERE size > 1 RETURN c, size"
        ),
        vec![vec![Value::Int(0), Value::Int(5)]]
    );
    // Standalone, the columns are the outputs.
    let r = g.execute("CALL algo.triangleCount()", &Params::new()).unwrap();
    assert_eq!(r.columns, ["node", "triangles"]);
    assert_eq!(r.rows.len(), 6);
    // Inside a query after MATCH, once per incoming row.
    assert_eq!(
        rows(
            &mut g,
            "MATCH (s:P) WHERE s.name IN ['a', 'x'] CALL algo.bfs({source: s}) YIELD node
             RETURN s.name, count(node) ORDER BY s.name"
        ),
        vec![
            vec![Value::from("a"), Value::Int(5)],
            vec![Value::from("x"), Value::Int(1)]
        ]
    );
}

#[test]
fn a_write_statement_runs_on_its_own_changes() {
    let mut g = db(CYCLE);
    assert_eq!(
        rows(
            &mut g,
            "CREATE (:X {name: 'p'})-[:T]->(:X {name: 'q'})
             WITH 1 AS one CALL algo.wcc({nodeLabels: ['X']}) YIELD componentId RETURN count(DISTINCT componentId)"
        ),
        vec![vec![Value::Int(1)]]
    );
    // And the results can be written back.
    let r = g
        .execute(
            "CALL algo.pageRank() YIELD node, score SET node.rank = score",
            &Params::new(),
        )
        .unwrap();
    assert_eq!(r.stats.properties_set, 8);
}

// ------------------------------------------------------------------ configuration errors

#[test]
fn bad_configuration_is_an_argument_error_naming_the_key() {
    let mut g = db(&format!(
        "{WEIGHTED}; CREATE ({{name: 'z'}})-[:R {{w: 'heavy'}}]->({{name: 'y'}})"
    ));
    let m = argument_error(&mut g, "CALL algo.wcc({seed: 1})", "seed");
    assert!(
        m.contains("unknown") && m.contains("nodeLabels, relationshipTypes, orientation"),
        "{m}"
    );
    let m = argument_error(&mut g, "CALL algo.pageRank({dampingFactor: 'high'})", "dampingFactor");
    assert!(m.contains("a number") && m.contains("'high'"), "{m}");
    argument_error(&mut g, "CALL algo.pageRank({dampingFactor: 1.5})", "dampingFactor");
    argument_error(&mut g, "CALL algo.pageRank({maxIterations: 2.5})", "maxIterations");
    argument_error(&mut g, "CALL algo.pageRank({maxIterations: -1})", "maxIterations");
    argument_error(&mut g, "CALL algo.pageRank({maxIterations: 0})", "maxIterations");
    argument_error(&mut g, "CALL algo.wcc({nodeLabels: 'P'})", "nodeLabels");
    argument_error(&mut g, "CALL algo.wcc({relationshipTypes: [1]})", "relationshipTypes");
    let m = argument_error(&mut g, "CALL algo.scc({orientation: 'SIDEWAYS'})", "orientation");
    assert!(m.contains("'NATURAL', 'REVERSE' or 'UNDIRECTED'"), "{m}");
    argument_error(&mut g, "CALL algo.betweenness({normalized: 'yes'})", "normalized");
    argument_error(&mut g, "CALL algo.betweenness({samplingSize: 0})", "samplingSize");
    argument_error(&mut g, "CALL algo.betweenness({samplingSize: 1000})", "samplingSize");
    argument_error(&mut g, "CALL algo.betweenness({sourceNodes: [1, 2]})", "sourceNodes");
    argument_error(&mut g, "CALL algo.louvain({resolution: -1})", "resolution");
    argument_error(&mut g, "CALL algo.modularity()", "communityProperty");
    argument_error(
        &mut g,
        "CALL algo.modularity({communityProperty: 'nope'})",
        "communityProperty",
    );
    // A source that is not a node, none at all, or one outside the chosen labels.
    let m = argument_error(&mut g, "CALL algo.bfs({source: 1})", "source");
    assert!(m.contains("a node") && m.contains("1 (a Integer)"), "{m}");
    argument_error(&mut g, "CALL algo.bfs()", "source");
    argument_error(
        &mut g,
        "MATCH (s {name: 'a'}) CALL algo.bfs({source: s, nodeLabels: ['Nothing']}) YIELD node RETURN node",
        "source",
    );
    argument_error(
        &mut g,
        "MATCH (s {name: 'a'}) CALL algo.kShortestPaths({source: s}) YIELD path RETURN path",
        "target",
    );
    argument_error(
        &mut g,
        "MATCH (s {name: 'a'}) CALL algo.dijkstra({source: s, target: 'd'}) YIELD path RETURN path",
        "target",
    );
    // Weights: not a number, a name no relationship has, a negative weight for Dijkstra.
    let m = argument_error(&mut g, "CALL algo.degree({weightProperty: 'w'})", "w");
    assert!(m.contains("weightProperty") && m.contains("'heavy'"), "{m}");
    argument_error(&mut g, "CALL algo.degree({weightProperty: 'weight'})", "weightProperty");
    argument_error(&mut g, "CALL algo.degree({weightProperty: 3})", "weightProperty");
    rows(&mut g, "MATCH ()-[r {w: 'heavy'}]->() SET r.w = -2");
    let m = argument_error(
        &mut g,
        "MATCH (s {name: 'z'}) CALL algo.dijkstra({source: s, weightProperty: 'w'}) YIELD path RETURN path",
        "w",
    );
    assert!(
        m.contains("weightProperty") && m.contains("-2") && m.contains(">= 0"),
        "{m}"
    );
    // Degree sums negative weights as they are.
    let d = floats(
        &mut g,
        "CALL algo.degree({weightProperty: 'w'}) YIELD node, score RETURN node.name, score",
    );
    assert_eq!(d["z"], -2.0);
    // Too many arguments; a configuration that is not a map.
    let e = g.execute("CALL algo.wcc({}, {})", &Params::new()).unwrap_err();
    assert_eq!(e.code, "InvalidNumberOfArguments", "{e}");
    assert!(e.message.contains("takes 0 to 1 argument(s), 2 given"), "{e}");
    let e = g.execute("CALL algo.wcc(5)", &Params::new()).unwrap_err();
    assert_eq!(e.code, "InvalidArgumentType", "{e}");
    // A null value is the default.
    assert_eq!(
        rows(
            &mut g,
            "CALL algo.pageRank({dampingFactor: null}) YIELD node RETURN count(*)"
        ),
        vec![vec![Value::Int(6)]]
    );
}

// ------------------------------------------------------------------ interrupts

/// 4,000 nodes, 5 relationships out of each to scattered others: exact betweenness
/// (4,000 breadth-first searches over 20,000 relationships) takes seconds in a debug build.
fn big() -> Database {
    let mut g = db("UNWIND range(0, 3999) AS i CREATE (:N {i: i}); CREATE INDEX FOR (n:N) ON (n.i)");
    rows(
        &mut g,
        "UNWIND range(0, 19999) AS j
         MATCH (a:N {i: j % 4000}), (b:N {i: (j * 7919 + (j / 4000) * 104729 + 13) % 4000})
         CREATE (a)-[:R]->(b)",
    );
    g
}

#[test]
fn an_interrupt_stops_a_long_run_and_changes_nothing() {
    let mut g = big();
    let flag: Interrupt = Arc::new(AtomicBool::new(false));
    let setter = {
        let flag = flag.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            flag.store(true, Ordering::Relaxed);
        })
    };
    let t0 = Instant::now();
    let e = g
        .execute_with(
            "CALL algo.betweenness() YIELD node, score SET node.b = score",
            &Params::new(),
            flag,
        )
        .unwrap_err();
    setter.join().unwrap();
    assert_eq!(e.kind, ErrorKind::Interrupted, "{e}");
    // Well before the run could have ended.
    assert!(t0.elapsed() < Duration::from_secs(2), "{:?}", t0.elapsed());
    assert_eq!(
        rows(&mut g, "MATCH (n) WHERE n.b IS NOT NULL RETURN count(*)"),
        vec![vec![Value::Int(0)]]
    );
    // Set before the statement starts, it stops it too.
    let set: Interrupt = Arc::new(AtomicBool::new(true));
    let e = g
        .execute_with(
            "CALL algo.pageRank() YIELD node, score SET node.p = score",
            &Params::new(),
            set,
        )
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Interrupted, "{e}");
}

#[test]
fn every_algorithm_honours_the_interrupt_flag() {
    let mut g = db(CYCLE);
    let source = rows(&mut g, "MATCH (n {name: 'a'}) RETURN n")[0][0].clone();
    let target = rows(&mut g, "MATCH (n {name: 'd'}) RETURN n")[0][0].clone();
    rows(&mut g, "MATCH (n) SET n.c = 1");
    let interrupt = AtomicBool::new(true);
    let snapshot = g.snapshot().unwrap();
    let cx = ProcedureContext {
        graph: &snapshot,
        interrupt: &interrupt,
    };
    let procedures = g.procedures();
    let algos: Vec<&Procedure> = procedures.iter().filter(|p| p.name.starts_with("algo.")).collect();
    assert_eq!(algos.len(), 15);
    for p in algos {
        let mut config = BTreeMap::new();
        config.insert("source".into(), source.clone());
        config.insert("target".into(), target.clone());
        config.insert("communityProperty".into(), Value::from("c"));
        let keys = p
            .description
            .split("Config keys: ")
            .nth(1)
            .unwrap()
            .trim_end_matches('.');
        config.retain(|k: &Arc<str>, _| keys.split(", ").any(|key| key == &**k));
        let e = p.call(&cx, &[Value::map(config.clone())]).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Interrupted, "{}: {}", p.name, e.message);
        // And without the flag it runs.
        let calm = AtomicBool::new(false);
        let ok = ProcedureContext {
            graph: &snapshot,
            interrupt: &calm,
        };
        p.call(&ok, &[Value::map(config)])
            .unwrap_or_else(|e| panic!("{}: {}", p.name, e.message));
    }
}

// ------------------------------------------------------------------ metadata and defaults

#[test]
fn procedures_describe_themselves() {
    let g = Database::in_memory();
    let procedures = g.procedures();
    let wcc = procedures.get("algo.wcc").unwrap();
    assert_eq!(
        wcc.signature(),
        "algo.wcc(config = {} :: MAP) :: (node :: NODE, componentId :: INTEGER)"
    );
    assert!(wcc.is_builtin());
    assert_eq!(wcc.required_inputs(), 0);
    for p in g.procedures().iter().filter(|p| p.name.starts_with("algo.")) {
        assert!(p.description.len() > 40, "{}: {}", p.name, p.description);
        assert!(p.description.contains("nodeLabels"), "{}", p.name);
    }
    // The schema built-ins are as they were.
    assert_eq!(
        g.procedures().get("db.labels").unwrap().signature(),
        "db.labels() :: (label :: STRING)"
    );
    // Names are matched without regard to case.
    let mut g = db(CYCLE);
    assert_eq!(
        rows(&mut g, "CALL ALGO.WCC() YIELD componentId RETURN max(componentId)"),
        vec![vec![Value::Int(1)]]
    );
}

#[test]
fn registered_procedures_may_have_defaults_and_fixed_ones_keep_their_arity() {
    let mut g = Database::in_memory();
    let add = Procedure::new(
        "my.add",
        vec![("a".into(), ValueType::Integer), ("b".into(), ValueType::Integer)],
        vec![("sum".into(), ValueType::Integer)],
        |args| {
            Ok(vec![vec![Value::Int(
                args[0].as_int().unwrap() + args[1].as_int().unwrap(),
            )]])
        },
    );
    g.register_procedure(add.clone());
    let e = g.execute("CALL my.add(1)", &Params::new()).unwrap_err();
    assert!(e.message.contains("takes 2 argument(s), 1 given"), "{e}");
    g.register_procedure(add.with_defaults(vec![Value::Int(10)]));
    assert_eq!(
        rows(&mut g, "CALL my.add(1) YIELD sum RETURN sum"),
        vec![vec![Value::Int(11)]]
    );
    assert_eq!(
        rows(&mut g, "CALL my.add(1, 2) YIELD sum RETURN sum"),
        vec![vec![Value::Int(3)]]
    );
    let e = g.execute("CALL my.add()", &Params::new()).unwrap_err();
    assert!(e.message.contains("takes 1 to 2 argument(s), 0 given"), "{e}");
    assert_eq!(
        g.procedures().get("my.add").unwrap().signature(),
        "my.add(a :: INTEGER, b = 10 :: INTEGER) :: (sum :: INTEGER)"
    );
}

// ------------------------------------------------------------------ the petgraph view

#[test]
fn petgraphs_own_algorithms_run_on_the_view() {
    // Holes in the ids: nodes made and deleted first.
    let mut g = db("CREATE (:Gone), (:Gone); MATCH (n:Gone) DELETE n");
    rows(&mut g, CYCLE);
    rows(
        &mut g,
        "MATCH (a {name: 'a'}), (d {name: 'd'}) CREATE (a)-[:R {w: 10}]->(d)",
    );
    let name_of = |g: &mut Database| -> BTreeMap<u64, String> {
        rows(g, "MATCH (n) RETURN id(n), n.name")
            .into_iter()
            .map(|r| (r[0].as_int().unwrap() as u64, r[1].as_str().unwrap().to_string()))
            .collect()
    };
    let names = name_of(&mut g);
    let rel_ids: Vec<u64> = rows(&mut g, "MATCH ()-[r]->() RETURN id(r) ORDER BY id(r)")
        .iter()
        .map(|r| r[0].as_int().unwrap() as u64)
        .collect();
    let named = |ids: &mut dyn Iterator<Item = quiver::NodeId>| -> Vec<String> {
        let mut v: Vec<String> = ids.map(|n| names[&n.0].clone()).collect();
        v.sort();
        v
    };
    let snapshot = g.snapshot().unwrap();
    let graph: &dyn quiver::store::GraphRead = &snapshot;
    let all = GraphView::new(graph);
    assert_eq!(all.node_count(), 6);
    assert_eq!(petgraph::visit::EdgeCount::edge_count(&all), 6);
    let mut sccs: Vec<Vec<String>> = petgraph::algo::kosaraju_scc(&all)
        .into_iter()
        .map(|c| named(&mut c.into_iter()))
        .collect();
    sccs.sort();
    assert_eq!(sccs, names_of(&[&["a", "b", "c"], &["d"], &["e"], &["x"]]));
    // Dijkstra with the weight read from the store (missing: 1).
    let key = graph.catalog().keys.get("w").unwrap();
    let a = all.node_identifiers().find(|n| names[&n.0] == "a").unwrap();
    let d = all.node_identifiers().find(|n| names[&n.0] == "d").unwrap();
    let dist = petgraph::algo::dijkstra(&all, a, Some(d), |e| {
        graph
            .relationship_property(e.id(), key)
            .and_then(|v| v.as_int())
            .unwrap_or(1)
    });
    assert_eq!(dist[&d], 3); // a -> b -> c -> d, not the direct 10
                             // Reversed: d reaches a, b, c backwards.
    let back = petgraph::algo::dijkstra(Reversed(&all), d, None, |_| 1);
    assert_eq!(named(&mut back.keys().copied()), ["a", "b", "c", "d"]);
    // Narrowed to :P and :R: e is gone, and the rest is no DAG but d -> nothing.
    let p = GraphView::new(graph).with_labels(&["P"]).with_types(&["R"]);
    assert_eq!(p.node_count(), 5);
    assert_eq!(petgraph::visit::EdgeCount::edge_count(&p), 5);
    assert!(p.edge_references().all(|e| names[&e.target().0] != "e"));
    assert!(petgraph::algo::toposort(&p, None).is_err());
    assert!(petgraph::algo::has_path_connecting(&p, a, d, None));
    let only_s = GraphView::new(graph).with_types(&["S"]);
    assert_eq!(petgraph::visit::EdgeCount::edge_count(&only_s), 1);
    assert!(petgraph::algo::toposort(&only_s, None).is_ok());
    let none = GraphView::new(graph).with_types(&["NoSuchType"]);
    assert_eq!(none.edge_references().count(), 0);
    assert_eq!(petgraph::algo::kosaraju_scc(&none).len(), 6);
    // Edges carry the relationship ids, by start node and then id.
    let ids: Vec<(u64, u64)> = all.edge_references().map(|e| (e.source().0, e.id().0)).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    let mut all_ids: Vec<u64> = ids.iter().map(|p| p.1).collect();
    all_ids.sort();
    assert_eq!(all_ids, rel_ids);
}

fn names_of(list: &[&[&str]]) -> Vec<Vec<String>> {
    names(list)
}
