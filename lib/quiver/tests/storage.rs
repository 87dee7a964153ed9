//! Database files: persistence, transactions, locking, corruption, faults,
//! dumps, and serialization round trips.

#![allow(clippy::result_large_err)]

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

/// Everything a test compares: the dump (labels, types, properties,
/// structure) and the ids.
fn state(db: &mut Database) -> String {
    let ids = |db: &mut Database, q: &str| -> String {
        let rows = run(db, q);
        rows.iter().map(|r| r[0].to_string()).collect::<Vec<_>>().join(",")
    };
    let nodes = ids(db, "MATCH (n) RETURN id(n) AS i ORDER BY i");
    let rels = ids(db, "MATCH ()-[r]->() RETURN id(r) AS i ORDER BY i");
    format!("{}nodes {nodes}\nrels {rels}\n", dump_text(db))
}

fn err_of(r: Result<Database, quiver::Error>) -> quiver::Error {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => e,
    }
}

// ---- transactions ----

#[test]
fn rollback_restores_the_graph_exactly_ids_included() {
    let (_d, path) = tmp();
    let mut db = Database::open(&path).unwrap();
    run(&mut db, "CREATE (:A {k: 1})-[:R]->(:B)");
    let before = state(&mut db);
    db.begin().unwrap();
    run(&mut db, "MATCH (a:A) SET a.k = 2, a:Z REMOVE a:A");
    run(&mut db, "MATCH (b:B) DETACH DELETE b");
    run(&mut db, "CREATE (:C)-[:S]->(:D)");
    assert!(
        db.execute("MATCH (n) RETURN n.k / 0", &Params::new()).is_err(),
        "a failing statement inside"
    );
    db.rollback().unwrap();
    assert_eq!(state(&mut db), before);
    assert_eq!(
        count(&mut db, "CREATE (n) RETURN id(n)"),
        2,
        "the counter went back too"
    );
    db.abandon();
    let mut db = Database::open(&path).unwrap();
    assert_eq!(count(&mut db, "MATCH (n) RETURN count(n)"), 3);
}

#[test]
fn transaction_objects_commit_or_roll_back_on_drop() {
    let (_d, path) = tmp();
    let db = Database::open(&path).unwrap();
    {
        let mut tx = db.transaction().unwrap();
        tx.execute("CREATE (:Lost)", &Params::new()).unwrap();
    }
    {
        let mut tx = db.transaction().unwrap();
        tx.execute("CREATE (:Kept)", &Params::new()).unwrap();
        // A failing statement is undone alone; the transaction goes on.
        assert!(tx.execute("CREATE (:Bad {x: 1/0})", &Params::new()).is_err());
        tx.execute("CREATE (:Kept)", &Params::new()).unwrap();
        tx.commit().unwrap();
    }
    assert!(db.transaction().unwrap().rollback().is_ok());
    assert!(db.commit().is_err(), "nothing to commit");
    db.begin().unwrap();
    assert!(db.begin().is_err(), "no nested transactions");
    assert!(db.checkpoint().is_err(), "no checkpoint inside a transaction");
    db.rollback().unwrap();
    db.abandon();
    let mut db = Database::open(&path).unwrap();
    assert_eq!(count(&mut db, "MATCH (n:Kept) RETURN count(n)"), 2);
    assert_eq!(count(&mut db, "MATCH (n) RETURN count(n)"), 2);
}

#[test]
fn a_big_transaction_and_checkpoints() {
    let (_d, path) = tmp();
    let options = OpenOptions {
        checkpoint_min_bytes: 4096,
        ..OpenOptions::default()
    };
    let mut db = Database::open_with(&path, &options).unwrap();
    let mut tx = db.transaction().unwrap();
    tx.execute(
        "UNWIND range(1, 1000) AS i CREATE (:N {i: i, s: 'node ' + toString(i)})",
        &Params::new(),
    )
    .unwrap();
    tx.commit().unwrap();
    run(
        &mut db,
        "MATCH (a:N), (b:N) WHERE a.i <= 200 AND b.i = a.i + 1 CREATE (a)-[:NEXT {d: a.i}]->(b)",
    );
    for i in 0..20 {
        run(&mut db, &format!("MATCH (n:N {{i: {i}}}) SET n.touched = true"));
    }
    let before = state(&mut db);
    db.abandon();
    let mut db = Database::open_with(&path, &options).unwrap();
    assert_eq!(state(&mut db), before);
    db.close().unwrap();
    // After a clean close the log is empty: the main file alone holds it all.
    assert_eq!(std::fs::metadata(wal(&path)).unwrap().len(), 32);
    let mut db = Database::open(&path).unwrap();
    assert_eq!(state(&mut db), before);
}

// ---- locking ----

