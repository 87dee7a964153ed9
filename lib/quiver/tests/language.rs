//! End-to-end tests of the language through the embedding API: one test per
//! clause or feature, each asserting rows, columns and change counts.

use quiver::{Database, ErrorKind, Params, Phase, Value};

mod common;

use common::{rows, run};

fn err(db: &mut Database, q: &str) -> quiver::Error {
    match db.execute(q, &Params::new()) {
        Ok(r) => panic!("expected an error from {q}, got {:?}", r.rows),
        Err(e) => e,
    }
}

fn social() -> Database {
    let mut db = Database::in_memory();
    run(
        &mut db,
        "CREATE (a:Person {name: 'Ada', age: 36}), (b:Person {name: 'Alan', age: 41}),
                (c:Person {name: 'Grace', age: 85}), (d:Company {name: 'Navy'}),
                (a)-[:KNOWS {since: 1840}]->(b), (b)-[:KNOWS {since: 1936}]->(c),
                (c)-[:WORKS_AT]->(d), (a)-[:LIKES]->(a)",
    );
    db
}

#[test]
fn create_reports_what_changed() {
    let mut db = Database::in_memory();
    let r = run(&mut db, "CREATE (:A:B {x: 1, y: 'two'})-[:T {w: 0.5}]->(:C)");
    assert_eq!(r.stats.nodes_created, 2);
    assert_eq!(r.stats.relationships_created, 1);
    assert_eq!(r.stats.labels_added, 3);
    assert_eq!(r.stats.properties_set, 3);
    assert_eq!(
        r.stats.to_string(),
        "2 nodes created, 1 relationship created, 3 labels added, 3 properties set"
    );
}

#[test]
fn match_follows_directions_and_types() {
    let mut db = social();
    assert_eq!(
        rows(&mut db, "MATCH (a {name: 'Ada'})-[:KNOWS]->(b) RETURN b.name"),
        vec!["'Alan'"]
    );
    assert_eq!(
        rows(&mut db, "MATCH (a {name: 'Alan'})<-[:KNOWS]-(b) RETURN b.name"),
        vec!["'Ada'"]
    );
    let mut both = rows(&mut db, "MATCH ({name: 'Alan'})-[:KNOWS]-(b) RETURN b.name");
    both.sort();
    assert_eq!(both, vec!["'Ada'", "'Grace'"]);
    assert_eq!(
        rows(&mut db, "MATCH (a)-[:KNOWS|WORKS_AT]->(b:Company) RETURN a.name"),
        vec!["'Grace'"]
    );
}

#[test]
fn self_loops_match_once_undirected() {
    let mut db = social();
    assert_eq!(
        rows(&mut db, "MATCH (a)-[:LIKES]-(b) RETURN a.name, b.name"),
        vec!["'Ada' | 'Ada'"]
    );
}

#[test]
fn variable_length_paths() {
    let mut db = social();
    assert_eq!(
        rows(
            &mut db,
            "MATCH ({name: 'Ada'})-[:KNOWS*]->(x) RETURN x.name ORDER BY x.name"
        ),
        vec!["'Alan'", "'Grace'"]
    );
    assert_eq!(
        rows(&mut db, "MATCH ({name: 'Ada'})-[:KNOWS*2]->(x) RETURN x.name"),
        vec!["'Grace'"]
    );
    assert_eq!(
        rows(&mut db, "MATCH ({name: 'Ada'})-[:KNOWS*0..1]->(x) RETURN count(x)"),
        vec!["2"]
    );
    assert_eq!(
        rows(
            &mut db,
            "MATCH p = ({name: 'Ada'})-[:KNOWS*..5]->({name: 'Grace'}) RETURN length(p)"
        ),
        vec!["2"]
    );
}

