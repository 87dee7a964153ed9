//! The bundled event graph, `fixtures/gaza_isf.cypher`.
//!
//! (a) The fixture loads through the library API and honours the naming
//!     contract (`shared/seed/event-graph.md`): every node name with its labels,
//!     every relationship type with its direction, and every relationship with a
//!     `source` and an `evidence` sentence found verbatim in the seed article.
//! (b) Every batch query file under `queries/` gives exactly the reviewed
//!     output in `tests/snapshots/<stem>.out`. Run with
//!     `QUIVER_UPDATE_SNAPSHOTS=1` to rewrite the snapshots, then review the diff
//!     against the article before committing.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use quiver::{Database, Params, QueryResult, Value};

const ARTICLE: &str = "000_a0c4822e46a1d52d.txt";
const FIXTURE: &str = "fixtures/gaza_isf.cypher";

// ------------------------------------------------------------------ the contract

/// Nodes of the contract: the labels each must carry, and the `name`s.
#[rustfmt::skip]
const CONTRACT_NODES: &[(&[&str], &[&str])] = &[
    (&["Person"], &["Mike Waltz", "Benjamin Netanyahu"]),
    (&["Country"], &["United States", "Israel", "Egypt", "Turkey", "Qatar", "Indonesia", "Azerbaijan"]),
    (&["Organization"], &["United Nations Security Council", "US Central Command", "Hamas", "Trump administration"]),
    (&["Organization", "Media"], &["Axios"]),
    (&["Group"], &["Palestinian diplomats", "US officials"]),
    (&["Force"], &["International Stabilization Force", "Palestinian police force"]),
    (&["Document"], &["Draft UN Security Council resolution on Gaza"]),
    (&["Place"], &["Gaza Strip", "New York"]),
    (&["Event"], &["Waltz meeting with Palestinian diplomats", "Gaza ceasefire"]),
];

/// Relationship types of the contract, each with the (start label, end label)
/// pairs its direction allows.
#[rustfmt::skip]
const CONTRACT_RELS: &[(&str, &[(&str, &str)])] = &[
    ("HOLDS_POSITION", &[("Person", "Organization"), ("Person", "Country")]),
    ("PARTICIPATED_IN", &[("Person", "Event"), ("Group", "Event")]),
    ("TOOK_PLACE_IN", &[("Event", "Place")]),
    ("DISCUSSED", &[("Event", "Document")]),
    ("REPORTED", &[("Media", "Event"), ("Media", "Document")]),
    ("DRAFTED", &[("Country", "Document")]),
    ("SUBMITTED_TO", &[("Document", "Organization")]),
    ("PROPOSES", &[("Document", "Force")]),
    ("GRANTS_AUTHORITY_TO", &[("Document", "Country")]),
    ("DEPLOYS_TO", &[("Force", "Place")]),
    ("LEADS_DEVELOPMENT_OF", &[("Organization", "Force")]),
    ("PART_OF", &[("Organization", "Country"), ("Force", "Force")]),
    ("OPEN_TO_JOINING", &[("Country", "Force")]),
    ("CONSIDERED_CRITICAL_FOR", &[("Country", "Force")]),
    ("HAS_TIES_WITH", &[("Country", "Organization")]),
    ("OBJECTS_TO_PARTICIPATION_OF", &[("Country", "Country")]),
    ("PUSHES_FOR_PARTICIPATION_OF", &[("Group", "Country")]),
    ("HELPED_NEGOTIATE", &[("Country", "Event")]),
    ("INFLUENCES", &[("Country", "Organization")]),
    ("CRITICIZED", &[("Person", "Country")]),
    ("LEADS", &[("Person", "Country")]),
    ("MONITORS_BORDER_WITH", &[("Force", "Country")]),
    ("BORDERS", &[("Place", "Country")]),
    ("BACKS", &[("Organization", "Force")]),
];