#[test]
fn one_writer_at_a_time_and_readers_beside_it() {
    let (_d, path) = tmp();
    let mut db = Database::open(&path).unwrap();
    let e = err_of(Database::open(&path));
    assert_eq!(e.code, "DatabaseLocked", "{e}");
    assert!(e.message.contains("read-only"), "the error says what to do: {e}");
    // A busy timeout waits for the lock, then gives up as clearly.
    let waiting = OpenOptions {
        busy_timeout: Some(std::time::Duration::from_millis(150)),
        ..OpenOptions::default()
    };
    let started = std::time::Instant::now();
    assert_eq!(err_of(Database::open_with(&path, &waiting)).code, "DatabaseLocked");
    assert!(started.elapsed() >= std::time::Duration::from_millis(150));
    // Readers open beside the writer, and each statement sees what was committed before it.
    let mut r1 = Database::open_read_only(&path).unwrap();
    assert_eq!(count(&mut r1, "MATCH (n) RETURN count(n)"), 0);
    run(&mut db, "CREATE (:A)");
    let mut r2 = Database::open_read_only(&path).unwrap();
    assert_eq!(count(&mut r1, "MATCH (n) RETURN count(n)"), 1);
    assert_eq!(count(&mut r2, "MATCH (n) RETURN count(n)"), 1);
    // A checkpoint (a new base) under the readers.
    run(&mut db, "CREATE (:A)");
    db.checkpoint().unwrap();
    run(&mut db, "CREATE (:A)");
    assert_eq!(count(&mut r1, "MATCH (n) RETURN count(n)"), 3);
    let e = r2.execute("CREATE ()", &Params::new()).unwrap_err();
    assert_eq!(e.code, "ReadOnly");
    assert_eq!(r2.counts(), (3, 0));
    // A waiting writer gets the lock once the writer closes.
    let opener = std::thread::spawn({
        let path = path.clone();
        let waiting = OpenOptions {
            busy_timeout: Some(std::time::Duration::from_secs(20)),
            ..OpenOptions::default()
        };
        move || Database::open_with(&path, &waiting).map(|db| db.counts())
    });
    std::thread::sleep(std::time::Duration::from_millis(100));
    db.close().unwrap();
    assert_eq!(opener.join().unwrap().unwrap(), (3, 0));
    drop((r1, r2));
    // Read-only never creates.
    let e = err_of(Database::open_read_only(path.with_extension("none")));
    assert_eq!(e.code, "NoSuchDatabase");
}

// ---- damaged and foreign files ----

fn three_commits(path: &Path) -> String {
    let mut db = Database::open(path).unwrap();
    run(&mut db, "CREATE (:A {s: 'first'})");
    run(&mut db, "CREATE (:A {s: 'second'})");
    run(&mut db, "CREATE (:A {s: 'third'})");
    let s = state(&mut db);
    db.abandon();
    s
}

