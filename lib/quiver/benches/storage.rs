//! Storage figures (a plain timing program, not a timed test):
//!
//!     cargo bench --bench storage
//!
//! prints the median (and spread) of: the commit latency of a one-node
//! statement on a database file, bulk-load throughput into a file, and, for a
//! graph of 1M relationships (`QUIVER_BENCH_RELS` changes the size), the file
//! size and the time to open it from a checkpoint and from a log.

use std::time::{Duration, Instant};

use quiver::{Database, Params, Value};

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn spread(xs: &[Duration]) -> String {
    let mut v = xs.to_vec();
    v.sort();
    let p = |q: f64| v[((v.len() - 1) as f64 * q) as usize];
    format!("median {:?}, p10 {:?}, p90 {:?}, n={}", p(0.5), p(0.1), p(0.9), v.len())
}

fn run(db: &mut Database, q: &str) {
    db.execute(q, &Params::new()).unwrap_or_else(|e| panic!("{q}: {e}"));
}

fn size(path: &std::path::Path) -> u64 {
    let wal = quiver::storage::wal_path(path);
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) + std::fs::metadata(wal).map(|m| m.len()).unwrap_or(0)
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` would pass nothing useful.
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let rels: i64 = std::env::var("QUIVER_BENCH_RELS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir_in(std::env::var("QUIVER_BENCH_DIR").unwrap_or_else(|_| ".".into())).unwrap();
    println!("quiver storage figures (files in {})", dir.path().display());

    // 1. Commit latency: one auto-committed one-node statement, fsync included.
    let path = dir.path().join("latency.qv");
    let db = Database::open(&path).unwrap();
    let mut times = Vec::new();
    for i in 0..300 {
        let mut p = Params::new();
        p.insert("i".into(), Value::Int(i));
        let t = Instant::now();
        db.execute("CREATE (:N {i: $i})", &p).unwrap();
        times.push(t.elapsed());
    }
    println!("commit latency, CREATE (:N {{i: $i}}): {}", spread(&times));
    drop(db);

    // 2. Bulk load: 100k nodes (two properties each) in one statement,
    //    and in 100 statements of 1000 inside one explicit transaction.
    let mut one = Vec::new();
    let mut tx = Vec::new();
    for round in 0..5 {
        let path = dir.path().join(format!("bulk{round}.qv"));
        let mut db = Database::open(&path).unwrap();
        let t = Instant::now();
        run(
            &mut db,
            "UNWIND range(1, 100000) AS i CREATE (:N {i: i, name: 'node ' + toString(i)})",
        );
        one.push(t.elapsed());
        let t = Instant::now();
        db.begin().unwrap();
        for b in 0..100 {
            run(
                &mut db,
                &format!(
                    "UNWIND range({}, {}) AS i CREATE (:M {{i: i, name: 'node ' + toString(i)}})",
                    b * 1000,
                    b * 1000 + 999
                ),
            );
        }
        db.commit().unwrap();
        tx.push(t.elapsed());
    }
    let per_sec = |d: Duration| 100_000.0 / d.as_secs_f64();
    println!(
        "bulk load, 100k nodes in one statement: {:.0} nodes/s ({})",
        per_sec(median(one.clone())),
        spread(&one)
    );
    println!(
        "bulk load, 100k nodes in 100 statements of one transaction: {:.0} nodes/s ({})",
        per_sec(median(tx.clone())),
        spread(&tx)
    );

    // 3. A graph of `rels` relationships: 10 per node.
    let nodes = rels / 10;
    let path = dir.path().join("big.qv");
    // No automatic checkpoint: the open below replays the whole log.
    let keep_log = quiver::OpenOptions {
        checkpoint_min_bytes: u64::MAX,
        ..quiver::OpenOptions::default()
    };
    let mut db = Database::open_with(&path, &keep_log).unwrap();
    let t = Instant::now();
    db.begin().unwrap();
    run(&mut db, "CREATE INDEX by_i FOR (n:N) ON (n.i)");
    run(
        &mut db,
        &format!(
            "UNWIND range(0, {}) AS i CREATE (:N {{i: i, name: 'node ' + toString(i)}})",
            nodes - 1
        ),
    );
    run(
        &mut db,
        &format!(
            "MATCH (a:N) UNWIND range(1, 10) AS k MATCH (b:N {{i: (a.i * 7 + k * 13) % {nodes}}}) CREATE (a)-[:R {{k: k}}]->(b)"
        ),
    );
    db.commit().unwrap();
    let load = t.elapsed();
    assert_eq!(db.counts(), (nodes as usize, rels as usize));
    let log_size = size(&path);
    println!(
        "graph of {rels} relationships, {nodes} nodes: loaded in one transaction in {load:?} ({:.0} relationships/s); file + log {:.1} MB",
        rels as f64 / load.as_secs_f64(),
        log_size as f64 / 1e6
    );
    db.abandon();
    let mut opens = Vec::new();
    let t = Instant::now();
    let db = Database::open_with(&path, &keep_log).unwrap();
    opens.push(t.elapsed());
    println!(
        "open replaying the log (one {:.1} MB record): {:?}",
        log_size as f64 / 1e6,
        opens[0]
    );
    let t = Instant::now();
    db.close().unwrap();
    println!("checkpoint on close: {:?}", t.elapsed());
    println!(
        "file size after the checkpoint: {:.1} MB ({:.1} bytes per relationship)",
        size(&path) as f64 / 1e6,
        size(&path) as f64 / rels as f64
    );
    let mut opens = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let db = Database::open(&path).unwrap();
        opens.push(t.elapsed());
        db.abandon();
    }
    println!("open from the checkpoint: {}", spread(&opens));
}