/// The relationships of contract types the fixture holds, as read from the
/// article: (start name, type, end name). Queries written elsewhere rely on these.
#[rustfmt::skip]
const CONTRACT_FACTS: &[(&str, &str, &str)] = &[
    ("Mike Waltz", "HOLDS_POSITION", "United States"), // US Ambassador to the United Nations
    ("Mike Waltz", "HOLDS_POSITION", "United States"), // National Security Advisor (May 1, 2025)
    ("Mike Waltz", "PARTICIPATED_IN", "Waltz meeting with Palestinian diplomats"),
    ("Mike Waltz", "PARTICIPATED_IN", "Waltz TV interview at the White House"),
    ("Palestinian diplomats", "PARTICIPATED_IN", "Waltz meeting with Palestinian diplomats"),
    ("Waltz meeting with Palestinian diplomats", "TOOK_PLACE_IN", "New York"),
    ("Waltz TV interview at the White House", "TOOK_PLACE_IN", "White House"),
    ("Waltz meeting with Palestinian diplomats", "DISCUSSED", "Draft UN Security Council resolution on Gaza"),
    ("Axios", "REPORTED", "Waltz meeting with Palestinian diplomats"),
    ("Axios", "REPORTED", "Draft UN Security Council resolution on Gaza"),
    ("United States", "DRAFTED", "Draft UN Security Council resolution on Gaza"),
    ("Draft UN Security Council resolution on Gaza", "SUBMITTED_TO", "United Nations Security Council"),
    ("Draft UN Security Council resolution on Gaza", "PROPOSES", "International Stabilization Force"),
    ("Draft UN Security Council resolution on Gaza", "GRANTS_AUTHORITY_TO", "United States"),
    ("International Stabilization Force", "DEPLOYS_TO", "Gaza Strip"),
    ("US Central Command", "LEADS_DEVELOPMENT_OF", "International Stabilization Force"),
    ("US Central Command", "PART_OF", "United States"),
    ("Palestinian police force", "PART_OF", "International Stabilization Force"),
    ("Indonesia", "OPEN_TO_JOINING", "International Stabilization Force"),
    ("Azerbaijan", "OPEN_TO_JOINING", "International Stabilization Force"),
    ("Egypt", "OPEN_TO_JOINING", "International Stabilization Force"),
    ("Turkey", "OPEN_TO_JOINING", "International Stabilization Force"),
    ("Turkey", "CONSIDERED_CRITICAL_FOR", "International Stabilization Force"),
    ("Egypt", "CONSIDERED_CRITICAL_FOR", "International Stabilization Force"),
    ("Qatar", "CONSIDERED_CRITICAL_FOR", "International Stabilization Force"),
    ("Turkey", "HAS_TIES_WITH", "Hamas"),
    ("Egypt", "HAS_TIES_WITH", "Hamas"),
    ("Qatar", "HAS_TIES_WITH", "Hamas"),
    ("Israel", "OBJECTS_TO_PARTICIPATION_OF", "Turkey"),
    ("US officials", "PUSHES_FOR_PARTICIPATION_OF", "Turkey"),
    ("Turkey", "HELPED_NEGOTIATE", "Gaza ceasefire"),
    ("Turkey", "INFLUENCES", "Hamas"),
    ("Benjamin Netanyahu", "CRITICIZED", "Turkey"),
    ("Benjamin Netanyahu", "LEADS", "Israel"),
    ("International Stabilization Force", "MONITORS_BORDER_WITH", "Egypt"),
    ("International Stabilization Force", "MONITORS_BORDER_WITH", "Israel"),
    ("Gaza Strip", "BORDERS", "Egypt"),
    ("Gaza Strip", "BORDERS", "Israel"),
    ("Trump administration", "BACKS", "International Stabilization Force"),
];

// ------------------------------------------------------------------ helpers