fn flip(path: &Path, offset: u64) {
    let mut bytes = std::fs::read(path).unwrap();
    bytes[offset as usize] ^= 0x10;
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn a_torn_tail_is_cut_and_reported() {
    let (_d, path) = tmp();
    let full = three_commits(&path);
    let wal_len = std::fs::metadata(wal(&path)).unwrap().len();
    // Append half a record, as a crash in the middle of a commit leaves it.
    let mut bytes = std::fs::read(wal(&path)).unwrap();
    let last_start = {
        let (_d2, p2) = tmp();
        let mut db = Database::open(&p2).unwrap();
        run(&mut db, "CREATE (:A {s: 'first'})");
        db.abandon();
        std::fs::metadata(wal(&p2)).unwrap().len()
    };
    let record: Vec<u8> = bytes[32..last_start as usize].to_vec();
    bytes.extend_from_slice(&record[..record.len() / 2]);
    std::fs::write(wal(&path), &bytes).unwrap();
    let mut db = Database::open(&path).unwrap();
    let warnings = db.take_warnings();
    assert!(warnings.iter().any(|w| w.contains("discarded")), "{warnings:?}");
    assert_eq!(state(&mut db), full);
    db.abandon();
    assert_eq!(
        std::fs::metadata(wal(&path)).unwrap().len(),
        wal_len,
        "cut back to the last whole record"
    );
    // Also: a tail of zeros (a file extended but never written).
    let mut bytes = std::fs::read(wal(&path)).unwrap();
    bytes.extend_from_slice(&[0u8; 100]);
    std::fs::write(wal(&path), &bytes).unwrap();
    let mut db = Database::open(&path).unwrap();
    assert_eq!(state(&mut db), full);
}

#[test]
fn a_flipped_bit_in_a_committed_record_is_reported() {
    let (_d, path) = tmp();
    three_commits(&path);
    // The first record starts at 32; flip a payload byte of it.
    flip(&wal(&path), 32 + 14);
    let e = err_of(Database::open(&path));
    assert_eq!(e.code, "CorruptFile", "{e}");
    assert!(e.message.contains("g.qv-wal is damaged at offset 32"), "{e}");
    assert!(e.message.contains("record checksum mismatch"), "{e}");
    // So does check.
    let e = quiver::storage::check::check(&quiver::storage::file::RealFs, &path).unwrap_err();
    assert_eq!(e.code, "CorruptFile");
    // And a flipped bit in a record header.
    let (_d, path) = tmp();
    three_commits(&path);
    flip(&wal(&path), 33);
    let e = err_of(Database::open(&path));
    assert!(e.message.contains("record header checksum mismatch"), "{e}");
}

#[test]
fn a_flipped_bit_in_the_base_is_reported() {
    let (_d, path) = tmp();
    {
        let mut db = Database::open(&path).unwrap();
        run(&mut db, "UNWIND range(1, 100) AS i CREATE (:N {i: i})");
        db.close().unwrap();
    }
    // The header, the metadata and the directory are checked on open.
    for offset in [3, 20, 70, 4096 + 5] {
        flip(&path, offset);
        let e = err_of(Database::open(&path));
        assert_eq!(e.kind, quiver::ErrorKind::IoError);
        assert!(
            e.message.contains("g.qv is damaged at offset") || e.message.contains("not a quiver database"),
            "{offset}: {e}"
        );
        flip(&path, offset);
    }
    // The arrays by `quiver check` (opening reads none of them).
    let len = std::fs::metadata(&path).unwrap().len();
    let report = quiver::storage::check::check(&quiver::storage::file::RealFs, &path).unwrap();
    let data = (0..len).rev().find(|&at| {
        flip(&path, at);
        let damaged = quiver::storage::check::check(&quiver::storage::file::RealFs, &path).is_err();
        flip(&path, at);
        damaged
    });
    let at = data.expect("some byte of the arrays is checked");
    flip(&path, at);
    let e = quiver::storage::check::check(&quiver::storage::file::RealFs, &path).unwrap_err();
    assert!(e.message.contains("checksum mismatch"), "{e}");
    flip(&path, at);
    assert_eq!(report.nodes, 100);
    let mut db = Database::open(&path).unwrap();
    assert_eq!(count(&mut db, "MATCH (n) RETURN count(n)"), 100);
}

#[test]
fn other_formats_and_newer_versions_are_refused() {
    let (_d, path) = tmp();
    three_commits(&path);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[8] = 9; // format version 9
    std::fs::write(&path, &bytes).unwrap();
    let e = err_of(Database::open(&path));
    assert_eq!(e.code, "UnsupportedFile");
    assert!(e.message.contains("newer quiver (file format version 9"), "{e}");

    let (_d, path) = tmp();
    std::fs::write(&path, "CREATE (:A);\n").unwrap();
    let e = err_of(Database::open(&path));
    assert!(e.message.contains("not a quiver database"), "{e}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "CREATE (:A);\n", "left alone");
}

// ---- fault injection ----

#[derive(Clone, Debug)]
enum Step {
    Statement(String),
    Transaction(Vec<String>),
}

/// A deterministic workload of writes (creates, sets, relationships,
/// deletes, explicit transactions).
fn workload(seed: u64, steps: usize) -> Vec<Step> {
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let mut next = move |n: u64| {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (x >> 33) % n
    };
    let stmt = |next: &mut dyn FnMut(u64) -> u64| -> String {
        match next(5) {
            0 | 1 => format!(
                "CREATE (:L{} {{i: {}, s: 'text {}', f: {}.5, l: [1, 2]}})",
                next(3),
                next(20),
                next(1000),
                next(9)
            ),
            2 => format!("MATCH (n {{i: {}}}) SET n.v = {}, n:Seen", next(20), next(100)),
            3 => format!(
                "MATCH (a {{i: {}}}), (b {{i: {}}}) CREATE (a)-[:R {{w: {}}}]->(b)",
                next(20),
                next(20),
                next(10)
            ),
            _ => format!("MATCH (n {{i: {}}}) DETACH DELETE n", next(20)),
        }
    };
    (0..steps)
        .map(|_| {
            if next(4) == 0 {
                let k = 1 + next(3) as usize;
                Step::Transaction((0..k).map(|_| stmt(&mut next)).collect())
            } else {
                Step::Statement(stmt(&mut next))
            }
        })
        .collect()
}

fn run_step(db: &mut Database, step: &Step) -> Result<(), quiver::Error> {
    match step {
        Step::Statement(q) => db.execute(q, &Params::new()).map(|_| ()),
        Step::Transaction(qs) => {
            let mut tx = db.transaction()?;
            for q in qs {
                tx.execute(q, &Params::new())?;
            }
            tx.commit()
        }
    }
}

/// Runs the workload on a file database whose file system fails as told,
/// next to an in-memory model that runs only what the database
/// acknowledged; reopens and compares.
fn faulty_run(faults: Faults, seed: u64) -> Faults {
    let (_d, path) = tmp();
    let fs = FaultyFs::new(faults);
    let options = OpenOptions {
        fs: Arc::new(fs.clone()),
        checkpoint_min_bytes: 600,
        ..OpenOptions::default()
    };
    let mut model = Database::in_memory();
    let mut uncertain: Option<Step> = None;
    match Database::open_with(&path, &options) {
        Err(e) => assert_eq!(e.kind, quiver::ErrorKind::IoError, "{e}"),
        Ok(mut db) => {
            for step in workload(seed, 40) {
                match run_step(&mut db, &step) {
                    Ok(()) => run_step(&mut model, &step).unwrap(),
                    Err(e) => {
                        assert_eq!(e.kind, quiver::ErrorKind::IoError, "{step:?}: {e}");
                        assert!(e.message.contains("g.qv"), "names the file: {e}");
                        if e.message.contains("writes no more") {
                            // The fsync failed: the record may or may not be on disk.
                            assert!(uncertain.is_none());
                            uncertain = Some(step.clone());
                        }
                        // Reads still work.
                        db.execute("MATCH (n) RETURN count(n)", &Params::new()).unwrap();
                    }
                }
                db.take_warnings();
            }
            if seed.is_multiple_of(2) {
                drop(db); // closes: a checkpoint that may fail, too
            } else {
                db.abandon();
            }
        }
    }
    let fired = fs.state();
    // Reopen on the real file system: every acknowledged commit is there.
    let mut db = Database::open(&path).unwrap_or_else(|e| panic!("{fired:?}: reopen: {e}"));
    let got = state(&mut db);
    let want = state(&mut model);
    if std::env::var("QUIVER_SHOW").is_ok() {
        eprintln!("{fired:?} uncertain={uncertain:?}\n{got}");
    }
    if got != want {
        let step = uncertain.unwrap_or_else(|| panic!("{fired:?}:\ngot\n{got}\nwant\n{want}"));
        run_step(&mut model, &step).unwrap();
        assert_eq!(
            got,
            state(&mut model),
            "{fired:?}: neither without nor with the uncertain step"
        );
    }
    fired
}

#[test]
fn faults_are_reported_and_every_acknowledged_commit_survives() {
    let clean = faulty_run(Faults::default(), 7);
    assert!(clean.writes > 10 && clean.syncs > 10, "{clean:?}");
    let mut fired = 0;
    for n in 1..=clean.writes {
        let faults = Faults {
            fail_write: Some(n),
            short_write: n % 2 == 0,
            disk_full: n % 3 != 0,
            sticky: n % 4 == 0,
            ..Faults::default()
        };
        fired += faulty_run(faults, 7 + n % 2).fired as usize;
    }
    for n in 1..=clean.syncs {
        let faults = Faults {
            fail_sync: Some(n),
            ..Faults::default()
        };
        fired += faulty_run(faults, 7 + n % 2).fired as usize;
    }
    eprintln!("clean run: {clean:?}; faults fired: {fired}");
    assert!(
        fired as u64 > (clean.writes + clean.syncs) / 2,
        "most faults fired: {fired}"
    );
}

// ---- serialization round trips ----

mod roundtrip {
    use super::*;
    use proptest::prelude::*;
    use quiver::storage::codec;
    use quiver::store::base::{Base, BaseBuilder, Layout};
    use quiver::store::{Catalog, GraphRead, GraphWrite, Snapshot, Tx};
    use std::sync::Arc;

    thread_local! {
        static EVAL: std::cell::RefCell<Database> = std::cell::RefCell::new(Database::in_memory());
    }

    fn eval(text: String) -> Value {
        EVAL.with(|db| {
            db.borrow_mut()
                .eval_literal(&text)
                .unwrap_or_else(|e| panic!("{text}: {e}"))
        })
    }

    fn temporal() -> impl Strategy<Value = Value> {
        let date = (-9999i64..9999, 1i64..=12, 1i64..=28);
        let time = (0i64..24, 0i64..60, 0i64..60, 0i64..1_000_000_000);
        let offset = -18 * 3600i64..=18 * 3600;
        let zone = prop::sample::select(vec!["Europe/Stockholm", "America/New_York", "Asia/Kolkata", "UTC"]);
        prop_oneof![
            date.clone().prop_map(|(y, m, d)| format!("date({{year: {y}, month: {m}, day: {d}}})")),
            time.clone().prop_map(|(h, m, s, n)| format!(
                "localtime({{hour: {h}, minute: {m}, second: {s}, nanosecond: {n}}})"
            )),
            (time.clone(), offset.clone()).prop_map(|((h, m, s, n), o)| format!(
                "time({{hour: {h}, minute: {m}, second: {s}, nanosecond: {n}, timezone: '{}{:02}:{:02}'}})",
                if o < 0 { '-' } else { '+' },
                o.abs() / 3600,
                o.abs() % 3600 / 60
            )),
            (date.clone(), time.clone()).prop_map(|((y, mo, d), (h, m, s, n))| format!(
                "localdatetime({{year: {y}, month: {mo}, day: {d}, hour: {h}, minute: {m}, second: {s}, nanosecond: {n}}})"
            )),
            (1i64..9999, 1i64..=12, 1i64..=28, time, zone).prop_map(|(y, mo, d, (h, m, s, n), z)| format!(
                "datetime({{year: {y}, month: {mo}, day: {d}, hour: {h}, minute: {m}, second: {s}, nanosecond: {n}, timezone: '{z}'}})"
            )),
            (-1000i64..1000, -1000i64..1000, -100_000i64..100_000, -999_999_999i64..999_999_999).prop_map(
                |(mo, d, s, n)| format!("duration({{months: {mo}, days: {d}, seconds: {s}, nanoseconds: {n}}})")
            ),
        ]
        .prop_map(eval)
    }

    fn float() -> impl Strategy<Value = f64> {
        prop_oneof![
            any::<f64>(),
            any::<u64>().prop_map(f64::from_bits),
            Just(f64::NAN),
            Just(-0.0),
            Just(0.0),
            Just(f64::INFINITY),
            Just(f64::NEG_INFINITY),
            Just(f64::MIN_POSITIVE),
            Just(f64::MAX),
        ]
    }

    fn int() -> impl Strategy<Value = i64> {
        prop_oneof![any::<i64>(), Just(i64::MIN), Just(i64::MAX), -3i64..3]
    }

    fn scalar() -> impl Strategy<Value = Value> {
        prop_oneof![
            any::<bool>().prop_map(Value::Bool),
            int().prop_map(Value::Int),
            float().prop_map(Value::Float),
            any::<String>().prop_map(Value::string),
            "[a-zé'\"\\\\`\n\t ]{0,8}".prop_map(Value::string),
            temporal(),
        ]
    }

    fn property() -> impl Strategy<Value = Value> {
        prop_oneof![
            4 => scalar(),
            1 => prop::collection::vec(int().prop_map(Value::Int), 0..4).prop_map(Value::list),
            1 => prop::collection::vec(any::<String>().prop_map(Value::string), 0..4).prop_map(Value::list),
            1 => prop::collection::vec(float().prop_map(Value::Float), 0..4).prop_map(Value::list),
        ]
    }

    fn name() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "A",
            "Person",
            "with space",
            "back`tick",
            "Ünïcødé",
            "日本",
            "x1",
            "_",
        ])
        .prop_map(String::from)
    }

    type Props = Vec<(String, Value)>;

    #[derive(Clone, Debug)]
    struct Spec {
        nodes: Vec<(Vec<String>, Props)>,
        rels: Vec<(usize, usize, String, Props)>,
        deletes: Vec<usize>,
    }

    fn spec() -> impl Strategy<Value = Spec> {
        let props = || prop::collection::vec((name(), property()), 0..4);
        (
            prop::collection::vec((prop::collection::vec(name(), 0..3), props()), 1..8),
            prop::collection::vec((0usize..8, 0usize..8, name(), props()), 0..10),
            prop::collection::vec(0usize..8, 0..3),
        )
            .prop_map(|(nodes, rels, deletes)| Spec { nodes, rels, deletes })
    }

    /// Builds the graph through the store API, in one transaction; returns
    /// it with the changes that transaction committed.
    fn build(spec: &Spec) -> (Snapshot, quiver::store::Changes) {
        let mut g = Tx::new(Snapshot::empty(Arc::new(Catalog::default())), false);
        // An index on one of the names, kept up to date through replay.
        let (l, k) = (g.intern_label("Person"), g.intern_key("A"));
        g.create_index("ix", l, k);
        let mut ids = Vec::new();
        for (labels, props) in &spec.nodes {
            let labels: Vec<u32> = labels.iter().map(|l| g.intern_label(l)).collect();
            let props = props.iter().map(|(k, v)| (g.intern_key(k), v.clone())).collect();
            ids.push(g.create_node(&labels, props));
        }
        for (a, b, t, props) in &spec.rels {
            let (a, b) = (ids[a % ids.len()], ids[b % ids.len()]);
            let t = g.intern_type(t);
            let props = props.iter().map(|(k, v)| (g.intern_key(k), v.clone())).collect();
            g.create_relationship(a, b, t, props).unwrap();
        }
        for d in &spec.deletes {
            let _ = g.delete_node(ids[d % ids.len()], true);
        }
        let changes = g.changes();
        (g.into_snapshot(), changes)
    }

    fn dump(g: &dyn GraphRead) -> String {
        let mut out = Vec::new();
        quiver::storage::dump::write(g, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]

        #[test]
        fn bases_and_log_records_round_trip(spec in spec()) {
            let (g, changes) = build(&spec);
            let want = dump(&g);
            // Base: the graph laid out, read back from its bytes with names of its own.
            let built = BaseBuilder::from_view(&g).unwrap().finish(&g.catalog, 1, 0).unwrap();
            let other = Arc::new(Catalog::default());
            Tx::new(Snapshot::empty(other.clone()), false).intern_key("a key the base does not know, to shift the ids");
            let base = Base::open(Layout::new(built).into_backing(), &other).unwrap();
            prop_assert!(base.verify().is_ok());
            prop_assert_eq!(base.verify_indexes(), Ok(()));
            let back = Snapshot::over(Arc::new(base), other);
            prop_assert_eq!(dump(&back), want.clone());
            prop_assert_eq!(back.id_bounds(), g.id_bounds());
            // Log: the transaction's changes, replayed on an empty graph, give the same graph.
            let tx = codec::TxRecord { txid: 1, changes };
            let tx = codec::round_trip_tx(&tx).unwrap();
            let mut replayed = Snapshot::empty(Arc::new(Catalog::default()));
            replayed.apply(&tx.changes).unwrap();
            prop_assert_eq!(dump(&replayed), want);
            prop_assert_eq!(replayed.id_bounds(), g.id_bounds());
            prop_assert_eq!(replayed.indexes().len(), 1);
        }

        #[test]
        fn values_round_trip_bit_for_bit(v in prop::collection::vec(property(), 1..6)) {
            let list = Value::list(v);
            let back: Value = codec::round_trip_value(&list).unwrap();
            prop_assert_eq!(format!("{back:?}"), format!("{list:?}"));
            let (Value::List(a), Value::List(b)) = (&list, &back) else { unreachable!() };
            for (x, y) in a.iter().zip(b.iter()) {
                if let (Value::Float(x), Value::Float(y)) = (x, y) {
                    prop_assert_eq!(x.to_bits(), y.to_bits());
                }
            }
        }

        #[test]
        fn dumps_rebuild_the_graph(spec in spec()) {
            let (g, _) = build(&spec);
            let first = dump(&g);
            let db = Database::in_memory();
            for st in quiver::script::split(&first) {
                db.execute(&st.text, &Params::new()).unwrap_or_else(|e| panic!("{}: {e}", st.text));
            }
            prop_assert_eq!(db.counts(), (g.node_count(), g.relationship_count()));
            prop_assert_eq!(dump_text(&db), first);
        }
    }
}

