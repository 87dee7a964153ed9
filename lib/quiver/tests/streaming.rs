//! Rows stream: reading pipelines stop when they have what was asked for,
//! results come one at a time through `Database::query`, ORDER BY ... LIMIT
//! keeps only the rows it needs, and the read seam holds (planning adds no
//! names; index definitions roll back with their transaction).

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use common::{rows, run};
use quiver::{Database, ErrorKind, Params, Value};

/// The names `SHOW INDEXES` lists.
fn index_names(db: &mut Database) -> Vec<String> {
    rows(db, "SHOW INDEXES")
        .iter()
        .map(|r| r.split(" | ").next().unwrap().to_string())
        .collect()
}

fn db_with(q: &str) -> Database {
    let mut db = Database::in_memory();
    run(&mut db, q);
    db
}

#[test]
fn limit_stops_the_rows_before_it() {
    let mut db = Database::in_memory();
    // The third row would divide by zero: LIMIT 2 never asks for it.
    assert_eq!(
        rows(&mut db, "UNWIND [1, 2, 0] AS x RETURN 10 / x AS y LIMIT 2"),
        ["10", "5"]
    );
    let e = db
        .execute("UNWIND [1, 2, 0] AS x RETURN 10 / x AS y", &Params::new())
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::ArgumentError, "{e}");
    // A consumer that stops reading stops the work too.
    let first: Vec<_> = db
        .query("UNWIND [1, 2, 0] AS x RETURN 10 / x AS y", &Params::new())
        .unwrap()
        .take(2)
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(first, vec![vec![Value::Int(10)], vec![Value::Int(5)]]);
}

#[test]
fn unwound_ranges_are_counted_not_built() {
    let mut db = Database::in_memory();
    // Far beyond what range() may build as a list.
    assert_eq!(
        rows(&mut db, "UNWIND range(1, 100000000000) AS x RETURN x LIMIT 3"),
        ["1", "2", "3"]
    );
    assert_eq!(rows(&mut db, "UNWIND range(10, 1, -4) AS x RETURN x"), ["10", "6", "2"]);
    assert_eq!(
        rows(&mut db, "UNWIND range(1, null) AS x RETURN x"),
        Vec::<String>::new()
    );
    let e = db
        .execute("UNWIND range(1, 5, 0) AS x RETURN x", &Params::new())
        .unwrap_err();
    assert_eq!((e.kind, e.code), (ErrorKind::ArgumentError, "NumberOutOfRange"));
    let e = db
        .execute("RETURN size(range(1, 100000000000)) AS n", &Params::new())
        .unwrap_err();
    assert_eq!(e.code, "NumberOutOfRange");
}

#[test]
fn exists_and_pattern_predicates_stop_at_the_first_match() {
    // A hub with many friends: the predicate is true as soon as one is found,
    // and the answers are the same as counting them.
    let mut db = db_with("CREATE (h:H) WITH h UNWIND range(1, 2000) AS i CREATE (h)-[:F]->(:P {i: i})");
    assert_eq!(rows(&mut db, "MATCH (h:H) RETURN exists((h)-[:F]->()) AS e"), ["true"]);
    assert_eq!(
        rows(
            &mut db,
            "MATCH (h:H) RETURN EXISTS { MATCH (h)-[:F]->(p) WHERE p.i > 1990 } AS e"
        ),
        ["true"]
    );
    assert_eq!(
        rows(
            &mut db,
            "MATCH (h:H) RETURN EXISTS { MATCH (h)-[:F]->(p) WHERE p.i > 2000 } AS e"
        ),
        ["false"]
    );
    assert_eq!(
        rows(&mut db, "MATCH (p:P) WHERE (p)<-[:F]-(:H) RETURN count(*) AS n"),
        ["2000"]
    );
}

/// `ORDER BY ... LIMIT` (a Top, a NodeScanTop through a WITH) gives what a
/// full sort then a cut gives, ties in their original order.
#[test]
fn top_k_is_a_sort_and_a_cut() {
    let mut db = Database::in_memory();
    run(
        &mut db,
        "UNWIND range(0, 499) AS i CREATE (:N {i: i, k: (i * 37) % 11, s: CASE WHEN i % 7 = 0 THEN null ELSE toString(i % 13) END})",
    );
    for order in ["n.k", "n.k DESC", "n.s, n.i DESC", "n.s DESC, n.k", "n.k, n.s"] {
        for (skip, limit) in [(0, 0), (0, 1), (0, 5), (3, 10), (0, 64), (0, 65), (490, 20), (0, 1000)] {
            let full = rows(&mut db, &format!("MATCH (n:N) RETURN n.i AS i ORDER BY {order}"));
            let expected: Vec<String> = full.into_iter().skip(skip).take(limit).collect();
            let direct = format!("MATCH (n:N) RETURN n.i AS i ORDER BY {order} SKIP {skip} LIMIT {limit}");
            assert_eq!(rows(&mut db, &direct), expected, "{direct}");
            let through = format!("MATCH (n:N) WITH n ORDER BY {order} RETURN n.i AS i SKIP {skip} LIMIT {limit}");
            assert_eq!(rows(&mut db, &through), expected, "{through}");
            let filtered = format!(
                "MATCH (n:N) WHERE n.i % 3 = 1 WITH n ORDER BY {order} RETURN n.i AS i SKIP {skip} LIMIT {limit}"
            );
            let full = rows(
                &mut db,
                &format!("MATCH (n:N) WHERE n.i % 3 = 1 RETURN n.i AS i ORDER BY {order}"),
            );
            let expected: Vec<String> = full.into_iter().skip(skip).take(limit).collect();
            assert_eq!(rows(&mut db, &filtered), expected, "{filtered}");
        }
    }
}

