//! The snapshot payload layout (codec 2): round trips, files of the older
//! codec 1, and damage that the frame checksums cannot see.

#![allow(clippy::result_large_err)]

use std::path::PathBuf;

use quiver::storage::codec;
use quiver::storage::format::{self, Header};
use quiver::store::Graph;
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

/// The payload of the file at `path`, after checking its frames.
fn payload(path: &PathBuf) -> (Header, Vec<u8>) {
    let bytes = std::fs::read(path).unwrap();
    format::verify(path, &bytes).unwrap()
}

#[test]
fn snapshots_round_trip_and_the_graph_encodes_as_its_image_does() {
    let (db, _d, path) = sample_graph();
    let before = dump_text(&db);
    drop(db);
    let (header, bytes) = payload(&path);
    assert_eq!(header.codec, codec::CODEC);
    // The graph read back encodes to the very same bytes, through its image
    // and walking the store.
    let image = codec::decode_image(&bytes).unwrap();
    let g = Graph::from_image(image).unwrap();
    assert_eq!(codec::encode_image(&g.image()).unwrap(), bytes);
    assert_eq!(codec::encode_graph(&g).unwrap(), bytes);
    let direct = codec::decode_snapshot(codec::CODEC, &bytes).unwrap();
    assert_eq!(codec::encode_graph(&direct).unwrap(), bytes);
    assert_eq!(direct.verify_indexes(), Ok(()));
    let mut db = Database::open(&path).unwrap();
    assert_eq!(dump_text(&db), before);
    assert_eq!(run(&mut db, "MATCH (p:P {n: 1}) RETURN count(p)")[0][0], Value::Int(2));
}

#[test]
fn files_of_the_older_codec_still_open_and_are_rewritten_in_the_new_one() {
    let (db, _d, path) = sample_graph();
    let before = dump_text(&db);
    drop(db);
    // Rewrite the file as an earlier quiver wrote it: codec 1 (bincode).
    let (header, bytes) = payload(&path);
    let g = codec::decode_snapshot(codec::CODEC, &bytes).unwrap();
    let old = codec::encode_image_bincode(&g.image()).unwrap();
    let old_header = Header {
        codec: codec::CODEC_BINCODE,
        payload_len: old.len() as u64,
        ..header
    };
    std::fs::write(&path, format::file_bytes(&old_header, &old)).unwrap();
    let report = quiver::storage::check::check(&quiver::storage::file::RealFs, &path).unwrap();
    assert_eq!(report.codec, codec::CODEC_BINCODE);

    let mut db = Database::open(&path).unwrap();
    assert_eq!(dump_text(&db), before);
    run(&mut db, "CREATE (:New)");
    db.close().unwrap();
    let (header, _) = payload(&path);
    assert_eq!(header.codec, codec::CODEC, "the checkpoint wrote the new codec");
    let mut db = Database::open(&path).unwrap();
    assert_eq!(run(&mut db, "MATCH (n:New) RETURN count(n)")[0][0], Value::Int(1));
}

#[test]
fn unknown_codecs_are_refused_clearly() {
    let (db, _d, path) = sample_graph();
    drop(db);
    let (header, bytes) = payload(&path);
    let h = Header { codec: 7, ..header };
    std::fs::write(&path, format::file_bytes(&h, &bytes)).unwrap();
    let e = Database::open(&path).err().expect("refused");
    assert_eq!(e.code, "UnsupportedFile");
    assert!(e.message.contains("codec 7"), "{e}");
}

/// Damage the checksums do not catch (a payload rewritten with fresh
/// checksums): every single-byte change and every truncation is either read
/// as some graph or refused with an error; never a panic.
#[test]
fn damaged_payloads_are_refused_without_panics() {
    let (db, _d, path) = sample_graph();
    drop(db);
    let (_, bytes) = payload(&path);
    let mut refused = 0;
    for i in 0..bytes.len() {
        for x in [0x01u8, 0x80, 0xff] {
            let mut b = bytes.clone();
            b[i] ^= x;
            match codec::decode_snapshot(codec::CODEC, &b) {
                Ok(g) => {
                    let _ = g.verify_indexes();
                }
                Err(_) => refused += 1,
            }
        }
    }
    for n in 0..bytes.len() {
        assert!(codec::decode_snapshot(codec::CODEC, &bytes[..n]).is_err(), "cut at {n}");
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(codec::decode_snapshot(codec::CODEC, &longer).is_err());
    assert!(refused > bytes.len(), "most damage is noticed: {refused}");
}

#[test]
fn a_damaged_payload_with_good_checksums_is_reported_as_damage() {
    let (db, _d, path) = sample_graph();
    drop(db);
    let (header, mut bytes) = payload(&path);
    // The node count, just after the layout byte and the two counters.
    bytes[3] = 0x7f;
    std::fs::write(&path, format::file_bytes(&header, &bytes)).unwrap();
    let e = Database::open(&path).err().expect("refused");
    assert_eq!(e.code, "CorruptFile");
    assert!(e.message.contains("g.qv is damaged at offset 64"), "{e}");
}

// ---- bulk imports commit by writing a snapshot ----

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