#[test]
fn indexes_survive_the_log_and_checkpoints_and_stay_correct() {
    let (_d, path) = tmp();
    let mut db = Database::open(&path).unwrap();
    run(&mut db, "CREATE INDEX by_name FOR (p:P) ON (p.name)");
    run(
        &mut db,
        "UNWIND range(1, 50) AS i CREATE (:P {name: 'p' + toString(i)})",
    );
    run(&mut db, "MATCH (p:P {name: 'p7'}) SET p.name = 'seven'");
    run(&mut db, "MATCH (p:P {name: 'p8'}) DELETE p");
    run(&mut db, "MATCH (p:P {name: 'p9'}) REMOVE p:P");
    db.abandon();
    for round in 0..2 {
        let mut db = Database::open(&path).unwrap();
        let rows = run(&mut db, "SHOW INDEXES");
        assert_eq!(rows.len(), 1, "round {round}");
        let plan = db
            .execute("EXPLAIN MATCH (p:P {name: 'seven'}) RETURN p", &Params::new())
            .unwrap();
        assert!(plan.plan.unwrap().contains("NodeIndexSeek"));
        assert_eq!(count(&mut db, "MATCH (p:P {name: 'seven'}) RETURN count(p)"), 1);
        assert_eq!(count(&mut db, "MATCH (p:P {name: 'p8'}) RETURN count(p)"), 0);
        assert_eq!(count(&mut db, "MATCH (p:P {name: 'p9'}) RETURN count(p)"), 0);
        // Check reads beside the writer, the log included.
        let report = quiver::storage::check::check(&quiver::storage::file::RealFs, &path).unwrap();
        assert_eq!(report.indexes, vec!["by_name on :P(name)"]);
        db.close().unwrap(); // the second round reads it from the base
        let report = quiver::storage::check::check(&quiver::storage::file::RealFs, &path).unwrap();
        assert_eq!(report.indexes, vec!["by_name on :P(name)"]);
    }
    let mut db = Database::open(&path).unwrap();
    run(&mut db, "DROP INDEX by_name");
    db.abandon();
    let mut db = Database::open(&path).unwrap();
    assert!(run(&mut db, "SHOW INDEXES").is_empty());
}