/// An anonymous variable-length relationship binds no list of relationships
/// (nothing reads it), and matches exactly what a named one does: the same
/// routes, each relationship once per route, none shared with another
/// relationship of the match.
#[test]
fn anonymous_variable_length_matches_what_a_named_one_does() {
    let mut db = Database::in_memory();
    run(&mut db, "UNWIND range(0, 5) AS i CREATE (:N {i: i})");
    run(
        &mut db,
        "MATCH (a:N), (b:N) WHERE b.i = (a.i + 1) % 6 OR b.i = (a.i + 2) % 6 CREATE (a)-[:R]->(b)",
    );
    for (anonymous, named) in [
        (
            "MATCH (a:N {i: 0})-[:R*1..3]-(b) RETURN count(*)",
            "MATCH (a:N {i: 0})-[rs:R*1..3]-(b) RETURN count(*)",
        ),
        (
            "MATCH (a:N {i: 0})-[:R*0..2]->(b) RETURN b.i, count(*) ORDER BY b.i",
            "MATCH (a:N {i: 0})-[rs:R*0..2]->(b) RETURN b.i, count(*) ORDER BY b.i",
        ),
        (
            "MATCH (a:N {i: 0})-[:R*1..2]-(b)-[r]-(c) RETURN count(*)",
            "MATCH (a:N {i: 0})-[rs:R*1..2]-(b)-[r]-(c) RETURN count(*)",
        ),
        (
            "MATCH (a:N {i: 0})-[:R*2]-(b), (b)-[:R*1]-(c) RETURN count(*)",
            "MATCH (a:N {i: 0})-[rs:R*2]-(b), (b)-[ts:R*1]-(c) RETURN count(*)",
        ),
    ] {
        assert_eq!(rows(&mut db, anonymous), rows(&mut db, named), "{anonymous}");
    }
    // The routes of 1 to 3 hops from node 0, counted by hand in the graph of
    // 12 relationships (each node has degree 4): 4, then 4*3, then 4*3*3 minus
    // the routes that would reuse a relationship (none can, below 4 hops of a
    // simple graph without parallel relationships).
    assert_eq!(
        rows(&mut db, "MATCH (a:N {i: 0})-[:R*1..3]-(b) RETURN count(*)"),
        vec!["52"]
    );
}

/// A pattern's property equality that an index looks up is not checked again
/// for the nodes the index gives when the index compares as the language does
/// (integers, strings, booleans); for any other value it is. Either way the
/// answers are those of the same graph without the index: in the layer of
/// recent changes and, after reopening, in the base file.
#[test]
fn an_index_seek_answers_as_a_scan_does_for_every_kind_of_value() {
    let data = "CREATE (:P {k: 1, w: 1}), (:P {k: 1.0, w: 2}), (:P {k: 2, w: 3}), (:P {k: 'a', w: 4}),
                (:P {k: true, w: 5}), (:P {k: 0.0 / 0.0, w: 6}), (:P {k: [1, 3], w: 7}),
                (:P {k: [1, 2], w: 8}), (:P {w: 9}), (:Q {k: 1, w: 10})";
    let queries = [
        "MATCH (n:P {k: 1}) RETURN n.w ORDER BY n.w",
        "MATCH (n:P {k: 1.0}) RETURN n.w ORDER BY n.w",
        "MATCH (n:P {k: 'a'}) RETURN n.w ORDER BY n.w",
        "MATCH (n:P {k: true}) RETURN n.w ORDER BY n.w",
        "MATCH (n:P {k: 0.0 / 0.0}) RETURN n.w ORDER BY n.w",
        "MATCH (n:P {k: [1, null]}) RETURN n.w ORDER BY n.w",
        "MATCH (n:P {k: [1, 2]}) RETURN n.w ORDER BY n.w",
        "MATCH (n:P {k: null}) RETURN n.w ORDER BY n.w",
        "MATCH (n:P {k: 1, w: 2}) RETURN n.w ORDER BY n.w",
        "MATCH (n:P {k: 1}) WHERE n.k = 2 RETURN n.w ORDER BY n.w",
        "UNWIND [1, 2, 'a', 3] AS x MATCH (n:P {k: x}) RETURN x, n.w ORDER BY n.w",
        "MATCH (n:P {k: 1, k: 2}) RETURN n.w ORDER BY n.w",
    ];
    let mut plain = Database::in_memory();
    run(&mut plain, data);
    let want: Vec<Vec<String>> = queries.iter().map(|q| rows(&mut plain, q)).collect();
    assert_eq!(want[0], vec!["1", "2"]);
    assert_eq!(want[4], Vec::<String>::new());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seek.qv");
    {
        let mut db = Database::open(&path).unwrap();
        run(&mut db, "CREATE INDEX FOR (n:P) ON (n.k)");
        run(&mut db, data);
        for (q, w) in queries.iter().zip(&want) {
            assert_eq!(&rows(&mut db, q), w, "{q} (layer)");
        }
    }
    let mut db = Database::open(&path).unwrap();
    for (q, w) in queries.iter().zip(&want) {
        assert_eq!(&rows(&mut db, q), w, "{q} (base)");
    }
}