/// The repository's root (this crate lives in `lib/quiver`).
fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The seed directory: `../shared/seed` beside the checkout (a worktree sits
/// one level deeper, so look through every ancestor).
fn seed_dir() -> PathBuf {
    for dir in manifest_dir().ancestors().skip(1) {
        let candidate = dir.join("shared").join("seed");
        if candidate.join(ARTICLE).is_file() {
            return candidate;
        }
    }
    panic!(
        "seed article {ARTICLE} not found in shared/seed beside {}",
        manifest_dir().display()
    );
}

fn article() -> String {
    fs::read_to_string(seed_dir().join(ARTICLE)).expect("read the seed article")
}

fn run(db: &mut Database, q: &str) -> QueryResult {
    match db.execute(q, &Params::new()) {
        Ok(r) => r,
        Err(e) => panic!("query failed: {q}\n{e}"),
    }
}

/// A fresh database holding the fixture; every statement of it must change something.
fn load() -> Database {
    let script = fs::read_to_string(repo_root().join(FIXTURE)).expect("read the fixture");
    let db = Database::in_memory();
    for stmt in quiver::script::split(&script) {
        let r = match db.execute(&stmt.text, &Params::new()) {
            Ok(r) => r,
            Err(e) => panic!(
                "{FIXTURE}:{}:{}: statement failed\n{}\n{e}",
                stmt.line, stmt.column, stmt.text
            ),
        };
        assert!(
            !r.stats.is_empty(),
            "{FIXTURE}:{}: statement changed nothing (a MATCH by name missed?)",
            stmt.line
        );
    }
    db
}

fn string(v: &Value) -> String {
    v.as_str()
        .map(str::to_string)
        .unwrap_or_else(|| panic!("expected a string, got {v}"))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_list()
        .unwrap_or_else(|| panic!("expected a list, got {v}"))
        .iter()
        .map(string)
        .collect()
}

/// One relationship of the graph, as the tests look at it.
#[derive(Debug)]
struct Rel {
    start_labels: Vec<String>,
    start: String,
    rel_type: String,
    end_labels: Vec<String>,
    end: String,
    source: Value,
    evidence: Value,
}

fn relationships(db: &mut Database) -> Vec<Rel> {
    let r = run(
        db,
        "MATCH (a)-[r]->(b) RETURN labels(a), a.name, type(r), labels(b), b.name, r.source, r.evidence",
    );
    r.rows
        .iter()
        .map(|row| Rel {
            start_labels: strings(&row[0]),
            start: string(&row[1]),
            rel_type: string(&row[2]),
            end_labels: strings(&row[3]),
            end: string(&row[4]),
            source: row[5].clone(),
            evidence: row[6].clone(),
        })
        .collect()
}

// ------------------------------------------------------------------ (a) the fixture

#[test]
fn contract_nodes_exist_with_their_labels() {
    let mut db = load();
    let r = run(&mut db, "MATCH (n) RETURN n.name, labels(n)");
    let mut nodes: BTreeMap<String, Vec<Vec<String>>> = BTreeMap::new();
    for row in &r.rows {
        nodes.entry(string(&row[0])).or_default().push(strings(&row[1]));
    }
    for (labels, names) in CONTRACT_NODES {
        for name in *names {
            let found = nodes.get(*name).unwrap_or_else(|| panic!("no node named {name:?}"));
            assert_eq!(found.len(), 1, "{name:?} must be one node, found {}", found.len());
            for label in *labels {
                assert!(
                    found[0].iter().any(|l| l == label),
                    "{name:?} lacks label {label}: {:?}",
                    found[0]
                );
            }
        }
    }
    // Every node has a name, and names are unique across the graph.
    let unnamed = run(&mut db, "MATCH (n) WHERE n.name IS NULL RETURN count(n)");
    assert_eq!(unnamed.rows, vec![vec![Value::Int(0)]], "nodes without a name");
    for (name, found) in &nodes {
        assert_eq!(found.len(), 1, "name {name:?} is used by {} nodes", found.len());
    }
}

#[test]
fn the_meeting_is_dated() {
    let mut db = load();
    let r = run(
        &mut db,
        "MATCH (e:Event {name: 'Waltz meeting with Palestinian diplomats'}) RETURN e.date = date('2025-11-04')",
    );
    assert_eq!(r.rows, vec![vec![Value::Bool(true)]]);
}

#[test]
fn contract_relationship_types_exist_with_their_directions() {
    let mut db = load();
    let rels = relationships(&mut db);
    for (rel_type, allowed) in CONTRACT_RELS {
        let of_type: Vec<&Rel> = rels.iter().filter(|r| r.rel_type == *rel_type).collect();
        assert!(!of_type.is_empty(), "no relationship of type {rel_type}");
        for r in of_type {
            let fits = allowed
                .iter()
                .any(|(from, to)| r.start_labels.iter().any(|l| l == from) && r.end_labels.iter().any(|l| l == to));
            assert!(
                fits,
                "{} ({:?}) -[:{rel_type}]-> {} ({:?}) is not one of {allowed:?}",
                r.start, r.start_labels, r.end, r.end_labels
            );
        }
    }
}

#[test]
fn contract_facts_are_all_there() {
    let mut db = load();
    let rels = relationships(&mut db);
    let contract_types: Vec<&str> = CONTRACT_RELS.iter().map(|(t, _)| *t).collect();
    let mut have: Vec<(String, String, String)> = rels
        .iter()
        .filter(|r| contract_types.contains(&r.rel_type.as_str()))
        .map(|r| (r.start.clone(), r.rel_type.clone(), r.end.clone()))
        .collect();
    let mut want: Vec<(String, String, String)> = CONTRACT_FACTS
        .iter()
        .map(|(a, t, b)| (a.to_string(), t.to_string(), b.to_string()))
        .collect();
    have.sort();
    want.sort();
    assert_eq!(have, want);
}

#[test]
fn every_relationship_has_a_source_and_verbatim_evidence() {
    let article = article();
    let mut db = load();
    let rels = relationships(&mut db);
    assert!(rels.len() >= CONTRACT_FACTS.len());
    for r in &rels {
        let what = format!("{} -[:{}]-> {}", r.start, r.rel_type, r.end);
        let source = r
            .source
            .as_str()
            .unwrap_or_else(|| panic!("{what}: source is not a string: {}", r.source));
        assert!(!source.trim().is_empty(), "{what}: empty source");
        let evidence = r
            .evidence
            .as_str()
            .unwrap_or_else(|| panic!("{what}: evidence is not a string: {}", r.evidence));
        assert!(!evidence.trim().is_empty(), "{what}: empty evidence");
        assert!(
            article.contains(evidence),
            "{what}: evidence is not verbatim in the article:\n{evidence}"
        );
    }
}

#[test]
fn aliases_are_the_articles_wordings() {
    let article = article().to_lowercase();
    let mut db = load();
    let r = run(
        &mut db,
        "MATCH (n) WHERE n.aliases IS NOT NULL RETURN n.name, n.aliases",
    );
    assert!(!r.rows.is_empty());
    for row in &r.rows {
        for alias in strings(&row[1]) {
            assert!(
                article.contains(&alias.to_lowercase()),
                "alias {alias:?} of {} is not in the article",
                row[0]
            );
        }
    }
    // The indirect wordings the contract names.
    for (name, alias) in [
        ("Israel", "the occupation"),
        ("Israel", "the Israeli entity"),
        ("Turkey", "Ankara"),
        ("Hamas", "the Palestinian Resistance"),
    ] {
        let mut params = Params::new();
        params.insert("name".into(), Value::from(name));
        params.insert("alias".into(), Value::from(alias));
        let r = db
            .execute("MATCH (n {name: $name}) RETURN $alias IN n.aliases", &params)
            .expect("alias query");
        assert_eq!(
            r.rows,
            vec![vec![Value::Bool(true)]],
            "{name} should list the alias {alias:?}"
        );
    }
}

// ------------------------------------------------------------------ (b) the queries

/// A query file's statements, each with the `//` question right above it.
fn questions(path: &Path) -> Vec<(String, String)> {
    let text = fs::read_to_string(path).expect("read a query file");
    let mut out = Vec::new();
    let mut prev_end = 0;
    for stmt in quiver::script::split(&text) {
        let gap = &text[prev_end..stmt.offset];
        // The comment block right above the statement (after the last blank line).
        let mut block: Vec<&str> = Vec::new();
        for line in gap.lines() {
            let line = line.trim();
            if line.is_empty() {
                block.clear();
            } else if line.starts_with("//") {
                block.push(line);
            }
        }
        assert!(
            !block.is_empty(),
            "{}:{}: statement without a question comment above it",
            path.display(),
            stmt.line
        );
        out.push((block.join("\n"), stmt.text.clone()));
        prev_end = stmt.offset + stmt.text.len();
    }
    out
}

fn query_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(repo_root().join("queries"))
        .expect("queries/")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "cypher"))
        .collect();
    files.sort();
    files
}