/// Power is cut after the Nth file operation: every later one fails, and the
/// files are left as a power cut leaves them (only fsync'd bytes and
/// directory entries survive). Reopened, the database holds exactly the
/// acknowledged commits.
fn power_cut_run(cut_after: Option<u64>, seed: u64) -> Faults {
    let (_d, path) = tmp();
    let fs = FaultyFs::new(Faults {
        cut_after,
        ..Faults::default()
    });
    let options = OpenOptions {
        fs: Arc::new(fs.clone()),
        checkpoint_min_bytes: 250,
        ..OpenOptions::default()
    };
    let mut model = Database::in_memory();
    if let Ok(mut db) = Database::open_with(&path, &options) {
        for step in workload(seed, 30) {
            match run_step(&mut db, &step) {
                Ok(()) => run_step(&mut model, &step).unwrap(),
                Err(e) => {
                    assert_eq!(e.kind, quiver::ErrorKind::IoError, "{step:?}: {e}");
                    break;
                }
            }
        }
        db.abandon();
    }
    fs.power_cut().unwrap();
    let state_after = fs.state();
    let mut db = Database::open(&path).unwrap_or_else(|e| panic!("cut after {cut_after:?}: reopen: {e}"));
    assert_eq!(state(&mut db), state(&mut model), "cut after {cut_after:?} operations");
    state_after
}