#[test]
fn named_paths_render_with_entities() {
    let mut db = social();
    assert_eq!(
        rows(&mut db, "MATCH p = (:Person {name: 'Grace'})-[:WORKS_AT]->() RETURN p"),
        vec!["<(:Person {age: 85, name: 'Grace'})-[:WORKS_AT]->(:Company {name: 'Navy'})>"]
    );
}

#[test]
fn optional_match_fills_nulls() {
    let mut db = social();
    assert_eq!(
        rows(
            &mut db,
            "MATCH (c:Company) OPTIONAL MATCH (c)-[:KNOWS]->(x) RETURN c.name, x"
        ),
        vec!["'Navy' | null"]
    );
}

#[test]
fn where_with_pattern_predicates() {
    let mut db = social();
    assert_eq!(
        rows(&mut db, "MATCH (p:Person) WHERE (p)-[:WORKS_AT]->() RETURN p.name"),
        vec!["'Grace'"]
    );
    assert_eq!(
        rows(&mut db, "MATCH (p:Person) WHERE NOT (p)-[:KNOWS]->() RETURN p.name"),
        vec!["'Grace'"]
    );
}

#[test]
fn aggregation_and_ordering() {
    let mut db = social();
    assert_eq!(
        rows(
            &mut db,
            "MATCH (p:Person) RETURN count(*) AS n, avg(p.age) AS a, collect(p.name) AS names"
        ),
        vec!["3 | 54.0 | ['Ada', 'Alan', 'Grace']"]
    );
    assert_eq!(
        rows(
            &mut db,
            "MATCH (p) RETURN labels(p)[0] AS l, count(*) AS c ORDER BY c DESC, l"
        ),
        vec!["'Person' | 3", "'Company' | 1"]
    );
    assert_eq!(
        rows(&mut db, "MATCH (p:Person) RETURN p.name ORDER BY p.age DESC LIMIT 1"),
        vec!["'Grace'"]
    );
    assert_eq!(
        rows(&mut db, "MATCH (p:Person) RETURN p.name ORDER BY p.name SKIP 1 LIMIT 1"),
        vec!["'Alan'"]
    );
}

#[test]
fn with_chains_and_filters() {
    let mut db = social();
    assert_eq!(
        rows(
            &mut db,
            "MATCH (p:Person)-[:KNOWS]->(q) WITH p, count(q) AS k WHERE k > 0 RETURN p.name ORDER BY p.name"
        ),
        vec!["'Ada'", "'Alan'"]
    );
    assert_eq!(
        rows(&mut db, "UNWIND [3, 1, 2, 1] AS x WITH DISTINCT x RETURN x ORDER BY x"),
        vec!["1", "2", "3"]
    );
}

#[test]
fn union_and_union_all() {
    let mut db = Database::in_memory();
    assert_eq!(rows(&mut db, "RETURN 1 AS x UNION RETURN 1 AS x"), vec!["1"]);
    assert_eq!(rows(&mut db, "RETURN 1 AS x UNION ALL RETURN 1 AS x"), vec!["1", "1"]);
}

#[test]
fn merge_matches_or_creates() {
    let mut db = Database::in_memory();
    let r = run(
        &mut db,
        "MERGE (n:City {name: 'Gaza'}) ON CREATE SET n.created = true RETURN n.created",
    );
    assert_eq!(r.stats.nodes_created, 1);
    let r = run(
        &mut db,
        "MERGE (n:City {name: 'Gaza'}) ON MATCH SET n.seen = 1 RETURN n.created, n.seen",
    );
    assert_eq!(r.stats.nodes_created, 0);
    assert_eq!(r.rows, vec![vec![Value::Bool(true), Value::Int(1)]]);
    let r = run(&mut db, "UNWIND [1, 1, 2] AS i MERGE (:N {i: i})");
    assert_eq!(r.stats.nodes_created, 2, "MERGE sees its own writes");
}

