//! The file formats: bases (the current format, read in place) written by
//! checkpoints and read back; files of the first format (snapshots of
//! codec 1 and 2, and their logs) opening and rewritten at the next
//! checkpoint; damage refused with an error, never a panic.

#![allow(clippy::result_large_err)]

use std::path::{Path, PathBuf};

use quiver::storage::legacy::{self, Header};
use quiver::storage::{check, codec, file::RealFs};
use quiver::{Database, Params, Value};

fn run(db: &mut Database, q: &str) -> Vec<Vec<Value>> {
    db.execute(q, &Params::new())
        .unwrap_or_else(|e| panic!("{q}: {e}"))
        .rows
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

/// A graph with every kind of property value, deletions (gaps in the ids),
/// several labels and types, and an index.
const SETUP: &[&str] = &[
    "CREATE INDEX by_n FOR (p:P) ON (p.n)",
    "UNWIND range(0, 40) AS i CREATE (:P:Q {n: i, s: 'p' + toString(i), f: i / 3.0, b: i % 2 = 0})",
    "MATCH (a:P), (b:P) WHERE b.n = (a.n * 7) % 41 CREATE (a)-[:R {w: a.n}]->(b)",
    "MATCH (a:P {n: 3}), (b:P {n: 4}) CREATE (a)-[:S]->(b), (b)-[:S {l: [1, 2, 3], t: ['x', 'y']}]->(b)",
    "CREATE (:T {d: date('2024-02-29'), dt: datetime('2024-01-01T10:00:00[Europe/Stockholm]'), \
     du: duration('P1Y2M3DT4H'), lt: localtime('12:34:56.789'), fl: [1.5, -0.0], ds: [date('2020-01-01')], e: '', u: 'ünï日本'})",
    "MATCH (p:P) WHERE p.n % 5 = 0 DETACH DELETE p",
    "CREATE (:P {n: 1.0})",
    "MATCH (p:P {n: 2}) REMOVE p:Q SET p.n = -9223372036854775808",
];

fn sample_graph() -> (Database, tempfile::TempDir, PathBuf) {
    let (d, path) = tmp();
    let mut db = Database::open(&path).unwrap();
    for q in SETUP {
        run(&mut db, q);
    }
    db.checkpoint().unwrap();
    (db, d, path)
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// A copy of a fixture (with its log, if it has one) in a fresh directory.
fn copy_fixture(name: &str) -> (tempfile::TempDir, PathBuf) {
    let (d, path) = tmp();
    std::fs::copy(fixture(name), &path).unwrap();
    let wal = fixture(&format!("{name}-wal"));
    if wal.exists() {
        std::fs::copy(wal, quiver::storage::wal_path(&path)).unwrap();
    }
    (d, path)
}

fn version_of(path: &Path) -> u32 {
    let b = std::fs::read(path).unwrap();
    u32::from_le_bytes(b[8..12].try_into().unwrap())
}

#[test]
fn bases_round_trip_through_their_files() {
    let (db, _d, path) = sample_graph();
    let before = dump_text(&db);
    drop(db);
    assert_eq!(version_of(&path), quiver::store::base::VERSION);
    let report = check::check(&RealFs, &path).unwrap();
    assert_eq!(
        (report.format_version, report.codec),
        (quiver::store::base::VERSION, None)
    );
    assert_eq!(report.wal_records, 0);
    let mut db = Database::open(&path).unwrap();
    assert_eq!(dump_text(&db), before);
    assert_eq!(run(&mut db, "MATCH (p:P {n: 1}) RETURN count(p)")[0][0], Value::Int(2));
    // Ids and their counters come back as they were.
    assert_eq!(run(&mut db, "MATCH (p:P {n: 4}) RETURN id(p)")[0][0], Value::Int(4));
    let next = run(&mut db, "CREATE (n) RETURN id(n)")[0][0].clone();
    assert_eq!(next, Value::Int(43), "ids are never reused");
}

#[test]
fn files_of_the_first_format_open_and_are_rewritten_at_the_next_checkpoint() {
    // (file, its codec, the id of the node its log made, the next node id)
    for (name, codec, grace, next) in [
        ("v1-codec2.qv", codec::CODEC, Some(4), 5),
        ("v1-codec1.qv", codec::CODEC_BINCODE, None, 4),
    ] {
        let want = std::fs::read_to_string(fixture(&name.replace(".qv", ".dump"))).unwrap();
        let (_d, path) = copy_fixture(name);
        let report = check::check(&RealFs, &path).unwrap();
        assert_eq!((report.format_version, report.codec), (1, Some(codec)), "{name}");
        // Read-only first: nothing is rewritten.
        let ro = Database::open_read_only(&path).unwrap();
        assert_eq!(dump_text(&ro), want, "{name}");
        drop(ro);
        assert_eq!(version_of(&path), 1);
        let mut db = Database::open(&path).unwrap();
        assert_eq!(dump_text(&db), want, "{name}");
        // Ids as the old file had them (node 3 was deleted: never given again).
        let found: Vec<Value> = run(&mut db, "MATCH (p {name: 'Grace'}) RETURN id(p)")
            .into_iter()
            .map(|r| r[0].clone())
            .collect();
        assert_eq!(found, grace.map(Value::Int).into_iter().collect::<Vec<_>>(), "{name}");
        assert_eq!(
            run(&mut db, "CREATE (n:New) RETURN id(n)")[0][0],
            Value::Int(next),
            "{name}"
        );
        db.close().unwrap();
        assert_eq!(version_of(&path), quiver::store::base::VERSION, "{name}: rewritten");
        let mut db = Database::open(&path).unwrap();
        assert_eq!(run(&mut db, "MATCH (n:New) RETURN count(n)")[0][0], Value::Int(1));
        assert_eq!(
            run(&mut db, "MATCH (p:Person {name: 'Ada'}) RETURN p.score")[0][0],
            Value::Float(9.5)
        );
    }
}

#[test]
fn newer_versions_and_unknown_codecs_are_refused_clearly() {
    let (db, _d, path) = sample_graph();
    drop(db);
    let mut b = std::fs::read(&path).unwrap();
    let newer = quiver::store::base::VERSION + 1;
    b[8..12].copy_from_slice(&newer.to_le_bytes());
    std::fs::write(&path, &b).unwrap();
    let e = Database::open(&path).err().expect("refused");
    assert_eq!(e.code, "UnsupportedFile");
    assert!(
        e.message
            .contains(&format!("newer quiver (file format version {newer}")),
        "{e}"
    );
    // A first-format file of an unknown codec.
    let (_d2, old) = copy_fixture("v1-codec2.qv");
    let (header, payload) = legacy::verify(&old, &std::fs::read(&old).unwrap()).unwrap();
    let h = Header { codec: 7, ..header };
    std::fs::write(&old, legacy::file_bytes(&h, &payload)).unwrap();
    let e = Database::open(&old).err().expect("refused");
    assert_eq!(e.code, "UnsupportedFile");
    assert!(e.message.contains("codec 7"), "{e}");
}

/// Damage the checksums do not catch (a payload rewritten with fresh
/// checksums): every single-byte change and every truncation is either read
/// as some graph or refused with an error; never a panic.
#[test]
fn damaged_first_format_payloads_are_refused_without_panics() {
    let old = fixture("v1-codec2.qv");
    let (_, bytes) = legacy::verify(&old, &std::fs::read(&old).unwrap()).unwrap();
    let decode = |b: &[u8]| {
        let catalog = quiver::store::Catalog::default();
        codec::decode_legacy(codec::CODEC, &mut quiver::storage::snapshot::Slice(b), &catalog)
            .ok()
            .and_then(|builder| builder.finish(&catalog, 1, 0).ok())
    };
    assert!(decode(&bytes).is_some());
    let mut refused = 0;
    for i in 0..bytes.len() {
        for x in [0x01u8, 0x80, 0xff] {
            let mut b = bytes.clone();
            b[i] ^= x;
            if decode(&b).is_none() {
                refused += 1;
            }
        }
    }
    for n in 0..bytes.len() {
        assert!(decode(&bytes[..n]).is_none(), "cut at {n}");
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(decode(&longer).is_none());
    assert!(refused > bytes.len(), "most damage is noticed: {refused}");
}

#[test]
fn a_damaged_first_format_payload_with_good_checksums_is_reported_as_damage() {
    let (_d, path) = copy_fixture("v1-codec2.qv");
    let (header, mut bytes) = legacy::verify(&path, &std::fs::read(&path).unwrap()).unwrap();
    // The node count, just after the layout byte and the two counters.
    bytes[3] = 0x7f;
    std::fs::write(&path, legacy::file_bytes(&header, &bytes)).unwrap();
    let e = Database::open(&path).err().expect("refused");
    assert_eq!(e.code, "CorruptFile");
    assert!(e.message.contains("g.qv is damaged at offset 64"), "{e}");
}

/// A base's first pages (header, metadata, directory) are checked on open;
/// its sections by `quiver check`. Damage anywhere is refused or, inside a
/// section, read as some graph: never a panic, never a hang.
#[test]
fn damaged_bases_are_refused_or_read_without_panics() {
    let (db, _d, path) = sample_graph();
    drop(db);
    let good = std::fs::read(&path).unwrap();
    let meta_end = {
        // Where the first section starts: the end of the checked pages.
        let dir_off = u64::from_le_bytes(good[80..88].try_into().unwrap()) as usize;
        let dir_len = u64::from_le_bytes(good[88..96].try_into().unwrap()) as usize;
        dir_off + dir_len
    };
    let mut positions: Vec<usize> = (0..meta_end).step_by(7).collect();
    positions.extend((meta_end..good.len()).step_by(997));
    let queries = [
        "MATCH (n) RETURN count(n)",
        "MATCH (a)-[r]->(b) RETURN a.n, type(r), b.s, r.l ORDER BY a.n LIMIT 5",
        "MATCH (p:P) WHERE p.n > 10 RETURN p.s, p.f, p.b",
        "MATCH (t:T) RETURN properties(t)",
    ];
    let mut refused_on_open = 0;
    let mut found_by_check = 0;
    for at in positions {
        let mut b = good.clone();
        b[at] ^= 0x5a;
        std::fs::write(&path, &b).unwrap();
        match Database::open_read_only(&path) {
            Err(e) => {
                assert!(matches!(e.code, "CorruptFile" | "UnsupportedFile"), "byte {at}: {e}");
                refused_on_open += 1;
            }
            Ok(db) => {
                for q in queries {
                    let _ = db.execute(q, &Params::new());
                }
                if check::check(&RealFs, &path).is_err() {
                    found_by_check += 1;
                }
            }
        }
    }
    assert!(
        refused_on_open > 0 && found_by_check > 0,
        "{refused_on_open} / {found_by_check}"
    );
    std::fs::write(&path, &good).unwrap();
    check::check(&RealFs, &path).unwrap();
    // Cut short anywhere: refused.
    for n in [0usize, 100, 4096, good.len() / 2, good.len() - 1] {
        std::fs::write(&path, &good[..n]).unwrap();
        assert!(Database::open_read_only(&path).is_err(), "cut at {n}");
    }
}

// ---- bulk imports commit by writing a base ----

mod bulk_import {
    use std::sync::Arc;

    use quiver::import::{ImportSpec, InputGroup};
    use quiver::storage::file::{Faults, FaultyFs};
    use quiver::OpenOptions;

    use super::*;

    fn files(dir: &std::path::Path) -> ImportSpec {
        let p = dir.join("p.csv");
        let k = dir.join("k.csv");
        let mut persons = String::from("id:ID,name,age:int\n");
        let mut knows = String::from(":START_ID,:END_ID,since:int\n");
        for i in 0..50 {
            persons.push_str(&format!("{i},n{i},{}\n", i % 90));
            knows.push_str(&format!("{i},{},{}\n", (i * 7) % 50, 2000 + i));
        }
        std::fs::write(&p, persons).unwrap();
        std::fs::write(&k, knows).unwrap();
        ImportSpec {
            nodes: vec![InputGroup::file(&p).with_names(["Person"])],
            relationships: vec![InputGroup::file(&k).with_names(["KNOWS"])],
            ..ImportSpec::default()
        }
    }

    fn counts(db: &mut Database) -> (i64, i64) {
        let n = run(db, "MATCH (n) RETURN count(n)")[0][0].clone();
        let r = run(db, "MATCH ()-[r]->() RETURN count(r)")[0][0].clone();
        match (n, r) {
            (Value::Int(n), Value::Int(r)) => (n, r),
            other => panic!("{other:?}"),
        }
    }

    /// One step of a session: the nodes and relationships it adds.
    type Step<'a> = dyn Fn(&mut Database) -> Result<(i64, i64), quiver::Error> + 'a;

    /// Power is cut after the Nth file operation of a session that commits a
    /// statement, imports, and commits another: reopened, the database
    /// holds the import whole if it was acknowledged, and none of it if not.
    fn power_cut_run(cut_after: Option<u64>) -> Faults {
        let (d, path) = tmp();
        let spec = files(d.path());
        let fs = FaultyFs::new(Faults {
            cut_after,
            ..Faults::default()
        });
        let options = OpenOptions {
            fs: Arc::new(fs.clone()),
            ..OpenOptions::default()
        };
        let mut expected = (0, 0);
        if let Ok(mut db) = Database::open_with(&path, &options) {
            let steps: [&Step<'_>; 3] = [
                &|db| db.execute("CREATE (:Old)-[:R]->(:Old)", &Params::new()).map(|_| (2, 1)),
                &|db| db.import(&spec).map(|_| (50, 50)),
                &|db| db.execute("CREATE (:After)", &Params::new()).map(|_| (1, 0)),
            ];
            for step in steps {
                let before = db.counts();
                match step(&mut db) {
                    Ok((n, r)) => {
                        expected = (expected.0 + n, expected.1 + r);
                    }
                    Err(e) => {
                        assert_eq!(e.kind, quiver::ErrorKind::IoError, "{e}");
                        assert_eq!(db.counts(), before, "a failed step leaves the graph as it was");
                        break;
                    }
                }
            }
            db.abandon();
        }
        fs.power_cut().unwrap();
        let state = fs.state();
        let mut db = Database::open(&path).unwrap_or_else(|e| panic!("cut after {cut_after:?}: reopen: {e}"));
        assert_eq!(counts(&mut db), expected, "cut after {cut_after:?} operations");
        state
    }

    #[test]
    fn power_cuts_keep_an_import_whole_or_not_at_all() {
        let clean = power_cut_run(None);
        assert!(clean.renames >= 2, "the import wrote a snapshot: {clean:?}");
        for n in 0..=clean.ops {
            power_cut_run(Some(n));
        }
    }

    #[test]
    fn a_failed_snapshot_write_leaves_the_database_as_it_was() {
        for fail in 1..12 {
            let (d, path) = tmp();
            let spec = files(d.path());
            let fs = FaultyFs::new(Faults {
                fail_write: Some(fail),
                ..Faults::default()
            });
            let options = OpenOptions {
                fs: Arc::new(fs.clone()),
                ..OpenOptions::default()
            };
            let Ok(mut db) = Database::open_with(&path, &options) else {
                continue;
            };
            let first = db.execute("CREATE (:Old)", &Params::new()).is_ok();
            let imported = db.import(&spec).is_ok();
            let mut want = (first as i64, 0);
            if imported {
                want = (want.0 + 50, 50);
            }
            assert_eq!(counts(&mut db), want, "fault at write {fail}");
            drop(db);
            let mut db = Database::open(&path).unwrap();
            assert_eq!(counts(&mut db), want, "fault at write {fail}, reopened");
            assert_eq!(
                run(&mut db, "MATCH (a:Person {id: '3'})-[:KNOWS]->(b) RETURN b.name").len(),
                imported as usize
            );
        }
    }
}