#[test]
fn power_cuts_keep_exactly_the_acknowledged_commits() {
    for seed in [11, 12] {
        let clean = power_cut_run(None, seed);
        assert!(
            clean.ops > 20 && clean.renames >= 3,
            "ops {}, renames {}",
            clean.ops,
            clean.renames
        );
        for n in 0..=clean.ops {
            power_cut_run(Some(n), seed);
        }
    }
}

/// Constraints are kept in the log and in the base a checkpoint writes, are
/// enforced after reopening either way, and `quiver dump` recreates them.
#[test]
fn constraints_survive_reopening_and_checkpoints() {
    let (_dir, path) = tmp();
    let duplicate = "CREATE (:Book {isbn: '1'})";
    {
        let mut db = Database::open(&path).unwrap();
        run(
            &mut db,
            "CREATE CONSTRAINT book_isbn FOR (b:Book) REQUIRE b.isbn IS UNIQUE",
        );
        run(
            &mut db,
            "CREATE CONSTRAINT tags FOR (m:Movie) REQUIRE m.tags IS :: LIST<STRING NOT NULL>",
        );
        run(
            &mut db,
            "CREATE CONSTRAINT seq FOR ()-[r:NEXT]-() REQUIRE r.seq IS NOT NULL",
        );
        run(&mut db, duplicate);
    }
    let constraints = "SHOW CONSTRAINTS YIELD name, type, propertyType RETURN name + ' ' + type + ' ' + coalesce(propertyType, '-') AS c";
    let expected = vec![
        vec![Value::from("book_isbn UNIQUENESS -")],
        vec![Value::from("seq RELATIONSHIP_PROPERTY_EXISTENCE -")],
        vec![Value::from("tags NODE_PROPERTY_TYPE LIST<STRING NOT NULL>")],
    ];
    for round in ["log", "base"] {
        let mut db = Database::open(&path).unwrap();
        assert_eq!(run(&mut db, constraints), expected, "after reopening from the {round}");
        let e = db.execute(duplicate, &Params::new()).unwrap_err();
        assert_eq!(
            (e.kind.as_str(), e.code),
            ("Schema", "ConstraintValidationFailed"),
            "{round}"
        );
        let e = db.execute("CREATE (:Movie {tags: [1]})", &Params::new()).unwrap_err();
        assert_eq!(e.code, "ConstraintValidationFailed", "{round}");
        let e = db.execute("CREATE ()-[:NEXT]->()", &Params::new()).unwrap_err();
        assert_eq!(e.code, "ConstraintValidationFailed", "{round}");
        assert_eq!(count(&mut db, "MATCH (b:Book) RETURN count(b)"), 1);
        db.checkpoint().unwrap();
    }
    let db = Database::open(&path).unwrap();
    let text = dump_text(&db);
    assert!(
        text.contains("CREATE CONSTRAINT `book_isbn` FOR (n:`Book`) REQUIRE n.`isbn` IS UNIQUE;"),
        "{text}"
    );
    assert!(
        !text.contains("CREATE INDEX `book_isbn`"),
        "the constraint brings its index: {text}"
    );
    // The dump rebuilds the graph with its constraints.
    let mut copy = Database::in_memory();
    for statement in quiver::script::split(&text) {
        copy.execute(&statement.text, &Params::new()).unwrap();
    }
    assert_eq!(run(&mut copy, constraints), expected);
    assert!(copy.execute(duplicate, &Params::new()).is_err());
}