#[test]
fn set_and_remove() {
    let mut db = social();
    run(
        &mut db,
        "MATCH (p {name: 'Ada'}) SET p.age = 37, p:Countess, p += {title: 'Lady'}",
    );
    assert_eq!(
        rows(&mut db, "MATCH (p:Countess) RETURN p.age, p.title"),
        vec!["37 | 'Lady'"]
    );
    run(&mut db, "MATCH (p:Countess) REMOVE p:Countess, p.title");
    assert_eq!(rows(&mut db, "MATCH (p:Countess) RETURN p"), Vec::<String>::new());
    run(&mut db, "MATCH (p {name: 'Ada'}) SET p = {name: 'Ada'}");
    assert_eq!(
        rows(&mut db, "MATCH (p {name: 'Ada'}) RETURN keys(p)"),
        vec!["['name']"]
    );
}

#[test]
fn delete_needs_detach_for_connected_nodes() {
    let mut db = social();
    let e = err(&mut db, "MATCH (p {name: 'Ada'}) DELETE p");
    assert_eq!(
        (e.kind, e.code),
        (ErrorKind::ConstraintVerificationFailed, "DeleteConnectedNode")
    );
    assert_eq!(db.counts(), (4, 4), "the failed statement changed nothing");
    let r = run(&mut db, "MATCH (p {name: 'Ada'}) DETACH DELETE p");
    assert_eq!((r.stats.nodes_deleted, r.stats.relationships_deleted), (1, 2));
    assert_eq!(db.counts(), (3, 2));
}

#[test]
fn ids_are_not_reused() {
    let mut db = Database::in_memory();
    run(&mut db, "CREATE (:A), (:B)");
    run(&mut db, "MATCH (a:A) DELETE a");
    run(&mut db, "CREATE (:C)");
    assert_eq!(rows(&mut db, "MATCH (n) RETURN id(n) ORDER BY id(n)"), vec!["1", "2"]);
}

#[test]
fn statements_are_atomic() {
    let mut db = Database::in_memory();
    let e = err(&mut db, "UNWIND [1, 2, 0] AS x CREATE (:N {v: 10 / x})");
    assert_eq!(e.phase, Phase::Runtime);
    assert_eq!(db.counts(), (0, 0));
    run(&mut db, "CREATE (:N)");
    assert_eq!(
        rows(&mut db, "MATCH (n) RETURN id(n)"),
        vec!["0"],
        "ids of the failed statement are not burnt"
    );
}

#[test]
fn shortest_paths() {
    let mut db = Database::in_memory();
    run(
        &mut db,
        "CREATE (a:N {n: 'a'})-[:R]->(b:N {n: 'b'})-[:R]->(d:N {n: 'd'}), (a)-[:R]->(c:N {n: 'c'})-[:R]->(d), (a)-[:R]->(e:N {n: 'e'})-[:R]->(f:N {n: 'f'})-[:R]->(d)",
    );
    assert_eq!(
        rows(
            &mut db,
            "MATCH p = shortestPath((:N {n: 'a'})-[*]->(:N {n: 'd'})) RETURN length(p)"
        ),
        vec!["2"]
    );
    assert_eq!(
        rows(&mut db, "MATCH p = allShortestPaths((:N {n: 'a'})-[*]->(:N {n: 'd'})) RETURN length(p), [x IN nodes(p) | x.n][1] AS via ORDER BY via"),
        vec!["2 | 'b'", "2 | 'c'"]
    );
}

#[test]
fn expressions() {
    let mut db = Database::in_memory();
    let cases = [
        ("1 + 2 * 3", "7"),
        ("2 ^ 10", "1024.0"),
        ("0x1F + 0o17", "46"),
        ("7 % 3", "1"),
        ("'ab' + 'cd'", "'abcd'"),
        ("[1, 2] + 3", "[1, 2, 3]"),
        ("null = null", "null"),
        ("null OR true", "true"),
        ("1 < 2 < 3", "true"),
        ("'hello' STARTS WITH 'he'", "true"),
        ("'abc' =~ 'a.c'", "true"),
        ("3 IN [1, 2, 3]", "true"),
        ("[1, 2, 3, 4][1..3]", "[2, 3]"),
        ("[1, 2, 3][-1]", "3"),
        ("[x IN range(1, 5) WHERE x % 2 = 1 | x * 10]", "[10, 30, 50]"),
        ("all(x IN [1, 2] WHERE x > 0)", "true"),
        ("single(x IN [1, 2] WHERE x > 1)", "true"),
        ("reduce(s = 0, x IN [1, 2, 3] | s + x)", "6"),
        ("CASE 2 WHEN 1 THEN 'one' WHEN 2 THEN 'two' ELSE 'many' END", "'two'"),
        ("CASE WHEN 1 > 2 THEN 'yes' ELSE 'no' END", "'no'"),
        ("{a: 1, b: [true]}", "{a: 1, b: [true]}"),
        ("coalesce(null, 'x')", "'x'"),
        ("toUpper('quiver')", "'QUIVER'"),
        ("size('héllo')", "5"),
        ("1.5e3", "1500.0"),
        ("'it\\'s'", "'it\\'s'"),
    ];
    for (expr, want) in cases {
        assert_eq!(
            rows(&mut db, &format!("RETURN {expr} AS v")),
            vec![want.to_string()],
            "{expr}"
        );
    }
}

