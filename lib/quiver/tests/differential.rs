//! The planner's choices (where a pattern starts, which way it expands) must
//! never change an answer: random graphs and random pattern queries give the
//! same multiset of rows planned normally and planned naively.

use proptest::prelude::*;
use quiver::{Database, Params};

#[derive(Clone, Debug)]
struct Graph {
    nodes: Vec<(bool, bool, i64)>,
    rels: Vec<(usize, usize, bool)>,
}

fn graph() -> impl Strategy<Value = Graph> {
    graph_of(7, 12)
}

fn graph_of(max_nodes: usize, max_rels: usize) -> impl Strategy<Value = Graph> {
    (1usize..max_nodes).prop_flat_map(move |n| {
        (
            prop::collection::vec((any::<bool>(), any::<bool>(), 0i64..3), n),
            prop::collection::vec((0..n, 0..n, any::<bool>()), 0..max_rels),
        )
            .prop_map(|(nodes, rels)| Graph { nodes, rels })
    })
}

fn create(g: &Graph) -> String {
    let mut parts: Vec<String> = g
        .nodes
        .iter()
        .enumerate()
        .map(|(i, (a, b, x))| {
            let labels = format!("{}{}", if *a { ":A" } else { "" }, if *b { ":B" } else { "" });
            format!("(n{i}{labels} {{x: {x}, i: {i}}})")
        })
        .collect();
    for (s, e, r) in &g.rels {
        parts.push(format!("(n{s})-[:{}]->(n{e})", if *r { "R" } else { "S" }));
    }
    format!("CREATE {}", parts.join(", "))
}

#[derive(Clone, Debug)]
struct Hop {
    dir: u8,
    types: u8,
    var: Option<(u8, u8)>,
}

fn hop() -> impl Strategy<Value = Hop> {
    (0u8..3, 0u8..3, prop::option::of((0u8..2, 1u8..3))).prop_map(|(dir, types, var)| Hop { dir, types, var })
}

fn node_pattern(i: usize, label: u8, prop: Option<i64>) -> String {
    let l = match label {
        1 => ":A",
        2 => ":B",
        _ => "",
    };
    let p = prop.map_or(String::new(), |x| format!(" {{x: {x}}}"));
    format!("(v{i}{l}{p})")
}

fn rel_pattern(i: usize, h: &Hop) -> String {
    let t = match h.types {
        1 => ":R",
        2 => ":R|S",
        _ => "",
    };
    let len = h.var.map_or(String::new(), |(lo, hi)| format!("*{lo}..{}", lo + hi));
    let body = format!("[r{i}{t}{len}]");
    match h.dir {
        0 => format!("-{body}->"),
        1 => format!("<-{body}-"),
        _ => format!("-{body}-"),
    }
}

fn query() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(hop(), 1..4),
        prop::collection::vec((0u8..3, prop::option::of(0i64..3)), 4),
        0u8..3,
        prop::option::of((0usize..4, 0u8..6, 0i64..3)),
    )
        .prop_map(|(hops, nodes, shape, filter)| {
            let mut pattern = node_pattern(0, nodes[0].0, nodes[0].1);
            for (i, h) in hops.iter().enumerate() {
                pattern.push_str(&rel_pattern(i, h));
                pattern.push_str(&node_pattern(i + 1, nodes[i + 1].0, nodes[i + 1].1));
            }
            let last = hops.len();
            // A property predicate an index may answer.
            if let Some((v, op, k)) = filter {
                let op = ["=", "<", "<=", ">", ">=", "IN"][op as usize];
                let rhs = if op == "IN" {
                    format!("[{k}, {}]", k + 1)
                } else {
                    k.to_string()
                };
                pattern.push_str(&format!(" WHERE v{}.x {op} {rhs}", v.min(last)));
            }
            match shape {
                // Plain projection of every node's id.
                0 => format!(
                    "MATCH {pattern} RETURN {}",
                    (0..=last).map(|i| format!("v{i}.i")).collect::<Vec<_>>().join(", ")
                ),
                // A second MATCH on a bound variable.
                1 => format!("MATCH (v{last}) WITH v{last} MATCH {pattern} RETURN v0.i, v{last}.i"),
                // Aggregation and OPTIONAL MATCH.
                _ => format!("MATCH (v0) OPTIONAL MATCH {pattern} RETURN v0.i, count(v{last}) AS c"),
            }
        })
}