/// A bulk import into a graph with constraints is checked and, when it
/// breaks one, loads nothing.
#[test]
fn imports_meet_constraints() {
    let dir = tempfile::tempdir().unwrap();
    let nodes = dir.path().join("books.csv");
    std::fs::write(&nodes, "isbn:ID,title\n1,a\n2,b\n3,c\n").unwrap();
    let db = Database::in_memory();
    db.execute(
        "CREATE CONSTRAINT t FOR (b:Book) REQUIRE b.title IS UNIQUE",
        &Params::new(),
    )
    .unwrap();
    db.execute("CREATE (:Book {title: 'b'})", &Params::new()).unwrap();
    let spec = quiver::import::ImportSpec {
        nodes: vec![quiver::import::InputGroup {
            names: vec!["Book".into()],
            files: vec![nodes],
        }],
        ..Default::default()
    };
    let e = db.import(&spec).unwrap_err();
    assert_eq!(e.code, "ConstraintValidationFailed", "{e}");
    let r = db
        .execute("MATCH (b:Book) RETURN count(b) AS n", &Params::new())
        .unwrap();
    assert_eq!(r.rows, vec![vec![Value::Int(1)]]);
}

/// `CALL { ... } IN TRANSACTIONS` commits each batch on its own: a batch
/// that fails undoes only itself, and what was committed before it stays,
/// durably (after a crash too).
#[test]
fn in_transactions_commits_each_batch_durably() {
    let (_d, path) = tmp();
    let mut db = Database::open(&path).unwrap();
    let q = "CREATE (:Before) WITH 1 AS one UNWIND [1, 2, 3, 4, 0, 5] AS i \
             CALL (i) { CREATE (:N {v: 1 / i}) } IN TRANSACTIONS OF 2 ROWS";
    let e = db.execute(q, &Params::new()).unwrap_err();
    assert_eq!(e.code, "DivisionByZero", "{e}");
    assert_eq!(count(&mut db, "MATCH (n:N) RETURN count(n)"), 4);
    assert_eq!(count(&mut db, "MATCH (n:Before) RETURN count(n)"), 1);

    run(&mut db, "CREATE CONSTRAINT FOR (n:U) REQUIRE n.k IS UNIQUE");
    let r = db
        .execute(
            "UNWIND [1, 2, 2, 3] AS k CALL (k) { CREATE (:U {k: k}) } \
             IN TRANSACTIONS OF 1 ROW ON ERROR CONTINUE REPORT STATUS AS s \
             RETURN k, s.committed AS ok, s.errorMessage CONTAINS 'already' AS why",
            &Params::new(),
        )
        .unwrap();
    let flags: Vec<_> = r.rows.iter().map(|row| (row[1].clone(), row[2].clone())).collect();
    let (t, f, n) = (Value::Bool(true), Value::Bool(false), Value::Null);
    assert_eq!(
        flags,
        vec![(t.clone(), n.clone()), (t.clone(), n.clone()), (f, t.clone()), (t, n)],
        "{:?}",
        r.rows
    );
    assert_eq!(r.stats.nodes_created, 3, "the failed batch's node is not counted");

    // Inside an explicit transaction it cannot commit batches of its own.
    db.begin().unwrap();
    run(&mut db, "CREATE (:InTx)");
    let e = db
        .execute(
            "UNWIND [1] AS i CALL (i) { CREATE (:N) } IN TRANSACTIONS",
            &Params::new(),
        )
        .unwrap_err();
    assert_eq!(e.code, "ExplicitTransaction", "{e}");
    db.commit().unwrap();

    // LOAD CSV feeding the batches: the rows before the bad one's batch stay.
    let csv = path.with_extension("csv");
    let mut text = String::from("k\n");
    for k in 1..=100 {
        text.push_str(if k == 57 { "0\n" } else { "1\n" });
    }
    std::fs::write(&csv, text).unwrap();
    let q = format!(
        "LOAD CSV WITH HEADERS FROM '{}' AS row CALL (row) {{ CREATE (:Csv {{v: 1 / toInteger(row.k)}}) }} \
         IN TRANSACTIONS OF 10 ROWS",
        csv.display()
    );
    let e = db.execute(&q, &Params::new()).unwrap_err();
    assert_eq!(e.code, "DivisionByZero", "{e}");
    assert_eq!(count(&mut db, "MATCH (n:Csv) RETURN count(n)"), 50);

    db.abandon();
    let mut db = Database::open(&path).unwrap();
    assert_eq!(count(&mut db, "MATCH (n:Csv) RETURN count(n)"), 50);
    assert_eq!(count(&mut db, "MATCH (n:N) RETURN count(n)"), 4);
    assert_eq!(count(&mut db, "MATCH (n:Before) RETURN count(n)"), 1);
    assert_eq!(count(&mut db, "MATCH (n:U) RETURN count(n)"), 3);
    assert_eq!(count(&mut db, "MATCH (n:InTx) RETURN count(n)"), 1);
}

