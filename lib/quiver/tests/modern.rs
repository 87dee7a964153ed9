//! Runs the scenario files of `tests/modern/` (their format is described in
//! `tests/modern/README.md`): the newer query forms, as the Neo4j Cypher
//! manual defines them.
//!
//! Every case runs twice: on an in-memory graph, and on a database file that
//! is closed and opened again between the setup and the query (so what the
//! setup wrote must come back from the file), as Kùzu's end-to-end tests do.
//!
//! Cases named in `tests/modern/pending.txt` are features not built yet: they
//! are run and reported, and one of them passing is reported too (take it off
//! the list). Every other case must pass.

#![allow(dead_code)]

#[path = "tck/compare.rs"]
mod compare;
#[path = "tck/values.rs"]
mod values;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use compare::{compare_rows, render_row, Options};
use quiver::{Database, Error, Params, QueryResult, Stats};
use values::{parse_value, Expected};

#[derive(Clone, Debug)]
struct Case {
    file: String,
    name: String,
    line: usize,
    setup: Vec<String>,
    params: Vec<(String, String)>,
    query: String,
    expect: Expect,
    effects: Option<Vec<(String, u64)>>,
}

#[derive(Clone, Debug)]
enum Expect {
    Rows {
        ordered: bool,
        columns: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    Empty,
    Error {
        kind: String,
        code: String,
    },
}

/// Splits a table row `| a | 'b\|c' |` into its cells (`\|` is a `|` inside a cell).
fn table_row(line: &str) -> Vec<String> {
    let inner = line.trim();
    let inner = inner.strip_prefix('|').unwrap_or(inner);
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    let mut cells = Vec::new();
    let mut cur = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cur.push('|');
                chars.next();
            }
            '|' => cells.push(std::mem::take(&mut cur).trim().to_string()),
            c => cur.push(c),
        }
    }
    cells.push(cur.trim().to_string());
    cells
}

fn parse_effects(text: &str) -> Result<Vec<(String, u64)>, String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() % 2 != 0 {
        return Err(format!("side effects come in pairs: `{text}`"));
    }
    words
        .chunks(2)
        .map(|p| {
            let n = p[1].parse().map_err(|_| format!("bad count `{}`", p[1]))?;
            Ok((p[0].to_string(), n))
        })
        .collect()
}

#[derive(PartialEq)]
enum Section {
    None,
    Setup,
    Params,
    Query,
    Rows,
    Note,
}

