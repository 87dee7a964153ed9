//! Loading data from files: `LOAD CSV` and bulk import (the library, the
//! REPL's `:import` and the command line).

use std::io::Write;
use std::path::{Path, PathBuf};

use quiver::import::{IdType, ImportSpec, InputGroup};
use quiver::{Database, ErrorKind, Params, QueryResult};

fn run(db: &mut Database, q: &str) -> QueryResult {
    match db.execute(q, &Params::new()) {
        Ok(r) => r,
        Err(e) => panic!("query failed: {q}\n{e}"),
    }
}

/// Rows rendered as Cypher literals.
fn rows(db: &mut Database, q: &str) -> Vec<String> {
    let r = run(db, q);
    r.rows
        .iter()
        .map(|row| row.iter().map(|v| r.render(v)).collect::<Vec<_>>().join(" | "))
        .collect()
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
    let mut db = Database::in_memory();
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
