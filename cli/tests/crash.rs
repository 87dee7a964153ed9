//! Crash test: a writer process is killed with SIGKILL at random points
//! while reader processes read beside it (and are killed too); no reader
//! ever sees part of a transaction or a state older than one it saw, and
//! after each kill the database holds every acknowledged commit (and every
//! commit a reader saw) and no part of any other.
//!
//! 50 kills by default; `QUIVER_CRASH_KILLS=1000 cargo test --release --test
//! crash -- --nocapture` runs longer, `QUIVER_CRASH_SEED=N` repeats a run.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use quiver::{Database, Params, Value};

const BIN: &str = env!("CARGO_BIN_EXE_quiver");
/// Nodes per auto-committed statement, and per explicit transaction.
const AUTO: i64 = 20;
const TX: i64 = 3;

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// The statements for step `k`: even-numbered fifth steps are explicit
/// transactions; each step ends with a line that reports `k` once it is
/// committed.
fn step(k: i64) -> String {
    if k % 5 == 0 {
        let mut s = String::from(":begin\n");
        for part in 0..TX {
            s.push_str(&format!("CREATE (:T {{i: {k}, part: {part}}});\n"));
        }
        s.push_str(&format!(":commit\nRETURN {k} AS done;\n"));
        s
    } else {
        format!("UNWIND range(1, {AUTO}) AS j CREATE (:N {{i: {k}, j: j, pad: 'some text to grow the log'}}) RETURN DISTINCT {k} AS done;\n")
    }
}

fn expected(k: i64) -> i64 {
    if k % 5 == 0 {
        TX
    } else {
        AUTO
    }
}

/// Per step, how many nodes the database holds.
/// Closes cleanly (a checkpoint) when `close`, else lets go as a crash would.
fn counts(path: &std::path::Path, close: bool) -> std::collections::BTreeMap<i64, i64> {
    let db = Database::open(path).unwrap_or_else(|e| panic!("reopen after a kill: {e}"));
    for w in db.take_warnings() {
        eprintln!("warning: {w}");
    }
    let r = db
        .execute("MATCH (n) RETURN n.i AS i, count(*) AS c", &Params::new())
        .unwrap();
    let mut out = std::collections::BTreeMap::new();
    for row in r.rows {
        if let [Value::Int(i), Value::Int(c)] = row[..] {
            out.insert(i, c);
        }
    }
    if close {
        db.close().unwrap();
    } else {
        db.abandon();
    }
    out
}

/// The lines a killed process wrote, up to the last one it finished: the
/// kill can land while an answer is half written, and a line without its
/// newline is that, not an answer.
fn whole_lines(out: impl std::io::Read) -> impl Iterator<Item = String> {
    let mut out = BufReader::new(out);
    std::iter::from_fn(move || {
        let mut line = String::new();
        match out.read_line(&mut line) {
            Ok(0) | Err(_) => None,
            Ok(_) => line.strip_suffix('\n').map(str::to_string),
        }
    })
}

/// What one reader saw: each answer's steps and their node counts.
type Seen = Vec<std::collections::BTreeMap<i64, i64>>;

/// A `--read-only` process asking for the whole state again and again.
struct Reader {
    child: std::process::Child,
    feeder: std::thread::JoinHandle<()>,
    collector: std::thread::JoinHandle<Result<Seen, String>>,
}