fn sorted_rows(db: &mut Database, q: &str) -> Result<Vec<String>, String> {
    match db.execute(q, &Params::new()) {
        Ok(r) => {
            let mut rows: Vec<String> = r
                .rows
                .iter()
                .map(|row| row.iter().map(|v| r.render(v)).collect::<Vec<_>>().join("|"))
                .collect();
            rows.sort();
            Ok(rows)
        }
        Err(e) => Err(format!("{} {}", e.kind, e.code)),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn naive_and_planned_matching_agree(g in graph(), q in query(), indexed in any::<bool>()) {
        let mut db = Database::in_memory();
        db.execute(&create(&g), &Params::new()).expect("the graph is created");
        if indexed {
            db.execute("CREATE INDEX FOR (n:A) ON (n.x)", &Params::new()).expect("the index is created");
            db.execute("CREATE INDEX FOR (n:B) ON (n.x)", &Params::new()).expect("the index is created");
        }
        let planned = sorted_rows(&mut db, &q);
        db.set_naive_planning(true);
        let naive = sorted_rows(&mut db, &q);
        prop_assert_eq!(planned, naive, "query: {}", q);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// shortestPath between two bound nodes (searched from both ends) is as
    /// long as the shortest of all the paths a variable-length match finds.
    #[test]
    fn shortest_path_is_the_shortest(g in graph_of(12, 18), x in 0usize..12, y in 0usize..12, dir in 0u8..3, typed in any::<bool>()) {
        let n = g.nodes.len();
        let (x, y) = (x % n, y % n);
        prop_assume!(x != y);
        let mut db = Database::in_memory();
        db.execute(&create(&g), &Params::new()).expect("the graph is created");
        let t = if typed { ":R" } else { "" };
        let (l, r) = match dir { 0 => ("-", "->"), 1 => ("<-", "-"), _ => ("-", "-") };
        let shortest = format!(
            "MATCH (a {{i: {x}}}), (b {{i: {y}}}) OPTIONAL MATCH p = shortestPath((a){l}[{t}*..5]{r}(b)) RETURN length(p)"
        );
        let all = format!(
            "MATCH (a {{i: {x}}}), (b {{i: {y}}}) OPTIONAL MATCH p = (a){l}[{t}*..5]{r}(b) RETURN min(length(p))"
        );
        prop_assert_eq!(sorted_rows(&mut db, &shortest), sorted_rows(&mut db, &all), "{}", shortest);
    }
}

/// A property value of any of the kinds a predicate must cope with.
fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        (0i64..3).prop_map(|i| i.to_string()),
        Just("1.5".to_string()),
        Just("'a'".to_string()),
        Just("true".to_string()),
        Just("null".to_string()),
    ]
}

fn predicate() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        (0u8..6, scalar()).prop_map(|(op, v)| format!("n.x {} {v}", ["=", "<>", "<", "<=", ">", ">="][op as usize])),
        Just("n.y".to_string()),
        Just("n.x IS NULL".to_string()),
        Just("n.y IS NOT NULL".to_string()),
        (0i64..3).prop_map(|k| format!("{k} < n.i")),
    ];
    leaf.prop_recursive(2, 6, 2, |inner| {
        prop_oneof![
            (inner.clone(), 0u8..3, inner.clone())
                .prop_map(|(a, op, b)| format!("({a} {} {b})", ["AND", "OR", "XOR"][op as usize])),
            inner.prop_map(|a| format!("NOT ({a})")),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Aggregating straight over a label scan gives what binding rows and
    /// aggregating them gives, errors included.
    #[test]
    fn scan_aggregation_agrees_with_row_by_row(
        nodes in prop::collection::vec((0u8..4, prop::option::of(scalar()), prop::option::of(scalar())), 0..12),
        label in 0u8..3,
        pattern_prop in prop::option::of(scalar()),
        filter in prop::option::of(predicate()),
        grouped in any::<bool>(),
        aggregates in prop::collection::vec(0usize..9, 1..4),
    ) {
        let mut db = Database::in_memory();
        for (i, (labels, x, y)) in nodes.iter().enumerate() {
            let l = ["", ":A", ":B", ":A:B"][*labels as usize];
            let mut props = vec![format!("i: {i}")];
            props.extend(x.as_ref().map(|x| format!("x: {x}")));
            props.extend(y.as_ref().map(|y| format!("y: {y}")));
            db.execute(&format!("CREATE (n{l} {{{}}})", props.join(", ")), &Params::new()).expect("created");
        }
        let labels = [":A", ":B", ":A:B"][label as usize];
        let props = pattern_prop.map_or(String::new(), |v| format!(" {{x: {v}}}"));
        let filter = filter.map_or(String::new(), |f| format!(" WHERE {f}"));
        let all = [
            "count(*)", "count(n.x)", "sum(n.i)", "avg(n.i)", "min(n.x)", "max(n.x)",
            "collect(DISTINCT n.x)", "count(n)", "count(DISTINCT n.y)",
        ];
        let mut items: Vec<String> = aggregates.iter().enumerate().map(|(j, a)| format!("{} AS a{j}", all[*a])).collect();
        if grouped {
            items.insert(0, "n.x AS g".to_string());
        }
        let q = format!("MATCH (n{labels}{props}){filter} RETURN {}", items.join(", "));
        let planned = sorted_rows(&mut db, &q);
        let explained = db.execute(&format!("EXPLAIN {q}"), &Params::new()).expect("explained");
        db.set_naive_planning(true);
        let naive = sorted_rows(&mut db, &q);
        prop_assert_eq!(planned, naive, "query: {}", q);
        // The shape is the one the scan handles: make sure it was used.
        prop_assert!(explained.plan.unwrap_or_default().contains("NodeScanAggregation"), "not a scan aggregation: {}", q);
    }
}