#[test]
fn explain_shows_the_streaming_operators() {
    let mut db = Database::in_memory();
    let plan = |db: &mut Database, q: &str| run(db, &format!("EXPLAIN {q}")).plan.unwrap();
    let p = plan(&mut db, "MATCH (n:N) WITH n ORDER BY n.i DESC RETURN n.i LIMIT 3");
    assert!(p.contains("NodeScanTop (n:N, 1 keys)"), "{p}");
    let p = plan(&mut db, "MATCH (n:N)-->(m) RETURN m ORDER BY m.i LIMIT 3");
    assert!(p.contains("Top (1 keys)") && !p.contains("Sort"), "{p}");
    let p = plan(&mut db, "MATCH (n:N) RETURN n ORDER BY n.i");
    assert!(p.contains("Sort (1 keys)"), "{p}");
    // Reading before a write is finished first, and so is the write before the reads after it.
    let p = plan(&mut db, "MATCH (n:N) CREATE (:M) WITH n MATCH (o) RETURN count(o)");
    let lines: Vec<&str> = p.lines().collect();
    let create = lines.iter().position(|l| l.starts_with("Create")).unwrap();
    assert_eq!(lines[create - 1], "Eager", "{p}");
    assert_eq!(lines[create + 1], "Eager", "{p}");
}

#[test]
fn writes_run_for_every_row_whatever_follows() {
    let mut db = Database::in_memory();
    let r = run(
        &mut db,
        "UNWIND range(1, 5) AS i CREATE (n:T {i: i}) RETURN n.i AS i LIMIT 1",
    );
    assert_eq!(r.rows.len(), 1);
    assert_eq!(r.stats.nodes_created, 5);
    assert_eq!(rows(&mut db, "MATCH (n:T) RETURN count(n)"), ["5"]);
    // Each row of a write sees the rows before it (MERGE), the reads after see all of them.
    let r = run(
        &mut db,
        "UNWIND [1, 1, 2] AS v MERGE (m:Mv {v: v}) WITH m MATCH (x:Mv) RETURN m.v AS v, count(x) AS n ORDER BY v",
    );
    assert_eq!(r.stats.nodes_created, 2);
    assert_eq!(
        r.rows,
        vec![vec![Value::Int(1), Value::Int(4)], vec![Value::Int(2), Value::Int(2)]]
    );
}

#[test]
fn streams_give_entities_and_plans() {
    let db = db_with("CREATE (:Person {name: 'Ada'})-[:KNOWS {since: 1833}]->(:Person {name: 'Charles'})");
    let mut stream = db
        .query("MATCH (a)-[r]->(b) RETURN a, r, b.name AS name", &Params::new())
        .unwrap();
    assert_eq!(stream.columns(), ["a", "r", "name"]);
    let row = stream.next().unwrap().unwrap();
    let (Value::Node(a), Value::Relationship(r)) = (&row[0], &row[1]) else {
        panic!("{row:?}")
    };
    let node = stream.node(*a).unwrap();
    assert_eq!(node.labels, ["Person"]);
    assert_eq!(node.properties.get("name"), Some(&Value::from("Ada")));
    let rel = stream.relationship(*r).unwrap();
    assert_eq!((rel.rel_type.as_str(), rel.start, rel.end), ("KNOWS", *a, rel.end));
    assert!(stream.next().is_none());
    // After the last row, the entities can still be looked up.
    assert!(stream.node(*a).is_some());
    drop(stream);
    // PROFILE's figures come once every row has been read.
    let mut stream = db
        .query("PROFILE MATCH (p:Person) RETURN p.name", &Params::new())
        .unwrap();
    assert!(stream.plan().is_none());
    assert_eq!(stream.by_ref().count(), 2);
    let plan = stream.plan().unwrap();
    assert!(plan.contains("[2 rows"), "{plan}");
}