/// One file's output: per statement, its question, its columns, its rows.
fn render_file(db: &mut Database, path: &Path, errors: &mut Vec<String>) -> String {
    let mut out = String::new();
    for (question, query) in questions(path) {
        out.push_str(&question);
        out.push('\n');
        match db.execute(&query, &Params::new()) {
            Ok(r) => {
                if !r.stats.is_empty() {
                    errors.push(format!(
                        "{}: query changed the graph ({}):\n{query}",
                        path.display(),
                        r.stats
                    ));
                }
                out.push_str(&r.columns.join(" | "));
                out.push('\n');
                for row in &r.rows {
                    let cells: Vec<String> = row.iter().map(|v| r.render(v)).collect();
                    out.push_str(&cells.join(" | "));
                    out.push('\n');
                }
                let n = r.rows.len();
                out.push_str(&format!("({n} row{})\n", if n == 1 { "" } else { "s" }));
            }
            Err(e) => {
                errors.push(format!("{}: {question}\n{query}\n{e}", path.display()));
                out.push_str(&format!("error: {e}\n"));
            }
        }
        out.push('\n');
    }
    out
}

#[test]
fn query_files_ask_enough_questions() {
    let files = query_files();
    assert!(files.len() >= 3, "want at least 3 query files, have {}", files.len());
    let total: usize = files.iter().map(|f| questions(f).len()).sum();
    assert!(total >= 20, "want at least 20 questions, have {total}");
}

