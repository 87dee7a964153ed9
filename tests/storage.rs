//! Database files: persistence, transactions, locking, corruption, faults,
//! dumps, and serialization round trips.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use quiver::storage::file::{Faults, FaultyFs};
use quiver::{Database, OpenOptions, Params, Value};

fn run(db: &mut Database, q: &str) -> Vec<Vec<Value>> {
    db.execute(q, &Params::new())
        .unwrap_or_else(|e| panic!("{q}: {e}"))
        .rows
}

fn count(db: &mut Database, q: &str) -> i64 {
    match run(db, q)[0][0] {
        Value::Int(n) => n,
        ref v => panic!("{q}: {v:?}"),
    }
}

fn dump_text(db: &Database) -> String {
    let mut out = Vec::new();
    db.dump(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn tmp() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.qv");
    (dir, path)
}

fn wal(path: &Path) -> PathBuf {
    quiver::storage::wal_path(path)
}

#[test]
fn commits_survive_reopening_ids_included() {
    let (_d, path) = tmp();
    {
        let mut db = Database::open(&path).unwrap();
        run(&mut db, "CREATE (:A {n: 1})-[:R {w: 0.5}]->(:B {s: 'x'})");
        run(&mut db, "CREATE (:C)");
        run(&mut db, "MATCH (c:C) DELETE c");
        // Dropped without close: the log alone carries the commits.
        db.abandon();
    }
    let mut db = Database::open(&path).unwrap();
    assert_eq!(db.counts(), (2, 1));
    assert_eq!(
        count(
            &mut db,
            "MATCH (a:A)-[r:R]->(b:B) WHERE r.w = 0.5 AND b.s = 'x' RETURN count(*)"
        ),
        1
    );
    // Ids are never reused: the deleted node's id 2 stays taken.
    assert_eq!(count(&mut db, "CREATE (n:D) RETURN id(n)"), 3);
    db.close().unwrap();
    let mut db = Database::open(&path).unwrap();
    assert_eq!(count(&mut db, "MATCH (n:D) RETURN id(n)"), 3);
    assert_eq!(count(&mut db, "CREATE (n:E) RETURN id(n)"), 4);
}