#[test]
fn map_projection_and_pattern_comprehension() {
    let mut db = social();
    assert_eq!(
        rows(
            &mut db,
            "MATCH (p {name: 'Ada'}) RETURN p {.name, friends: [(p)-[:KNOWS]->(f) | f.name]}"
        ),
        vec!["{friends: ['Alan'], name: 'Ada'}"]
    );
}

#[test]
fn parameters() {
    let mut db = social();
    let mut params = Params::new();
    params.insert("min".into(), Value::Int(40));
    let r = db
        .execute(
            "MATCH (p:Person) WHERE p.age > $min RETURN p.name ORDER BY p.name",
            &params,
        )
        .unwrap();
    assert_eq!(r.rows, vec![vec![Value::from("Alan")], vec![Value::from("Grace")]]);
    let e = err(&mut db, "RETURN $missing");
    assert_eq!(e.code, "MissingParameter");
}

#[test]
fn integer_overflow_is_an_error() {
    let mut db = Database::in_memory();
    let e = err(&mut db, "RETURN 9223372036854775807 + 1");
    assert_eq!(e.phase, Phase::Runtime);
}

#[test]
fn compile_errors_have_positions_and_hints() {
    let mut db = Database::in_memory();
    let e = err(&mut db, "MATCH (n)\nRETURN m");
    assert_eq!(
        (e.kind, e.code, e.phase),
        (ErrorKind::SyntaxError, "UndefinedVariable", Phase::Compile)
    );
    let p = e.position.expect("a position");
    assert_eq!((p.line, p.column), (2, 8));
    assert!(e.hint.as_deref().unwrap_or("").contains('n'), "{e}");
    let e = err(&mut db, "MATCH (a) CREATE (a:Label)");
    assert_eq!(e.code, "VariableAlreadyBound");
    let e = err(&mut db, "CREATE ()-[:A|B]->()");
    assert_eq!(e.code, "NoSingleRelationshipType");
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let mut db = Database::in_memory();
    let q = format!("RETURN {}1{}", "(".repeat(5000), ")".repeat(5000));
    let e = err(&mut db, &q);
    assert_eq!(e.kind, ErrorKind::SyntaxError);
    let q = format!("RETURN {}", "[".repeat(100_000));
    assert_eq!(err(&mut db, &q).kind, ErrorKind::SyntaxError);
}

#[test]
fn explain_prints_the_plan_without_running() {
    let mut db = Database::in_memory();
    let r = run(
        &mut db,
        "EXPLAIN MATCH (n:Person)-[:KNOWS]->(m) CREATE (m)-[:SEEN]->(n)",
    );
    let plan = r.plan.expect("a plan");
    assert!(plan.contains("NodeByLabelScan"), "{plan}");
    assert!(plan.contains("Expand"), "{plan}");
    assert!(plan.contains("Create"), "{plan}");
    assert_eq!(r.stats.relationships_created, 0);
}

#[test]
fn temporal_values() {
    let mut db = Database::in_memory();
    run(&mut db, "CREATE (:E {d: date('2025-11-04')})");
    assert_eq!(
        rows(&mut db, "MATCH (e:E) RETURN e.d, e.d.year"),
        vec!["2025-11-04 | 2025"]
    );
    assert_eq!(
        rows(&mut db, "RETURN date('2025-11-04') + duration('P1M')"),
        vec!["2025-12-04"]
    );
}