/// LOAD CSV into writes streams its records through the statement (see
/// exec/stream_write.rs); the graph is the same as when every row comes
/// first, and a bad record late in the file still undoes the whole statement.
#[test]
fn load_csv_writes_stream_and_stay_atomic() {
    let (d, path) = tmp();
    let mut db = Database::open(&path).unwrap();
    let nodes = d.path().join("nodes.csv");
    let rels = d.path().join("rels.csv");
    let mut n = String::from("id,name\n");
    for i in 0..1200 {
        // Every id twice: MERGE makes each node once.
        n.push_str(&format!("{},p{}\n", i % 600, i % 600));
    }
    std::fs::write(&nodes, n).unwrap();
    let mut r = String::from("a,b\n");
    for i in 0..2000 {
        r.push_str(&format!("{},{}\n", i % 600, (i * 7 + 1) % 600));
    }
    std::fs::write(&rels, &r).unwrap();
    run(&mut db, "CREATE INDEX FOR (p:P) ON (p.id)");
    let q = format!(
        "LOAD CSV WITH HEADERS FROM '{}' AS row MERGE (p:P {{id: toInteger(row.id)}}) ON CREATE SET p.name = row.name ON MATCH SET p.seen = true",
        nodes.display()
    );
    let made = db.execute(&q, &Params::new()).unwrap();
    assert_eq!(made.stats.nodes_created, 600);
    assert_eq!(count(&mut db, "MATCH (p:P) WHERE p.seen RETURN count(p)"), 600);
    let q = format!(
        "LOAD CSV WITH HEADERS FROM '{}' AS row MATCH (a:P {{id: toInteger(row.a)}}), (b:P {{id: toInteger(row.b)}}) CREATE (a)-[:R]->(b)",
        rels.display()
    );
    assert_eq!(
        db.execute(&q, &Params::new()).unwrap().stats.relationships_created,
        2000
    );
    assert_eq!(count(&mut db, "MATCH (:P {id: 0})-[r:R]->() RETURN count(r)"), 4);

    // A record near the end that fails: nothing of the statement stays.
    r.push_str("7,x\n");
    std::fs::write(&rels, &r).unwrap();
    let q = format!(
        "LOAD CSV WITH HEADERS FROM '{}' AS row MATCH (a:P {{id: toInteger(row.a)}}) CREATE (a)-[:R {{w: 1 / CASE row.b WHEN 'x' THEN 0 ELSE 1 END}}]->(a)",
        rels.display()
    );
    let e = db.execute(&q, &Params::new()).unwrap_err();
    assert_eq!(e.code, "DivisionByZero", "{e}");
    assert_eq!(count(&mut db, "MATCH ()-[r:R]->() RETURN count(r)"), 2000);
    drop(db);
    let mut db = Database::open(&path).unwrap();
    assert_eq!(count(&mut db, "MATCH ()-[r:R]->() RETURN count(r)"), 2000);
}