fn parse_file(file: &str, text: &str) -> Result<Vec<Case>, String> {
    let mut cases: Vec<Case> = Vec::new();
    let mut cur: Option<Case> = None;
    let mut section = Section::None;
    let mut setup_buf = String::new();
    let mut query_buf = String::new();
    let finish = |cur: &mut Option<Case>,
                  cases: &mut Vec<Case>,
                  setup_buf: &mut String,
                  query_buf: &mut String|
     -> Result<(), String> {
        if let Some(mut c) = cur.take() {
            if !setup_buf.trim().is_empty() {
                c.setup.push(setup_buf.trim().to_string());
            }
            setup_buf.clear();
            if c.query.is_empty() {
                c.query = query_buf.trim().to_string();
            }
            query_buf.clear();
            if c.query.is_empty() {
                return Err(format!("{file}:{}: case `{}` has no query", c.line, c.name));
            }
            if let Expect::Rows { columns, .. } = &c.expect {
                if columns.is_empty() {
                    return Err(format!("{file}:{}: case `{}` has an empty table", c.line, c.name));
                }
            }
            cases.push(c);
        }
        Ok(())
    };
    for (i, line) in text.lines().enumerate() {
        let lineno = i + 1;
        if let Some(name) = line.strip_prefix("### ") {
            finish(&mut cur, &mut cases, &mut setup_buf, &mut query_buf)?;
            cur = Some(Case {
                file: file.to_string(),
                name: name.trim().to_string(),
                line: lineno,
                setup: Vec::new(),
                params: Vec::new(),
                query: String::new(),
                expect: Expect::Empty,
                effects: None,
            });
            section = Section::None;
            continue;
        }
        let Some(case) = cur.as_mut() else {
            // Before the first case: comments and blank lines only.
            if !line.trim().is_empty() && !line.starts_with("# ") && line.trim() != "#" {
                return Err(format!("{file}:{lineno}: text before the first case"));
            }
            continue;
        };
        let trimmed = line.trim();
        let header = match trimmed {
            "setup:" => Some(Section::Setup),
            "params:" => Some(Section::Params),
            "query:" => Some(Section::Query),
            "note:" => Some(Section::Note),
            _ => None,
        };
        if let Some(h) = header {
            if section == Section::Query {
                case.query = query_buf.trim().to_string();
            }
            section = h;
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix("note:") {
            let _ = rest;
            if section == Section::Query {
                case.query = query_buf.trim().to_string();
            }
            section = Section::Note;
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix("expect ") {
            if section == Section::Query {
                case.query = query_buf.trim().to_string();
            }
            if rest == "rows (ordered):" || rest == "rows (any order):" {
                case.expect = Expect::Rows {
                    ordered: rest == "rows (ordered):",
                    columns: Vec::new(),
                    rows: Vec::new(),
                };
                section = Section::Rows;
            } else if rest == "empty" {
                case.expect = Expect::Empty;
                section = Section::None;
            } else if let Some(err) = rest.strip_prefix("error:") {
                let mut parts = err.split_whitespace();
                let (Some(kind), Some(code)) = (parts.next(), parts.next()) else {
                    return Err(format!("{file}:{lineno}: `expect error: Kind Code`"));
                };
                case.expect = Expect::Error {
                    kind: kind.into(),
                    code: code.into(),
                };
                section = Section::None;
            } else if let Some(e) = rest.strip_prefix("side effects:") {
                case.effects = Some(parse_effects(e).map_err(|e| format!("{file}:{lineno}: {e}"))?);
                section = Section::None;
            } else if rest == "no side effects" {
                case.effects = Some(Vec::new());
                section = Section::None;
            } else {
                return Err(format!("{file}:{lineno}: unknown expectation `{trimmed}`"));
            }
            continue;
        }
        match section {
            Section::Setup => {
                if trimmed == ";" {
                    if !setup_buf.trim().is_empty() {
                        case.setup.push(setup_buf.trim().to_string());
                    }
                    setup_buf.clear();
                } else {
                    setup_buf.push_str(line);
                    setup_buf.push('\n');
                }
            }
            Section::Params => {
                if trimmed.is_empty() {
                    continue;
                }
                let Some((k, v)) = trimmed.split_once('=') else {
                    return Err(format!("{file}:{lineno}: a parameter is `name = literal`"));
                };
                case.params.push((k.trim().to_string(), v.trim().to_string()));
            }
            Section::Query => {
                query_buf.push_str(line);
                query_buf.push('\n');
            }
            Section::Rows => {
                if trimmed.is_empty() {
                    section = Section::None;
                    continue;
                }
                if !trimmed.starts_with('|') {
                    return Err(format!("{file}:{lineno}: expected a table row"));
                }
                if let Expect::Rows { columns, rows, .. } = &mut case.expect {
                    let cells = table_row(trimmed);
                    if columns.is_empty() {
                        *columns = cells;
                    } else {
                        rows.push(cells);
                    }
                }
            }
            Section::Note => {}
            Section::None => {
                if !trimmed.is_empty() && !trimmed.starts_with("# ") && trimmed != "#" {
                    return Err(format!("{file}:{lineno}: unexpected line `{trimmed}`"));
                }
            }
        }
    }
    finish(&mut cur, &mut cases, &mut setup_buf, &mut query_buf)?;
    Ok(cases)
}

/// The graph as the TCK's side effects see it: ids, labels in use, property triples.
struct GraphState {
    nodes: BTreeSet<u64>,
    rels: BTreeSet<u64>,
    labels: BTreeSet<String>,
    properties: BTreeSet<(char, u64, String, String)>,
}

fn graph_state(db: &Database) -> Result<GraphState, String> {
    let mut st = GraphState {
        nodes: BTreeSet::new(),
        rels: BTreeSet::new(),
        labels: BTreeSet::new(),
        properties: BTreeSet::new(),
    };
    let nodes = db
        .execute("MATCH (n) RETURN n", &Params::new())
        .map_err(|e| format!("reading the graph failed: {e}"))?;
    for n in nodes.nodes.values() {
        st.nodes.insert(n.id.0);
        st.labels.extend(n.labels.iter().cloned());
        for (k, v) in n.properties.iter() {
            st.properties.insert(('n', n.id.0, k.to_string(), nodes.render(v)));
        }
    }
    let rels = db
        .execute("MATCH ()-[r]->() RETURN r", &Params::new())
        .map_err(|e| format!("reading the graph failed: {e}"))?;
    for r in rels.relationships.values() {
        st.rels.insert(r.id.0);
        for (k, v) in r.properties.iter() {
            st.properties.insert(('r', r.id.0, k.to_string(), rels.render(v)));
        }
    }
    Ok(st)
}

fn diff_states(before: &GraphState, after: &GraphState) -> Stats {
    fn gained<T: Ord>(a: &BTreeSet<T>, b: &BTreeSet<T>) -> u64 {
        b.difference(a).count() as u64
    }
    Stats {
        nodes_created: gained(&before.nodes, &after.nodes),
        nodes_deleted: gained(&after.nodes, &before.nodes),
        relationships_created: gained(&before.rels, &after.rels),
        relationships_deleted: gained(&after.rels, &before.rels),
        labels_added: gained(&before.labels, &after.labels),
        labels_removed: gained(&after.labels, &before.labels),
        properties_set: gained(&before.properties, &after.properties),
        properties_removed: gained(&after.properties, &before.properties),
    }
}

const EFFECT_KEYS: [&str; 8] = [
    "+nodes",
    "-nodes",
    "+relationships",
    "-relationships",
    "+labels",
    "-labels",
    "+properties",
    "-properties",
];

fn effect_counts(s: &Stats) -> [u64; 8] {
    [
        s.nodes_created,
        s.nodes_deleted,
        s.relationships_created,
        s.relationships_deleted,
        s.labels_added,
        s.labels_removed,
        s.properties_set,
        s.properties_removed,
    ]
}

fn params(case: &Case) -> Result<Params, String> {
    let mut p = Params::new();
    for (k, v) in &case.params {
        let value = parse_value(v)?.to_value()?;
        p.insert(k.clone(), value);
    }
    Ok(p)
}

fn one_line(e: &Error) -> String {
    format!("{} {}: {}", e.kind.as_str(), e.code, e.message)
}

/// Where a case runs: a fresh in-memory graph, or a file reopened after the setup.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Backing {
    Memory,
    File,
}

fn run_case(case: &Case, backing: Backing, dir: &Path) -> Result<(), String> {
    let path = dir.join("case.qv");
    let mut db = match backing {
        Backing::Memory => Database::in_memory(),
        Backing::File => Database::open(&path).map_err(|e| format!("open: {}", one_line(&e)))?,
    };
    for s in &case.setup {
        db.execute(s, &Params::new())
            .map_err(|e| format!("setup failed: {}\n  {s}", one_line(&e)))?;
    }
    if backing == Backing::File {
        db.close().map_err(|e| format!("close: {}", one_line(&e)))?;
        db = Database::open(&path).map_err(|e| format!("reopen: {}", one_line(&e)))?;
    }
    let before = graph_state(&db)?;
    let params = params(case)?;
    let outcome = db.execute(&case.query, &params);
    let after = graph_state(&db)?;
    let effects = diff_states(&before, &after);
    match (&case.expect, &outcome) {
        (Expect::Error { kind, code }, Ok(r)) => {
            let rows: Vec<String> = r.rows.iter().take(5).map(|row| render_row(r, row)).collect();
            return Err(format!(
                "expected {kind} {code}, but the query succeeded with {} rows {}",
                r.rows.len(),
                rows.join(" ")
            ));
        }
        (Expect::Error { kind, code }, Err(e)) => {
            if e.kind.as_str() != kind || e.code != code {
                return Err(format!("expected {kind} {code}, got {}", one_line(e)));
            }
            // A failed statement changes nothing.
            if case.effects.is_none() && effect_counts(&effects) != [0; 8] {
                return Err(format!("the failed statement changed the graph: {effects:?}"));
            }
        }
        (_, Err(e)) => return Err(format!("failed: {}", one_line(e))),
        (Expect::Empty, Ok(r)) => {
            if !r.rows.is_empty() {
                let rows: Vec<String> = r.rows.iter().take(5).map(|row| render_row(r, row)).collect();
                return Err(format!("expected no rows, got {}: {}", r.rows.len(), rows.join(" ")));
            }
        }
        (Expect::Rows { ordered, columns, rows }, Ok(r)) => check_rows(r, *ordered, columns, rows)?,
    }
    if let Some(expected) = &case.effects {
        let mut want = [0u64; 8];
        for (k, n) in expected {
            let i = EFFECT_KEYS
                .iter()
                .position(|x| x == k)
                .ok_or_else(|| format!("unknown side effect `{k}`"))?;
            want[i] = *n;
        }
        let got = effect_counts(&effects);
        if got != want {
            let diffs: Vec<String> = (0..8)
                .filter(|&i| got[i] != want[i])
                .map(|i| format!("{}: expected {}, got {}", EFFECT_KEYS[i], want[i], got[i]))
                .collect();
            return Err(format!("side effects differ: {}", diffs.join(", ")));
        }
    }
    if backing == Backing::File {
        db.close().map_err(|e| format!("close: {}", one_line(&e)))?;
        // What the query wrote comes back from the file.
        let db = Database::open(&path).map_err(|e| format!("reopen after the query: {}", one_line(&e)))?;
        let reopened = graph_state(&db)?;
        let d = effect_counts(&diff_states(&after, &reopened));
        if d != [0; 8] || reopened.nodes.len() != after.nodes.len() {
            return Err("the graph read back from the file differs from the one written".into());
        }
        db.close().map_err(|e| format!("close: {}", one_line(&e)))?;
    }
    Ok(())
}

fn check_rows(r: &QueryResult, ordered: bool, columns: &[String], rows: &[Vec<String>]) -> Result<(), String> {
    if r.columns != columns {
        return Err(format!("columns differ: expected {columns:?}, got {:?}", r.columns));
    }
    let mut expected = Vec::new();
    for row in rows {
        let cells: Result<Vec<Expected>, String> = row.iter().map(|c| parse_value(c)).collect();
        expected.push(cells?);
    }
    compare_rows(&expected, r, ordered, Options::default()).map_err(|e| {
        let got: Vec<String> = r.rows.iter().take(8).map(|row| render_row(r, row)).collect();
        format!("{e}; got:\n      {}", got.join("\n      "))
    })
}

fn modern_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests").join("modern")
}