#[test]
fn interrupts_belong_to_one_statement() {
    let mut db = db_with("UNWIND range(1, 100) AS i CREATE (:N {i: i})");
    let flag = Arc::new(AtomicBool::new(true));
    let e = db
        .execute_with("MATCH (n:N) RETURN count(*)", &Params::new(), flag.clone())
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Interrupted);
    let e = db
        .execute_with("MATCH (n:N) SET n.i = 0", &Params::new(), flag.clone())
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Interrupted);
    // The next statement has a flag of its own; the interrupted write changed nothing.
    assert_eq!(rows(&mut db, "MATCH (n:N) WHERE n.i = 0 RETURN count(*)"), ["0"]);
    // A stream stops when its flag is set between two rows.
    let flag = Arc::new(AtomicBool::new(false));
    let mut stream = db
        .query_with("UNWIND range(1, 1000000) AS x RETURN x", &Params::new(), flag.clone())
        .unwrap();
    assert!(stream.next().unwrap().is_ok());
    flag.store(true, Ordering::SeqCst);
    let e = stream.find_map(Result::err).expect("an error once interrupted");
    assert_eq!(e.kind, ErrorKind::Interrupted);
}

#[test]
fn one_statement_sees_one_clock() {
    let mut db = Database::in_memory();
    assert_eq!(
        rows(
            &mut db,
            "UNWIND range(1, 2000) AS i WITH datetime() AS d, timestamp() AS t, i \
             RETURN count(DISTINCT d) AS ds, count(DISTINCT t) AS ts"
        ),
        ["1 | 1"]
    );
}

#[test]
fn planning_adds_no_names() {
    let mut db = db_with("CREATE (:Known {k: 1})");
    run(&mut db, "EXPLAIN MATCH (n:Misspeled)-[:NOPE]->() RETURN n.nokey");
    run(&mut db, "MATCH (n:Misspeled)-[:NOPE]->() WHERE n.nokey = 1 RETURN n");
    let snapshot = db.snapshot().unwrap();
    let catalog = quiver::store::GraphRead::catalog(&snapshot);
    assert_eq!(catalog.labels.get("Misspeled"), None);
    assert_eq!(catalog.types.get("NOPE"), None);
    assert_eq!(catalog.keys.get("nokey"), None);
    // A label a statement creates is found later in the same statement.
    assert_eq!(
        rows(&mut db, "CREATE (:Fresh) WITH 1 AS one MATCH (f:Fresh) RETURN count(f)"),
        ["1"]
    );
}

#[test]
fn index_definitions_roll_back_with_their_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ix.qv");
    {
        let mut db = Database::open(&path).unwrap();
        run(&mut db, "CREATE INDEX kept FOR (n:N) ON (n.k)");
        db.begin().unwrap();
        run(&mut db, "CREATE INDEX gone FOR (n:N) ON (n.j)");
        run(&mut db, "DROP INDEX kept");
        assert_eq!(index_names(&mut db), ["'gone'"]);
        db.rollback().unwrap();
        assert_eq!(index_names(&mut db), ["'kept'"]);
        // A later commit does not bring the rolled-back index back.
        run(&mut db, "CREATE (:N {k: 1, j: 2})");
        db.close().unwrap();
    }
    let mut db = Database::open(&path).unwrap();
    assert_eq!(index_names(&mut db), ["'kept'"]);
    // One committed inside a transaction stays.
    db.begin().unwrap();
    run(&mut db, "CREATE INDEX later FOR (n:N) ON (n.j)");
    db.commit().unwrap();
    db.close().unwrap();
    let mut db = Database::open(&path).unwrap();
    assert_eq!(index_names(&mut db), ["'kept'", "'later'"]);
}

#[test]
fn errors_keep_the_layer_they_came_from() {
    let db = Database::in_memory();
    let e = db.execute("RETURN 1 +", &Params::new()).unwrap_err();
    let source = std::error::Error::source(&e).unwrap();
    assert!(
        source.downcast_ref::<quiver::parser::ParseError>().is_some(),
        "{source}"
    );
    let e = db.execute("RETURN toUpper(1)", &Params::new()).unwrap_err();
    let exec = std::error::Error::source(&e).unwrap();
    let function = std::error::Error::source(exec).expect("the executor's error has the function's below it");
    assert!(
        function.downcast_ref::<quiver::functions::FunctionError>().is_some(),
        "{function}"
    );
    // An undefined variable is the binder's to find, before anything is planned.
    let e = db.execute("MATCH (n) RETURN m", &Params::new()).unwrap_err();
    assert!(std::error::Error::source(&e)
        .unwrap()
        .downcast_ref::<quiver::semantic::SemanticError>()
        .is_some());
}