#[test]
fn query_outputs_match_snapshots() {
    let update = std::env::var("QUIVER_UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1");
    let snapshot_dir = manifest_dir().join("tests").join("snapshots");
    let mut db = load();
    let mut errors = Vec::new();
    let mut mismatches = Vec::new();
    for path in query_files() {
        let actual = render_file(&mut db, &path, &mut errors);
        let stem = path.file_stem().expect("file stem").to_string_lossy().to_string();
        let snapshot = snapshot_dir.join(format!("{stem}.out"));
        if update {
            if errors.is_empty() {
                fs::create_dir_all(&snapshot_dir).expect("create tests/snapshots");
                fs::write(&snapshot, &actual).expect("write a snapshot");
            }
            continue;
        }
        let expected = fs::read_to_string(&snapshot).unwrap_or_default();
        if expected != actual {
            let (line, want, got) = expected
                .lines()
                .map(Some)
                .chain(std::iter::repeat(None))
                .zip(actual.lines().map(Some).chain(std::iter::repeat(None)))
                .take(expected.lines().count().max(actual.lines().count()) + 1)
                .enumerate()
                .find(|(_, (a, b))| a != b)
                .map(|(i, (a, b))| (i + 1, a.unwrap_or("<end>"), b.unwrap_or("<end>")))
                .unwrap_or((0, "", ""));
            mismatches.push(format!(
                "{} differs from {} at line {line}:\n  expected: {want}\n  actual:   {got}\n--- actual output ---\n{actual}",
                path.display(),
                snapshot.display()
            ));
        }
    }
    assert!(
        errors.is_empty(),
        "queries failed (snapshots not written):\n\n{}",
        errors.join("\n\n")
    );
    assert!(
        mismatches.is_empty(),
        "{}\n(rerun with QUIVER_UPDATE_SNAPSHOTS=1 to accept, then review against the article)",
        mismatches.join("\n\n")
    );
}