fn load_cases() -> Vec<Case> {
    let dir = modern_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/modern")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt") && p.file_name().is_some_and(|n| n != "pending.txt"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&f).expect("readable");
        out.extend(parse_file(&name, &text).unwrap_or_else(|e| panic!("{e}")));
    }
    out
}

/// `file: case name` lines; `#` starts a comment.
fn pending() -> BTreeSet<String> {
    let text = std::fs::read_to_string(modern_dir().join("pending.txt")).unwrap_or_default();
    text.lines()
        .map(|l| l.split(" #").next().unwrap_or("").trim())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect()
}

fn key(c: &Case) -> String {
    format!("{}: {}", c.file, c.name)
}

#[test]
fn every_scenario_file_parses() {
    let cases = load_cases();
    assert!(cases.len() > 200, "only {} cases", cases.len());
    let mut names = BTreeSet::new();
    for c in &cases {
        assert!(names.insert(key(c)), "duplicate case {}", key(c));
    }
    for p in pending() {
        assert!(names.contains(&p), "pending.txt names no case: {p}");
    }
}

#[test]
fn scenarios() {
    let only = std::env::var("MODERN_ONLY").ok();
    let cases = load_cases();
    let pending = pending();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut failures = Vec::new();
    let mut newly_passing = Vec::new();
    let (mut passed, mut pending_failed) = (0, 0);
    for (i, case) in cases.iter().enumerate() {
        if let Some(o) = &only {
            if !key(case).contains(o.as_str()) {
                continue;
            }
        }
        let mut result = Ok(());
        for backing in [Backing::Memory, Backing::File] {
            let sub = dir.path().join(format!("{i}-{backing:?}"));
            std::fs::create_dir_all(&sub).expect("dir");
            let r = std::panic::catch_unwind(|| run_case(case, backing, &sub))
                .unwrap_or_else(|_| Err("panicked".to_string()));
            if let Err(e) = r {
                result = Err(format!("[{backing:?}] {e}"));
                break;
            }
        }
        let is_pending = pending.contains(&key(case));
        match (result, is_pending) {
            (Ok(()), false) => passed += 1,
            (Ok(()), true) => newly_passing.push(key(case)),
            (Err(_), true) => pending_failed += 1,
            (Err(e), false) => failures.push(format!(
                "{}:{} {}\n    {}\n    {e}",
                case.file,
                case.line,
                case.name,
                case.query.replace('\n', "\n    ")
            )),
        }
    }
    eprintln!(
        "modern scenarios: {passed} passed, {} failed, {pending_failed} pending (not built yet), {} pending now passing",
        failures.len(),
        newly_passing.len()
    );
    if !newly_passing.is_empty() {
        eprintln!(
            "take these off tests/modern/pending.txt:\n  {}",
            newly_passing.join("\n  ")
        );
    }
    assert!(
        failures.is_empty(),
        "{} scenario(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every statement of the scenario files that parses prints back (`Display`)
/// as text that parses to the same tree (compared as printed: spans differ).
#[test]
fn every_scenario_statement_prints_back() {
    let mut checked = 0;
    for case in load_cases() {
        for q in case.setup.iter().chain(std::iter::once(&case.query)) {
            let Ok(st) = quiver::parser::parse_statement(q) else {
                continue;
            };
            let printed = st.to_string();
            let again = quiver::parser::parse_statement(&printed).unwrap_or_else(|e| {
                panic!(
                    "{}: `{q}` printed as `{printed}`, which does not parse: {e:?}",
                    key(&case)
                )
            });
            assert_eq!(
                printed,
                again.to_string(),
                "{}: `{q}` printed as `{printed}`",
                key(&case)
            );
            checked += 1;
        }
    }
    assert!(checked > 300, "only {checked} statements");
}
