//! Loading data from files: `LOAD CSV` and bulk import (the library, the
//! REPL's `:import` and the command line).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use quiver::import::{IdType, ImportSpec, InputGroup};
use quiver::{Database, ErrorKind, Params, QueryResult, Value};

const BIN: &str = env!("CARGO_BIN_EXE_quiver");

#[path = "../../lib/quiver/tests/common/mod.rs"]
mod common;

use common::{rows, run};

/// `count(p)` of `:Person` in `graph.qv`, as quiver's CSV output.
fn persons_in_graph_file(f: &Files) -> String {
    let q = "MATCH (p:Person) RETURN count(p) AS n";
    let o = quiver(&["graph.qv", "--format", "csv", "-c", q], f.path());
    text(&o.stdout).replace("\r\n", "\n")
}

/// A directory of test files that goes away with the test.
struct Files {
    dir: tempfile::TempDir,
}

impl Files {
    fn new() -> Files {
        Files {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn add(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::File::create(&p).unwrap().write_all(text.as_bytes()).unwrap();
        p
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

fn spec(nodes: Vec<InputGroup>, relationships: Vec<InputGroup>) -> ImportSpec {
    ImportSpec {
        nodes,
        relationships,
        ..ImportSpec::default()
    }
}

// ---- LOAD CSV ------------------------------------------------------------

fn run_with(db: &mut Database, q: &str, params: &[(&str, Value)]) -> Result<QueryResult, quiver::Error> {
    let mut p = Params::new();
    for (k, v) in params {
        p.insert(k.to_string(), v.clone());
    }
    db.execute(q, &p)
}

fn url(p: &Path) -> String {
    format!("file://{}", p.display())
}

#[test]
fn load_csv_without_headers_gives_lists_of_strings() {
    let f = Files::new();
    let p = f.add("a.csv", "1,Ada,\n2,\"Turing, Alan\",\"\"\n\n3\n");
    let mut db = Database::in_memory();
    assert_eq!(
        rows(
            &mut db,
            &format!("LOAD CSV FROM '{}' AS row RETURN row, linenumber() AS line", url(&p))
        ),
        vec!["['1', 'Ada', null] | 1", "['2', 'Turing, Alan', ''] | 2", "['3'] | 4"]
    );
}

#[test]
fn load_csv_with_headers_gives_maps_and_creates_nodes() {
    let f = Files::new();
    let p = f.add("people.csv", "name,age,city\nAda,36,London\nAlan,41,\n");
    let mut db = Database::in_memory();
    let r = run(
        &mut db,
        &format!(
            "LOAD CSV WITH HEADERS FROM '{}' AS row CREATE (:Person {{name: row.name, age: toInteger(row.age), city: row.city}})",
            url(&p)
        ),
    );
    assert_eq!(r.stats.nodes_created, 2);
    assert_eq!(r.stats.properties_set, 5);
    assert_eq!(
        rows(&mut db, "MATCH (p:Person) RETURN p.name, p.age, p.city ORDER BY p.name"),
        vec!["'Ada' | 36 | 'London'", "'Alan' | 41 | null"]
    );
    // The row itself, with the header's names; file() is the absolute path.
    let canonical = std::fs::canonicalize(&p).unwrap();
    assert_eq!(
        rows(
            &mut db,
            &format!(
                "LOAD CSV WITH HEADERS FROM '{}' AS row RETURN row, linenumber(), file() = '{}'",
                url(&p),
                canonical.display()
            )
        ),
        vec![
            "{age: '36', city: 'London', name: 'Ada'} | 2 | true",
            "{age: '41', city: null, name: 'Alan'} | 3 | true"
        ]
    );
}

#[test]
fn load_csv_paths_parameters_and_field_terminators() {
    let f = Files::new();
    let p = f.add("semi.csv", "a;b\n1;\"x;y\"\n");
    let t = f.add("tab.tsv", "a\tb\n1\t2\n");
    let mut db = Database::in_memory();
    // A plain path, relative to the working directory, or absolute.
    assert_eq!(
        rows(
            &mut db,
            &format!(
                "LOAD CSV WITH HEADERS FROM '{}' AS r FIELDTERMINATOR ';' RETURN r.a, r.b",
                p.display()
            )
        ),
        vec!["'1' | 'x;y'"]
    );
    let r = run_with(
        &mut db,
        "LOAD CSV WITH HEADERS FROM $url AS r FIELDTERMINATOR '\\t' RETURN r.b AS b",
        &[("url", Value::from(url(&t)))],
    )
    .unwrap();
    assert_eq!(r.rows, vec![vec![Value::from("2")]]);
    // A URL per row: LOAD CSV runs once for each incoming row.
    let r = run_with(
        &mut db,
        "UNWIND $urls AS u LOAD CSV FROM u AS r RETURN count(*) AS n",
        &[(
            "urls",
            Value::list(vec![Value::from(url(&t)), Value::from(t.display().to_string())]),
        )],
    )
    .unwrap();
    assert_eq!(r.rows, vec![vec![Value::Int(4)]]);
    // Outside LOAD CSV, linenumber() and file() are null.
    assert_eq!(rows(&mut db, "RETURN linenumber(), file()"), vec!["null | null"]);
}

#[test]
fn load_csv_merges_and_matches() {
    let f = Files::new();
    let people = f.add("people.csv", "name\nAda\nAlan\nAda\n");
    let knows = f.add("knows.csv", "from,to\nAda,Alan\nAlan,Ada\n");
    let mut db = Database::in_memory();
    let r = run(
        &mut db,
        &format!(
            "LOAD CSV WITH HEADERS FROM '{}' AS row MERGE (p:Person {{name: row.name}}) ON CREATE SET p.line = linenumber()",
            url(&people)
        ),
    );
    assert_eq!(r.stats.nodes_created, 2);
    let r = run(
        &mut db,
        &format!(
            "LOAD CSV WITH HEADERS FROM '{}' AS row MATCH (a:Person {{name: row.from}}), (b:Person {{name: row.to}}) CREATE (a)-[:KNOWS]->(b)",
            url(&knows)
        ),
    );
    assert_eq!(r.stats.relationships_created, 2);
    assert_eq!(
        rows(
            &mut db,
            "MATCH (a)-[:KNOWS]->(b) RETURN a.name, a.line, b.name ORDER BY a.name"
        ),
        vec!["'Ada' | 2 | 'Alan'", "'Alan' | 3 | 'Ada'"]
    );
}

/// The records are read a few batches ahead of the statement: a large file
/// gives every record in order with its line, a statement that stops early
/// (LIMIT) or fails part way lets go of the file, and a bad record far into
/// the file fails the statement after the rows before it, as a short one does.
#[test]
fn load_csv_reads_large_files_ahead_in_order() {
    let f = Files::new();
    let n = 20_000;
    let mut text = String::from("i,sq\n");
    for i in 0..n {
        text.push_str(&format!("{i},{}\n", i * i));
    }
    let big = f.add("big.csv", &text);
    let mut bad = text.clone();
    bad.push_str("oops\n");
    let bad = f.add("bad.csv", &bad);
    let mut db = Database::in_memory();
    let got = rows(
        &mut db,
        &format!(
            "LOAD CSV WITH HEADERS FROM '{}' AS r WITH toInteger(r.i) AS i, toInteger(r.sq) AS sq, linenumber() AS l \
             RETURN count(*) AS n, sum(i) AS s, min(l) AS first, max(l) AS last, \
             all(ok IN collect(sq = i * i AND l = i + 2) WHERE ok) AS ordered",
            url(&big)
        ),
    );
    let want = format!("{n} | {} | 2 | {} | true", n * (n - 1) / 2, n + 1);
    assert_eq!(got, vec![want]);
    for _ in 0..20 {
        let got = rows(
            &mut db,
            &format!("LOAD CSV FROM '{}' AS r RETURN r[0] AS i LIMIT 3", url(&big)),
        );
        assert_eq!(got, vec!["'i'", "'0'", "'1'"]);
    }
    let e = load_error(
        &mut db,
        &format!(
            "LOAD CSV WITH HEADERS FROM '{}' AS r CREATE (:Row {{i: r.i}})",
            url(&bad)
        ),
    );
    assert!(
        e.message
            .contains(&format!("bad.csv:{}: this record has 1 fields", n + 2)),
        "{e}"
    );
    assert_eq!(db.counts(), (0, 0), "{e}");
    let r = run(
        &mut db,
        &format!(
            "LOAD CSV WITH HEADERS FROM '{}' AS r CREATE (:Row {{i: r.i}})",
            url(&big)
        ),
    );
    assert_eq!(r.stats.nodes_created, n as u64);
}

#[test]
fn load_csv_quoted_fields_may_span_lines() {
    let f = Files::new();
    let p = f.add(
        "notes.csv",
        "id,note\n1,\"first line\nsecond, \"\"quoted\"\" line\"\n2,plain\n",
    );
    let mut db = Database::in_memory();
    let r = run(
        &mut db,
        &format!(
            "LOAD CSV WITH HEADERS FROM '{}' AS r RETURN r.id AS id, r.note AS note, linenumber() AS l",
            url(&p)
        ),
    );
    assert_eq!(
        r.rows,
        vec![
            vec![
                Value::from("1"),
                Value::from("first line\nsecond, \"quoted\" line"),
                Value::Int(2)
            ],
            vec![Value::from("2"), Value::from("plain"), Value::Int(4)],
        ]
    );
}

#[test]
fn load_csv_explains_itself() {
    let mut db = Database::in_memory();
    let r = run(
        &mut db,
        "EXPLAIN LOAD CSV WITH HEADERS FROM 'x.csv' AS row CREATE (:N {v: row.v})",
    );
    let plan = r.plan.unwrap();
    assert!(plan.contains("LoadCSV (with headers) -> #0"), "{plan}");
}

fn load_error(db: &mut Database, q: &str) -> quiver::Error {
    match db.execute(q, &Params::new()) {
        Ok(r) => panic!("expected an error from {q}, got {:?}", r.rows),
        Err(e) => e,
    }
}

#[test]
fn load_csv_errors_name_the_file_and_line_and_change_nothing() {
    let f = Files::new();
    let ragged = f.add("ragged.csv", "a,b\n1,2\n3\n");
    let quoting = f.add("quoting.csv", "a,b\n1,2\n\"3\"x,4\n");
    let open = f.add("open.csv", "a\n1\n\"2\n");
    let mut db = Database::in_memory();
    run(&mut db, "CREATE (:Keep)");
    for (p, code, what) in [
        (
            &ragged,
            "InvalidCsv",
            "ragged.csv:3: this record has 1 fields but the header has 2",
        ),
        (&quoting, "InvalidCsv", "quoting.csv:3: bad quoting in field 1"),
        (
            &open,
            "InvalidCsv",
            "open.csv:3: field 1 opens a quote that is never closed",
        ),
    ] {
        let e = load_error(
            &mut db,
            &format!("LOAD CSV WITH HEADERS FROM '{}' AS r CREATE (:Row {{a: r.a}})", url(p)),
        );
        assert_eq!(e.code, code, "{e}");
        assert_eq!(e.kind, ErrorKind::DataError, "{e}");
        assert!(e.message.contains(what), "expected {what:?} in {e}");
        // The rows before the bad one were created, then rolled back.
        assert_eq!(db.counts(), (1, 0), "{e}");
    }
    // Writes before LOAD CSV, and rows written before the bad one, are rolled back.
    let e = load_error(
        &mut db,
        &format!(
            "CREATE (:Before) WITH 1 AS one LOAD CSV FROM '{}' AS r CREATE (:Row)",
            url(&open)
        ),
    );
    assert!(e.message.contains("open.csv:3"), "{e}");
    assert_eq!(db.counts(), (1, 0), "{e}");
    let zero = f.add("zero.csv", "a,b\nx,1\ny,0\n");
    let e = load_error(
        &mut db,
        &format!(
            "LOAD CSV WITH HEADERS FROM '{}' AS r CREATE (:Row {{a: r.a, v: 1 / toInteger(r.b)}})",
            url(&zero)
        ),
    );
    assert_eq!(db.counts(), (1, 0), "{e}");
    let e = load_error(&mut db, "LOAD CSV FROM 'file:///nonexistent/x.csv' AS r RETURN r");
    assert_eq!(e.kind, ErrorKind::IoError);
    assert!(e.message.contains("cannot read /nonexistent/x.csv"), "{e}");
    let e = load_error(&mut db, "LOAD CSV FROM 'https://example.org/x.csv' AS r RETURN r");
    assert!(e.message.contains("local files only"), "{e}");
    let e = load_error(&mut db, "LOAD CSV FROM 42 AS r RETURN r");
    assert_eq!(e.code, "InvalidArgumentType");
    let e = load_error(&mut db, "LOAD CSV FROM 'x.csv' AS r FIELDTERMINATOR 'é' RETURN r");
    assert_eq!(e.code, "InvalidArgumentValue");
    let e = load_error(&mut db, "LOAD CSV FROM 'x.csv' AS r");
    assert_eq!(e.code, "InvalidClauseComposition");
    let e = load_error(&mut db, "WITH 1 AS r LOAD CSV FROM 'x.csv' AS r RETURN r");
    assert_eq!(e.code, "VariableAlreadyBound");
}

// ---- bulk import: CSV ----------------------------------------------------

const PERSONS: &str = "\
id:ID,name,age:int,score:float,active:boolean,born:date,tags:string[],:LABEL
p1,Ada,36,9.5,true,1815-12-10,math;poetry,Person;Scientist
p2,Alan,41,,false,1912-06-23,,Person
p3,\"Hopper, Grace\",85,7.25,TRUE,1906-12-09,navy,Person
";

const KNOWS: &str = "\
:START_ID,:END_ID,since:int,:TYPE
p1,p2,1840,KNOWS
p2,p3,1936,
";

#[test]
fn bulk_import_of_typed_csv_files() {
    let f = Files::new();
    let persons = f.add("persons.csv", PERSONS);
    let knows = f.add("knows.csv", KNOWS);
    let mut db = Database::in_memory();
    let s = db
        .import(&spec(
            vec![InputGroup::file(&persons)],
            vec![InputGroup::file(&knows).with_names(["MET"])],
        ))
        .unwrap();
    assert_eq!((s.nodes, s.relationships, s.files), (3, 2, 2));
    // 7 + 5 + 7 node properties (an empty field sets nothing), 2 relationship ones.
    assert_eq!(s.properties, 21);
    assert!(s
        .to_string()
        .starts_with("imported 3 nodes, 2 relationships and 21 properties from 2 files"));
    assert_eq!(
        rows(
            &mut db,
            "MATCH (p:Person) RETURN p.id, p.name, p.age, p.score, p.active, p.born, p.tags, labels(p) ORDER BY p.id"
        ),
        vec![
            "'p1' | 'Ada' | 36 | 9.5 | true | 1815-12-10 | ['math', 'poetry'] | ['Person', 'Scientist']",
            "'p2' | 'Alan' | 41 | null | false | 1912-06-23 | null | ['Person']",
            "'p3' | 'Hopper, Grace' | 85 | 7.25 | true | 1906-12-09 | ['navy'] | ['Person']",
        ]
    );
    assert_eq!(
        rows(
            &mut db,
            "MATCH (a)-[r]->(b) RETURN a.name, type(r), r.since, b.name ORDER BY r.since"
        ),
        vec![
            "'Ada' | 'KNOWS' | 1840 | 'Alan'",
            "'Alan' | 'MET' | 1936 | 'Hopper, Grace'"
        ]
    );
    // Imported relationships are followed both ways, and later ones join them.
    run_with(
        &mut db,
        "MATCH (a {name: 'Ada'}), (g {id: 'p3'}) CREATE (g)-[:MET]->(a)",
        &[],
    )
    .unwrap();
    assert_eq!(
        rows(
            &mut db,
            "MATCH (p:Person) OPTIONAL MATCH (p)-[o]->() WITH p, count(o) AS out \
             OPTIONAL MATCH (p)<-[i]-() WITH p, out, count(i) AS inc \
             OPTIONAL MATCH (p)-[b]-() RETURN p.name, out, inc, count(b) ORDER BY p.name"
        ),
        vec!["'Ada' | 1 | 1 | 2", "'Alan' | 1 | 1 | 2", "'Hopper, Grace' | 1 | 1 | 2"]
    );
}

#[test]
fn id_groups_keep_ids_apart() {
    let f = Files::new();
    let people = f.add("people.csv", ":ID(Person),name\n1,Ada\n2,Alan\n");
    let films = f.add("films.csv", "id:ID(Film),title\n1,Metropolis\n");
    let saw = f.add("saw.csv", ":START_ID(Person),:END_ID(Film)\n2,1\n");
    let mut db = Database::in_memory();
    db.import(&spec(
        vec![
            InputGroup::file(&people).with_names(["Person"]),
            InputGroup::file(&films).with_names(["Film"]),
        ],
        vec![InputGroup::file(&saw).with_names(["SAW"])],
    ))
    .unwrap();
    assert_eq!(
        rows(
            &mut db,
            "MATCH (p:Person)-[:SAW]->(f:Film) RETURN p.name, f.title, f.id, keys(p)"
        ),
        vec!["'Alan' | 'Metropolis' | '1' | ['name']"]
    );
}

#[test]
fn integer_ids_and_header_files() {
    let f = Files::new();
    // The header is the first line of the group's first file.
    let header = f.add("header.csv", "uid:ID,name\n");
    let part1 = f.add("part1.csv", "1,Ada\n2,Alan\n");
    let part2 = f.add("part2.csv", "3,Grace\n");
    let mut db = Database::in_memory();
    let rels = f.add("rels.csv", ":START_ID,:END_ID,w:float\n01,3,0.5\n");
    let s = db
        .import(&ImportSpec {
            nodes: vec![InputGroup {
                names: vec!["P".into()],
                files: vec![header, part1, part2],
            }],
            relationships: vec![InputGroup::file(&rels).with_names(["R"])],
            id_type: IdType::Integer,
            ..ImportSpec::default()
        })
        .unwrap();
    assert_eq!((s.nodes, s.relationships), (3, 1));
    assert_eq!(
        rows(
            &mut db,
            "MATCH (a:P)-[r:R]->(b) RETURN a.uid, a.name, r.w, b.uid, b.name"
        ),
        vec!["1 | 'Ada' | 0.5 | 3 | 'Grace'"]
    );
}

#[test]
fn quoted_empty_fields_are_empty_strings() {
    let f = Files::new();
    let nodes = f.add("n.csv", "a,b,c:int\n\"\",,\n");
    let mut db = Database::in_memory();
    db.import(&spec(vec![InputGroup::file(&nodes).with_names(["N"])], vec![]))
        .unwrap();
    assert_eq!(
        rows(&mut db, "MATCH (n:N) RETURN n.a, n.b, n.c"),
        vec!["'' | null | null"]
    );
}

// ---- bulk import: JSON lines ------------------------------------------------

#[test]
fn bulk_import_of_json_lines() {
    let f = Files::new();
    let nodes = f.add(
        "nodes.jsonl",
        r#"{"id": 1, "labels": ["Person"], "properties": {"name": "Ada", "born": 1815, "langs": ["en", "fr"]}}

{"id": "2", "labels": ["Person", "Scientist"], "properties": {"name": "Alan", "score": 9.5, "alive": false, "x": null}}
{"properties": {"name": "nobody"}}
"#,
    );
    let rels = f.add(
        "rels.ndjson",
        r#"{"start": 1, "end": 2, "type": "KNOWS", "properties": {"since": 1840}}
{"start": "2", "end": 1}
"#,
    );
    let mut db = Database::in_memory();
    let s = db
        .import(&spec(
            vec![InputGroup::file(&nodes).with_names(["Imported"])],
            vec![InputGroup::file(&rels).with_names(["LIKES"])],
        ))
        .unwrap();
    assert_eq!((s.nodes, s.relationships, s.properties), (3, 2, 8));
    assert_eq!(
        rows(
            &mut db,
            "MATCH (n:Imported) RETURN n.name, labels(n), properties(n) ORDER BY n.name"
        ),
        vec![
            "'Ada' | ['Imported', 'Person'] | {born: 1815, langs: ['en', 'fr'], name: 'Ada'}",
            "'Alan' | ['Imported', 'Person', 'Scientist'] | {alive: false, name: 'Alan', score: 9.5}",
            "'nobody' | ['Imported'] | {name: 'nobody'}",
        ]
    );
    assert_eq!(
        rows(
            &mut db,
            "MATCH (a)-[r]->(b) RETURN a.name, type(r), r.since, b.name ORDER BY type(r)"
        ),
        vec!["'Ada' | 'KNOWS' | 1840 | 'Alan'", "'Alan' | 'LIKES' | null | 'Ada'"]
    );
}

// ---- bulk import: errors and rollback --------------------------------------

fn import_error(files: &[(&str, &str)], nodes: &[&str], rels: &[&str]) -> (String, Database) {
    let f = Files::new();
    for (name, text) in files {
        f.add(name, text);
    }
    let mut db = Database::in_memory();
    run(&mut db, "CREATE (:Existing {x: 1})");
    let group = |n: &&str| InputGroup::parse(&format!("{}", f.path().join(n).display())).unwrap();
    let e = db
        .import(&spec(
            nodes.iter().map(group).collect(),
            rels.iter().map(group).collect(),
        ))
        .unwrap_err();
    // Nothing half-loaded stays.
    assert_eq!(db.counts(), (1, 0), "after {e}");
    assert_eq!(
        rows(&mut db, "MATCH (n) RETURN labels(n), n.x"),
        vec!["['Existing'] | 1"]
    );
    (e.to_string(), db)
}

#[test]
fn bad_rows_name_file_and_line_and_roll_everything_back() {
    let cases: &[(&[(&str, &str)], &[&str], &[&str], &str)] = &[
        (
            &[("p.csv", "id:ID,age:int\na,1\nb,x\n")],
            &["p.csv"],
            &[],
            "p.csv:3: field 2 (age): 'x' is not a valid int",
        ),
        (
            &[("p.csv", "id:ID,name\na,1\nb,2,3\n")],
            &["p.csv"],
            &[],
            "p.csv:3: this row has 3 fields but the header (line 1) has 2",
        ),
        (
            &[("p.csv", "id:ID,name\na,\"open\nb,2\n")],
            &["p.csv"],
            &[],
            "p.csv:2: field 2 opens a quote that is never closed",
        ),
        (
            &[("p.csv", "id:ID,name\na,\"x\"y\n")],
            &["p.csv"],
            &[],
            "p.csv:2: bad quoting in field 2",
        ),
        (
            &[("p.csv", "id:ID\na\na\n")],
            &["p.csv"],
            &[],
            "p.csv:3: node id 'a' appears twice",
        ),
        (
            &[("p.csv", "id:ID\na\n"), ("r.csv", ":START_ID,:END_ID,:TYPE\na,zz,T\n")],
            &["p.csv"],
            &["r.csv"],
            "r.csv:2: no node has id 'zz' (the end of this relationship)",
        ),
        (
            &[("p.csv", "id:ID\na\n"), ("r.csv", ":START_ID,:END_ID\na,a\n")],
            &["p.csv"],
            &["r.csv"],
            "r.csv:2: no relationship type",
        ),
        (
            &[("p.csv", "id:ID,x:money\na,1\n")],
            &["p.csv"],
            &[],
            "p.csv:1: unknown type 'money' in column 'x:money'",
        ),
        (
            &[("r.csv", ":START_ID,:TYPE\na,T\n")],
            &[],
            &["r.csv"],
            "r.csv:1: a relationship header needs exactly one :END_ID column",
        ),
        (
            &[(
                "p.jsonl",
                "{\"id\": 1}\n{\"id\": 2, \"properties\": {\"m\": {\"a\": 1}}}\n",
            )],
            &["p.jsonl"],
            &[],
            "p.jsonl:2: property \"m\": a property cannot hold a map",
        ),
        (
            &[("p.jsonl", "{\"id\": 1}\n\n{\"id\": 2, \"label\": \"X\"}\n")],
            &["p.jsonl"],
            &[],
            "p.jsonl:3: unknown key \"label\"",
        ),
        (
            &[("p.jsonl", "{\"id\": 1}\n[1]\n")],
            &["p.jsonl"],
            &[],
            "p.jsonl:2: each line must be a JSON object",
        ),
        (
            &[
                ("p.jsonl", "{\"id\": 1}\n"),
                (
                    "r.jsonl",
                    "{\"start\": 1, \"end\": 1, \"type\": \"T\"}\n{\"start\": 1}\n",
                ),
            ],
            &["p.jsonl"],
            &["r.jsonl"],
            "r.jsonl:2: \"end\" is missing",
        ),
    ];
    for (files, nodes, rels, expected) in cases {
        let (e, _) = import_error(files, nodes, rels);
        assert!(e.contains(expected), "expected {expected:?} in:\n{e}");
        assert!(e.starts_with("DataError (InvalidImportData): /"), "{e}");
    }
}

#[test]
fn a_missing_file_changes_nothing() {
    let db = Database::in_memory();
    let e = db
        .import(&spec(vec![InputGroup::file("/nonexistent/p.csv")], vec![]))
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::IoError);
    assert!(e.message.contains("cannot read /nonexistent/p.csv"), "{e}");
}

#[test]
fn an_import_after_a_failed_one_gets_the_next_ids() {
    let f = Files::new();
    let good = f.add("good.csv", "id:ID\na\nb\n");
    let bad = f.add("bad.csv", "id:ID\nc\nc\n");
    let mut db = Database::in_memory();
    db.import(&spec(vec![InputGroup::file(&bad)], vec![])).unwrap_err();
    db.import(&spec(vec![InputGroup::file(&good)], vec![])).unwrap();
    assert_eq!(
        rows(&mut db, "MATCH (n) RETURN id(n), n.id ORDER BY id(n)"),
        vec!["0 | 'a'", "1 | 'b'"]
    );
}

// ---- the command line -------------------------------------------------------

fn quiver(args: &[&str], cwd: &Path) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("quiver runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).unwrap()
}

#[test]
fn the_cli_loads_files_into_its_session() {
    let f = Files::new();
    f.add("persons.csv", PERSONS);
    f.add("knows.csv", KNOWS);
    let o = quiver(
        &[
            "--load-nodes=Imported",
            "persons.csv",
            "--load-relationships",
            "MET=knows.csv",
            "--format",
            "csv",
            "-c",
            "MATCH (a:Imported)-[r]->(b) RETURN a.name, type(r), b.name ORDER BY a.name",
        ],
        f.path(),
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(
        text(&o.stdout).replace("\r\n", "\n"),
        "a.name,type(r),b.name\nAda,KNOWS,Alan\nAlan,MET,\"Hopper, Grace\"\n"
    );
    // LOAD CSV reads paths relative to the working directory.
    let o = quiver(
        &[
            "--format",
            "csv",
            "-c",
            "LOAD CSV WITH HEADERS FROM 'persons.csv' AS r RETURN count(r.name) AS n",
        ],
        f.path(),
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("\n3"), "{}", text(&o.stdout));
}

#[test]
fn the_cli_reports_bad_rows_and_stops() {
    let f = Files::new();
    f.add("p.csv", "id:ID,n:int\n1,2\n2,two\n");
    let o = quiver(&["--load-nodes", "p.csv", "-c", "MATCH (n) RETURN count(n)"], f.path());
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        text(&o.stderr),
        "DataError (InvalidImportData): p.csv:3: field 2 (n): 'two' is not a valid int\n"
    );
    assert_eq!(text(&o.stdout), "", "the statements after a failed load do not run");
    let o = quiver(&["--load-nodes", "missing.csv", "-c", "RETURN 1"], f.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("cannot read missing.csv"),
        "{}",
        text(&o.stderr)
    );
}

/// The bytes of every file in `dir`, by name.
fn files_in(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

#[test]
fn the_import_subcommand_loads_into_a_new_database_file() {
    let f = Files::new();
    f.add("persons.csv", PERSONS);
    f.add("knows.csv", KNOWS);
    let o = quiver(
        &[
            "import",
            "--nodes",
            "persons.csv",
            "--relationships",
            "MET=knows.csv",
            "graph.qv",
        ],
        f.path(),
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).starts_with("imported 3 nodes, 2 relationships and "),
        "{}",
        text(&o.stdout)
    );
    let o = quiver(
        &[
            "graph.qv",
            "--format",
            "csv",
            "-c",
            "MATCH (a:Person)-[r]->(b) RETURN a.name, type(r), r.since, b.name ORDER BY a.name",
        ],
        f.path(),
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(
        text(&o.stdout).replace("\r\n", "\n"),
        "a.name,type(r),r.since,b.name\nAda,KNOWS,1840,Alan\nAlan,MET,1936,\"Hopper, Grace\"\n"
    );
    let o = quiver(&["check", "graph.qv"], f.path());
    assert!(o.status.success(), "{}", text(&o.stderr));
    // A second import adds to what is there.
    f.add("more.csv", "id:ID,name\nq1,Edsger\n");
    let o = quiver(&["import", "--nodes=Person", "more.csv", "graph.qv"], f.path());
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(persons_in_graph_file(&f), "n\n4\n");
}

#[test]
fn a_bad_row_leaves_the_database_file_as_it_was() {
    let f = Files::new();
    f.add("good.csv", "id:ID,name\n1,Ada\n");
    f.add("bad.csv", "id:ID,n:int\n2,3\n3,three\n");
    let o = quiver(&["graph.qv", "-c", "CREATE (:Old {k: 1})"], f.path());
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = quiver(&["import", "--nodes", "good.csv", "graph.qv"], f.path());
    assert!(o.status.success(), "{}", text(&o.stderr));
    let before = files_in(f.path());
    let o = quiver(
        &["import", "--nodes", "good.csv", "--nodes", "bad.csv", "graph.qv"],
        f.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        text(&o.stderr),
        "DataError (InvalidImportData): bad.csv:3: field 2 (n): 'three' is not a valid int\n"
    );
    assert_eq!(files_in(f.path()), before, "the failed import changed a file");
    let o = quiver(
        &[
            "graph.qv",
            "--format",
            "csv",
            "-c",
            "MATCH (n) RETURN labels(n) AS l, n.name ORDER BY l",
        ],
        f.path(),
    );
    assert_eq!(text(&o.stdout).replace("\r\n", "\n"), "l,n.name\n[],Ada\n['Old'],\n");
    // Into a file that did not exist, a failed import leaves none behind.
    let o = quiver(&["import", "--nodes", "bad.csv", "new.qv"], f.path());
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(files_in(f.path()), before);
}

#[test]
fn the_import_subcommand_is_refused_while_another_process_has_the_file() {
    let f = Files::new();
    f.add("p.csv", "id:ID\n1\n");
    let path = f.path().join("graph.qv");
    let holder = Database::open(&path).unwrap();
    let o = quiver(&["import", "--nodes", "p.csv", "graph.qv"], f.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("graph.qv is locked: another process has it open for writing"),
        "{}",
        text(&o.stderr)
    );
    holder.close().unwrap();
    let o = quiver(&["import", "--nodes", "p.csv", "graph.qv"], f.path());
    assert!(o.status.success(), "{}", text(&o.stderr));
}

#[test]
fn an_import_in_a_script_transaction_is_undone_by_rollback() {
    let f = Files::new();
    f.add("p.csv", "id:ID,name\n1,Ada\n2,Alan\n");
    f.add(
        "s.cypher",
        "CREATE (:Old);\n:begin\n:import --nodes=Person p.csv\nMATCH (n) RETURN count(n) AS inside;\n:rollback\n",
    );
    let o = quiver(&["graph.qv", "--format", "csv", "-f", "s.cypher"], f.path());
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("inside\n3\n"), "{}", text(&o.stdout));
    let o = quiver(
        &["graph.qv", "--format", "csv", "-c", "MATCH (n) RETURN count(n) AS n"],
        f.path(),
    );
    assert_eq!(text(&o.stdout).replace("\r\n", "\n"), "n\n1\n");
    // Committed, it stays; a bad :import line names the script and line.
    f.add(
        "c.cypher",
        ":begin\n:import --nodes=Person p.csv\n:commit\n:import --nodes\n",
    );
    let o = quiver(&["graph.qv", "-f", "c.cypher"], f.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).starts_with("c.cypher:4: "), "{}", text(&o.stderr));
    assert_eq!(persons_in_graph_file(&f), "n\n2\n");
}

#[test]
fn an_import_reaches_the_log_and_a_transaction_rollback_undoes_it() {
    let f = Files::new();
    let p = f.add("p.csv", "id:ID,name\n1,Ada\n2,Alan\n");
    let path = f.path().join("graph.qv");
    let group = || spec(vec![InputGroup::file(&p).with_names(["Person"])], vec![]);
    let db = Database::open(&path).unwrap();
    db.begin().unwrap();
    db.import(&group()).unwrap();
    assert_eq!(db.counts(), (2, 0));
    db.rollback().unwrap();
    assert_eq!(db.counts(), (0, 0));
    db.import(&group()).unwrap();
    // Killed without a checkpoint: the import is in the log.
    db.abandon();
    let mut db = Database::open(&path).unwrap();
    assert_eq!(
        rows(&mut db, "MATCH (p:Person) RETURN p.name ORDER BY p.name"),
        vec!["'Ada'", "'Alan'"]
    );
    // Read-only: refused, nothing loaded.
    db.close().unwrap();
    let options = quiver::OpenOptions {
        read_only: true,
        ..quiver::OpenOptions::default()
    };
    let db = Database::open_with(&path, &options).unwrap();
    let e = db.import(&group()).unwrap_err();
    assert_eq!(e.code, "ReadOnly", "{e}");
    assert_eq!(db.counts(), (2, 0));
}

#[test]
fn the_import_subcommand_needs_a_database_file() {
    let f = Files::new();
    f.add("p.csv", "id:ID\n1\n");
    let o = quiver(&["import", "--nodes", "p.csv"], f.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("quiver import needs the database FILE"),
        "{}",
        text(&o.stderr)
    );
    let o = quiver(&["import", "p.csv"], f.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("nothing to import"), "{}", text(&o.stderr));
    let o = quiver(&["import", "--help"], f.path());
    assert!(o.status.success());
    for s in [
        "--nodes",
        "--relationships",
        "--delimiter",
        "--id-type",
        ":START_ID",
        "JSON",
        "[FILE]",
    ] {
        assert!(
            text(&o.stdout).contains(s),
            "import --help lacks {s}:\n{}",
            text(&o.stdout)
        );
    }
}

#[test]
fn imported_nodes_are_indexed_and_a_rollback_unindexes_them() {
    let f = Files::new();
    let good = f.add("good.csv", "id:ID,name\na,Ada\nb,Alan\n");
    let bad = f.add("bad.csv", "id:ID,name\nc,Grace\nc,Again\n");
    let mut db = Database::in_memory();
    run(&mut db, "CREATE INDEX FOR (p:Person) ON (p.name)");
    let group = |p: &PathBuf| InputGroup::file(p).with_names(["Person"]);
    db.import(&spec(vec![group(&bad)], vec![])).unwrap_err();
    db.import(&spec(vec![group(&good)], vec![])).unwrap();
    let r = run(&mut db, "PROFILE MATCH (p:Person {name: 'Alan'}) RETURN p.id");
    assert!(
        r.plan.as_deref().unwrap_or("").contains("NodeIndexSeek"),
        "{:?}",
        r.plan
    );
    assert_eq!(
        rows(&mut db, "MATCH (p:Person {name: 'Alan'}) RETURN p.id"),
        vec!["'b'"]
    );
    assert_eq!(
        rows(&mut db, "MATCH (p:Person {name: 'Grace'}) RETURN p.id"),
        Vec::<String>::new()
    );
}