impl Reader {
    fn start(path: &std::path::Path) -> Reader {
        let mut child = Command::new(BIN)
            .arg(path)
            .args(["--read-only", "--format", "json"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let feeder = std::thread::spawn(move || {
            let q = b"MATCH (n) RETURN n.i AS i, count(*) AS c;\n";
            while stdin.write_all(q).is_ok() {
                std::thread::sleep(Duration::from_micros(300));
            }
        });
        let stdout = child.stdout.take().unwrap();
        let collector = std::thread::spawn(move || {
            let mut seen = Seen::new();
            for line in whole_lines(stdout) {
                let v: serde_json::Value = serde_json::from_str(&line).map_err(|e| format!("{e}: {line}"))?;
                if v.get("error").is_some() {
                    return Err(format!("a reader got an error: {line}"));
                }
                let mut state = std::collections::BTreeMap::new();
                for row in v["rows"].as_array().into_iter().flatten() {
                    state.insert(row[0].as_i64().unwrap(), row[1].as_i64().unwrap());
                }
                seen.push(state);
            }
            Ok(seen)
        });
        Reader {
            child,
            feeder,
            collector,
        }
    }

    /// Kills it and returns what it saw.
    fn kill(mut self) -> Seen {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.feeder.join().unwrap();
        self.collector.join().unwrap().unwrap_or_else(|e| panic!("{e}"))
    }
}

/// Every state a reader saw is whole (complete steps, a prefix of them) and
/// none is older than one before it; returns the last step it saw.
fn check_reader(round: usize, seen: &Seen) -> i64 {
    let mut last = -1;
    for state in seen {
        for (k, c) in state {
            assert_eq!(*c, expected(*k), "round {round}: a reader saw step {k} partial");
        }
        let steps: Vec<i64> = state.keys().copied().collect();
        let top = steps.last().copied().unwrap_or(-1);
        assert_eq!(
            steps,
            (0..=top).collect::<Vec<_>>(),
            "round {round}: a reader saw a gap"
        );
        assert!(top >= last, "round {round}: a reader saw step {top} after step {last}");
        last = top;
    }
    last
}

#[test]
fn every_acknowledged_commit_survives_sigkill() {
    let kills: usize = std::env::var("QUIVER_CRASH_KILLS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(50);
    let seed: u64 = std::env::var("QUIVER_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap();
            t.as_nanos() as u64 ^ std::process::id() as u64
        });
    eprintln!("crash test: {kills} kills, QUIVER_CRASH_SEED={seed}");
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.qv");
    Database::open(&path).unwrap().close().unwrap();
    let mut next: i64 = 0;
    let mut acked_total = 0usize;
    let mut reads = 0usize;
    for round in 0..kills {
        let mut readers = vec![Reader::start(&path), Reader::start(&path)];
        let mut child = Command::new(BIN)
            .arg(&path)
            .args(["--format", "json", "--checkpoint-after", "20000"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let first = next;
        let feeder = std::thread::spawn(move || {
            let mut k = first;
            // Until the pipe breaks (the writer was killed).
            while stdin.write_all(step(k).as_bytes()).is_ok() {
                k += 1;
            }
        });
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in whole_lines(stdout) {
                let v: serde_json::Value = serde_json::from_str(&line).unwrap();
                if v["columns"] == serde_json::json!(["done"]) {
                    let _ = tx.send(v["rows"][0][0].as_i64().unwrap());
                }
            }
        });
        // One reader killed at some point before the writer, one started in its place.
        let first_wait = rng.below(60);
        std::thread::sleep(Duration::from_millis(5 + first_wait));
        let mut seen_last = check_reader(round, &readers.remove(0).kill());
        readers.push(Reader::start(&path));
        std::thread::sleep(Duration::from_millis(rng.below(60)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        reader.join().unwrap();
        feeder.join().unwrap();
        let acked: Vec<i64> = rx.try_iter().collect();
        acked_total += acked.len();
        for r in readers {
            let seen = r.kill();
            reads += seen.len();
            seen_last = seen_last.max(check_reader(round, &seen));
        }
        let held = counts(&path, round % 2 == 0);
        for k in &acked {
            assert_eq!(
                held.get(k),
                Some(&expected(*k)),
                "round {round}: acknowledged step {k} lost or partial"
            );
        }
        for (k, c) in &held {
            assert_eq!(*c, expected(*k), "round {round}: step {k} is partial");
        }
        let present: Vec<i64> = held.keys().copied().collect();
        let last = present.last().copied().unwrap_or(-1);
        assert_eq!(
            present,
            (0..=last).collect::<Vec<_>>(),
            "round {round}: steps are a prefix"
        );
        assert!(
            seen_last <= last,
            "round {round}: a reader saw step {seen_last}, the database holds up to {last}"
        );
        let last_acked = acked.last().copied().unwrap_or(first - 1);
        assert!(
            last <= last_acked + 1,
            "round {round}: at most the one unacknowledged commit in flight"
        );
        next = last + 1;
    }
    eprintln!(
        "crash test: {acked_total} acknowledged commits over {kills} kills, {next} steps on disk, {reads} reads beside the writer"
    );
    assert!(acked_total > 0);
    assert!(reads > 0);
}