#[test]
fn call_builtin_procedures() {
    let mut db = social();
    assert_eq!(rows(&mut db, "CALL db.labels()"), vec!["'Company'", "'Person'"]);
    assert_eq!(
        rows(
            &mut db,
            "CALL db.relationshipTypes() YIELD relationshipType AS t WHERE t STARTS WITH 'K' RETURN t"
        ),
        vec!["'KNOWS'"]
    );
}

#[test]
fn indexes_answer_equality_in_and_ranges() {
    let mut db = Database::in_memory();
    run(
        &mut db,
        "UNWIND range(1, 100) AS i CREATE (:P {id: i, even: i % 2 = 0})",
    );
    run(&mut db, "CREATE INDEX person_id FOR (p:P) ON (p.id)");
    assert_eq!(rows(&mut db, "SHOW INDEXES"), vec!["'person_id' | 'P' | 'id' | 100"]);
    let plan = run(&mut db, "EXPLAIN MATCH (p:P {id: 7}) RETURN p")
        .plan
        .unwrap_or_default();
    assert!(plan.contains("NodeIndexSeek (p:P {..}) ON :P(id) ="), "{plan}");
    assert_eq!(rows(&mut db, "MATCH (p:P {id: 7}) RETURN p.id"), vec!["7"]);
    assert_eq!(
        rows(
            &mut db,
            "MATCH (p:P) WHERE p.id IN [3, 5, 500] RETURN p.id ORDER BY p.id"
        ),
        vec!["3", "5"]
    );
    assert_eq!(
        rows(
            &mut db,
            "MATCH (p:P) WHERE p.id > 97 AND p.even RETURN p.id ORDER BY p.id"
        ),
        vec!["98", "100"]
    );
    assert_eq!(rows(&mut db, "MATCH (p:P) WHERE 3 >= p.id RETURN count(*)"), vec!["3"]);
    // The index follows writes, and rolls back with a failed statement.
    run(&mut db, "MATCH (p:P {id: 7}) SET p.id = 700");
    assert_eq!(rows(&mut db, "MATCH (p:P {id: 700}) RETURN count(*)"), vec!["1"]);
    assert!(db
        .execute("MATCH (p:P {id: 700}) SET p.id = 7 WITH p RETURN 1 / 0", &Params::new())
        .is_err());
    assert_eq!(rows(&mut db, "MATCH (p:P {id: 7}) RETURN count(*)"), vec!["0"]);
    run(&mut db, "MATCH (p:P {id: 700}) REMOVE p:P");
    assert_eq!(rows(&mut db, "MATCH (p:P {id: 700}) RETURN count(*)"), vec!["0"]);
    let e = err(&mut db, "CREATE INDEX FOR (q:P) ON (q.id)");
    assert_eq!(e.code, "IndexAlreadyExists");
    run(&mut db, "CREATE INDEX IF NOT EXISTS FOR (q:P) ON (q.id)");
    run(&mut db, "DROP INDEX person_id");
    assert!(rows(&mut db, "SHOW INDEXES").is_empty());
    assert_eq!(err(&mut db, "DROP INDEX person_id").code, "IndexNotFound");
    run(&mut db, "DROP INDEX person_id IF EXISTS");
    assert_eq!(rows(&mut db, "MATCH (p:P {id: 8}) RETURN p.even"), vec!["true"]);
}

#[test]
fn profile_runs_and_counts_rows_per_operator() {
    let mut db = social();
    let r = run(
        &mut db,
        "PROFILE MATCH (p:Person) WHERE p.age > 40 RETURN p.name ORDER BY p.name",
    );
    assert_eq!(r.rows.len(), 2);
    let plan = r.plan.expect("a profile");
    assert!(plan.contains("NodeByLabelScan (p:Person)\nFilter  [2 rows,"), "{plan}");
    assert!(plan.contains("Sort (1 keys)  [2 rows,"), "{plan}");
}

/// DISTINCT over many nodes and relationships (past the point where the set
/// of seen ids changes shape) still counts each once, nulls never.
#[test]
fn distinct_counts_each_entity_once_at_scale() {
    let mut db = Database::in_memory();
    run(
        &mut db,
        "UNWIND range(1, 3000) AS i CREATE (a:N {i: i})-[:R]->(b:M {i: i}) WITH a, b WHERE i % 2 = 0 CREATE (b)-[:R]->(a)",
    );
    let r = run(
        &mut db,
        "MATCH (a:N)--(b)--(c) RETURN count(DISTINCT c) AS nodes, count(DISTINCT b) AS mids, count(*) AS paths",
    );
    // A path needs two different relationships: only the even pairs have them, both ways round.
    assert_eq!(r.rows, vec![vec![Value::Int(1500), Value::Int(1500), Value::Int(3000)]]);
    let r = run(
        &mut db,
        "MATCH (a:N)-[r]-(b) OPTIONAL MATCH (b)-[s:NONE]->() RETURN count(DISTINCT r) AS rels, count(DISTINCT s) AS none",
    );
    assert_eq!(r.rows, vec![vec![Value::Int(4500), Value::Int(0)]]);
}

/// Totals over a whole label agree with row-by-row aggregation however the
/// values are stored (a column becomes an array past a few dozen nodes), and
/// a float, a string or an overflowing sum still gets the general answer.
#[test]
fn label_totals_at_scale() {
    let mut db = Database::in_memory();
    run(
        &mut db,
        "UNWIND range(1, 500) AS i CREATE (:P {age: CASE WHEN i % 7 = 0 THEN null ELSE i END})",
    );
    let q = "MATCH (p:P) RETURN count(*) AS n, count(p.age) AS c, sum(p.age) AS s, avg(p.age) AS a";
    let expected_sum: i64 = (1..=500).filter(|i| i % 7 != 0).sum();
    let expected_count = (1..=500).filter(|i| i % 7 != 0).count() as i64;
    let r = run(&mut db, q);
    assert_eq!(
        r.rows,
        vec![vec![
            Value::Int(500),
            Value::Int(expected_count),
            Value::Int(expected_sum),
            Value::Float(expected_sum as f64 / expected_count as f64)
        ]]
    );
    for single in ["count(p.age)", "sum(p.age)", "avg(p.age)"] {
        let r = run(&mut db, &format!("MATCH (p:P) RETURN {single} AS x"));
        let want = match single {
            "count(p.age)" => Value::Int(expected_count),
            "sum(p.age)" => Value::Int(expected_sum),
            _ => Value::Float(expected_sum as f64 / expected_count as f64),
        };
        assert_eq!(r.rows, vec![vec![want]], "{single}");
    }
    run(&mut db, "MATCH (p:P {age: 1}) SET p.age = 0.5");
    let r = run(&mut db, "MATCH (p:P) RETURN sum(p.age) AS s");
    assert_eq!(r.rows, vec![vec![Value::Float(expected_sum as f64 - 0.5)]]);
    run(&mut db, "MATCH (p:P {age: 2}) SET p.age = 9223372036854775807");
    let e = err(&mut db, "MATCH (p:P) WHERE p.age <> 0.5 RETURN sum(p.age) AS s");
    assert_eq!(e.code, "NumberOutOfRange");
    run(&mut db, "MATCH (p:P {age: 3}) SET p.age = 'three'");
    let e = err(&mut db, "MATCH (p:P) RETURN avg(p.age) AS a");
    assert_eq!(e.kind, ErrorKind::TypeError);
    // Every one of these agrees with the planner's shortcuts turned off.
    for q in [
        "MATCH (p:P) RETURN sum(p.age) AS s",
        "MATCH (p:P) WHERE p.age <> 0.5 RETURN avg(p.age) AS a",
        "MATCH (p:P) WHERE p.age < 100 RETURN count(*) AS n, avg(p.age) AS a",
    ] {
        let fast = db.execute(q, &Params::new()).map(|r| r.rows).map_err(|e| e.code);
        db.set_naive_planning(true);
        let naive = db.execute(q, &Params::new()).map(|r| r.rows).map_err(|e| e.code);
        db.set_naive_planning(false);
        assert_eq!(fast, naive, "{q}");
    }
}

/// The newer forms each show in EXPLAIN, under the operator that runs them.
#[test]
fn newer_forms_appear_in_explain() {
    let mut db = Database::in_memory();
    let explain = |db: &mut Database, q: &str| run(db, &format!("EXPLAIN {q}")).plan.unwrap_or_default();
    let cases = [
        (
            "MATCH (a) CALL (a) { MATCH (a)-->(b) RETURN count(b) AS n } RETURN n",
            "CallSubquery (a)",
        ),
        ("OPTIONAL CALL () { RETURN 1 AS x } RETURN x", "OptionalCallSubquery ()"),
        ("CALL () { RETURN 1 AS x UNION RETURN 2 AS x } RETURN x", "Union"),
        ("CALL () { CREATE (:N) }", "CallSubquery (unit) ()"),
        (
            "UNWIND [1] AS i CALL (i) { CREATE (:N) } IN TRANSACTIONS OF 10 ROWS ON ERROR CONTINUE",
            "CallSubquery (unit) (i) in transactions of 10 rows, on error CONTINUE",
        ),
        (
            "UNWIND [1] AS i CALL (i) { CREATE (:N) } IN TRANSACTIONS",
            "in transactions of 1000 rows, on error FAIL",
        ),
        ("FOREACH (x IN [1] | CREATE (:N {v: x}))", "Foreach (x IN ...)"),
        (
            "MATCH (a)-[:R]->{1,3}(b) RETURN b",
            "VarLengthExpand (a)-[:R*1..3]->(b)",
        ),
        ("MATCH (a) ((x)-[:R]->(y)){2,} (b) RETURN b", "Repeat{2,} (a) -> (b)"),
        ("MATCH p = SHORTEST 2 (a)-->+(b) RETURN p", "PathSelector Shortest"),
        ("MATCH p = ALL SHORTEST (a)-->+(b) RETURN p", "AllShortestPaths"),
        ("MATCH (n:A|B) RETURN n", "AllNodesScan (n:(A|B))"),
        ("MATCH (n:A&!B) RETURN n", "NodeByLabelScan (n:A:!B)"),
        ("MATCH (a)-[r:!T]->(b) RETURN r", "[r:!T]"),
        ("MATCH REPEATABLE ELEMENTS (a)-->{2}(b) RETURN b", "RepeatableElements"),
        ("SHOW FUNCTIONS YIELD name RETURN name", "ShowFunctions"),
        ("SHOW PROCEDURES", "ShowProcedures"),
        (
            "OPTIONAL CALL db.labels() YIELD label RETURN label",
            "OptionalProcedureCall db.labels",
        ),
    ];
    for (q, shown) in cases {
        let plan = explain(&mut db, q);
        assert!(plan.contains(shown), "EXPLAIN {q}\nlacks `{shown}`:\n{plan}");
    }
}

/// The newer forms through the Rust API: parameters for dynamic labels and
/// keys, and the writes of a subquery seen by the statement after it.
#[test]
fn newer_forms_through_the_rust_api() {
    let db = Database::in_memory();
    let mut p = Params::new();
    p.insert("label".into(), Value::from("Person"));
    p.insert("key".into(), Value::from("name"));
    db.execute("CREATE (n:$($label)) SET n[$key] = 'Ada'", &p).unwrap();
    let r = db
        .execute(
            "MATCH (n:$($label)) RETURN n[$key] AS name, valueType(n[$key]) AS t",
            &p,
        )
        .unwrap();
    assert_eq!(r.rows, vec![vec![Value::from("Ada"), Value::from("STRING NOT NULL")]]);
    let r = db
        .execute(
            "UNWIND [1, 2] AS i CALL (i) { CREATE (:T {i: i}) } RETURN COUNT { MATCH (t:T) } AS seen",
            &Params::new(),
        )
        .unwrap();
    assert_eq!(r.rows, vec![vec![Value::Int(2)], vec![Value::Int(2)]]);
    assert_eq!(r.stats.nodes_created, 2);
    let e = db
        .execute("WITH 1 AS a CALL () { RETURN a AS b } RETURN b", &Params::new())
        .unwrap_err();
    assert_eq!(
        (e.kind, e.code, e.phase),
        (ErrorKind::SyntaxError, "UndefinedVariable", Phase::Compile)
    );
}

/// A parameter written as a literal goes through the same checks as a query.
#[test]
fn literal_parameters_are_checked_like_queries() {
    let db = Database::in_memory();
    assert_eq!(
        db.eval_literal("[1, 'a']").unwrap(),
        Value::list(vec![Value::Int(1), Value::from("a")])
    );
    let e = db.eval_literal("[(a)-[r]->(b) | count(r)]").unwrap_err();
    assert_eq!((e.kind, e.code), (ErrorKind::SyntaxError, "InvalidAggregation"), "{e}");
    let e = db.eval_literal("nope").unwrap_err();
    assert_eq!(e.code, "UndefinedVariable", "{e}");
}
