//! Every query of the TCK (`When executing query:` / `having executed:`
//! steps, Scenario Outlines expanded): those that parse must print and parse
//! back to the same tree; those the TCK expects to succeed must parse.

use std::path::{Path, PathBuf};

use super::tests::strip_spans;
use super::{parse_expression, parse_statement};
use crate::ast::{Clause, Statement};

pub(crate) struct TckQuery {
    pub file: String,
    pub scenario: String,
    pub text: String,
    /// The scenario expects a SyntaxError at compile time (for its `When` query).
    pub expects_syntax_error: Option<String>,
}

/// `shared/tck` beside the repository (CI) or beside one of its ancestors
/// (a git worktree sits deeper).
fn tck_dir() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    root.ancestors()
        .map(|a| a.join("shared").join("tck"))
        .find(|d| d.is_dir())
        .unwrap_or_else(|| panic!("shared/tck not found beside any ancestor of {}", root.display()))
}

fn feature_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            feature_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "feature") {
            out.push(p);
        }
    }
}

/// Splits a feature file into scenarios and their queries.
pub(crate) fn tck_queries() -> Vec<TckQuery> {
    let mut files = Vec::new();
    feature_files(&tck_dir().join("features"), &mut files);
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        let lines: Vec<&str> = text.lines().collect();
        // Scenario boundaries.
        let starts: Vec<usize> = lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.trim_start().starts_with("Scenario"))
            .map(|(n, _)| n)
            .collect();
        for (k, &s) in starts.iter().enumerate() {
            let end = starts.get(k + 1).copied().unwrap_or(lines.len());
            let body = &lines[s..end];
            let name = body[0].trim().to_string();
            let mut queries: Vec<(String, bool)> = Vec::new(); // (text, is the When step)
            let mut error = None;
            let mut n = 0;
            let mut examples: Vec<Vec<String>> = Vec::new();
            while n < body.len() {
                let l = body[n].trim();
                if l.starts_with('#') {
                    n += 1;
                    continue;
                }
                let is_when = l.starts_with("When executing query:");
                if is_when || l.ends_with("having executed:") {
                    n += 1;
                    if body.get(n).is_some_and(|l| l.trim() == "\"\"\"") {
                        let indent = body[n].len() - body[n].trim_start().len();
                        n += 1;
                        let mut q = Vec::new();
                        while n < body.len() && body[n].trim() != "\"\"\"" {
                            let line = body[n];
                            q.push(if line.len() >= indent && line[..indent].trim().is_empty() {
                                &line[indent..]
                            } else {
                                line.trim_start()
                            });
                            n += 1;
                        }
                        queries.push((q.join("\n"), is_when));
                    }
                } else if let Some(code) = l.split("SyntaxError should be raised at compile time: ").nth(1) {
                    error = Some(code.trim().to_string());
                } else if l.starts_with("Examples") {
                    n += 1;
                    while n < body.len() && body[n].trim().starts_with('|') {
                        let cells: Vec<String> = body[n]
                            .trim()
                            .trim_matches('|')
                            .split('|')
                            .map(|c| c.trim().to_string())
                            .collect();
                        examples.push(cells);
                        n += 1;
                    }
                    examples.push(Vec::new()); // table separator
                    continue;
                }
                n += 1;
            }
            // Expand outlines: each Examples table has a header row then rows.
            let mut substitutions: Vec<Vec<(String, String)>> = Vec::new();
            let mut header: Option<Vec<String>> = None;
            for row in examples {
                if row.is_empty() {
                    header = None;
                } else if let Some(h) = &header {
                    substitutions.push(h.iter().cloned().zip(row).collect());
                } else {
                    header = Some(row);
                }
            }
            if substitutions.is_empty() {
                substitutions.push(Vec::new());
            }
            for subst in &substitutions {
                for (q, is_when) in &queries {
                    let mut text = q.clone();
                    for (k, v) in subst {
                        text = text.replace(&format!("<{k}>"), v);
                    }
                    out.push(TckQuery {
                        file: file.clone(),
                        scenario: name.clone(),
                        text,
                        expects_syntax_error: if *is_when { error.clone() } else { None },
                    });
                }
            }
        }
    }
    out
}

/// Every expression in projections, printed alone, parses back to itself.
fn check_projection_exprs(st: &Statement, failures: &mut Vec<String>) {
    let mut queries = vec![&st.query.first];
    queries.extend(st.query.unions.iter().map(|u| &u.query));
    for q in queries {
        for c in &q.clauses {
            let p = match c {
                Clause::With(w) => &w.projection,
                Clause::Return(r) => &r.projection,
                _ => continue,
            };
            for item in &p.items {
                let printed = item.expr.to_string();
                match parse_expression(&printed) {
                    Ok(e) if strip_spans(&e) == strip_spans(&item.expr) => {}
                    Ok(e) => failures.push(format!(
                        "expression {printed:?} reparsed differently: {e:?} vs {:?}",
                        item.expr
                    )),
                    Err(e) => failures.push(format!("expression {printed:?} does not reparse: {e:?}")),
                }
            }
        }
    }
}

/// The compile-time error codes the parser is responsible for.
const PARSER_CODES: &[&str] = &[
    "UnexpectedSyntax",
    "InvalidNumberLiteral",
    "IntegerOverflow",
    "FloatingPointOverflow",
    "InvalidUnicodeLiteral",
    "InvalidUnicodeCharacter",
    "InvalidRelationshipPattern",
];

#[test]
fn tck_queries_round_trip() {
    let queries = tck_queries();
    assert!(
        queries.len() > 3000,
        "only {} queries read from {}",
        queries.len(),
        tck_dir().display()
    );
    let mut parsed = 0;
    let mut unexpected_failures = Vec::new();
    let mut expected_failures_parsed = Vec::new();
    let mut roundtrip_failures = Vec::new();
    let mut wrong_codes = Vec::new();
    let mut early_failures = Vec::new();
    for q in &queries {
        if std::env::var("TCK_TRACE").is_ok() {
            eprintln!("PARSING {:?}", q.text);
        }
        match parse_statement(&q.text) {
            Ok(st) => {
                parsed += 1;
                if let Some(code) = &q.expects_syntax_error {
                    if PARSER_CODES.contains(&code.as_str()) {
                        wrong_codes.push(format!(
                            "{} {}\n{}\n  expected {code}, but it parses",
                            q.file, q.scenario, q.text
                        ));
                    }
                    expected_failures_parsed.push(format!("{} {} ({code})", q.file, q.scenario));
                }
                let printed = st.to_string();
                match parse_statement(&printed) {
                    Ok(again) => {
                        if strip_spans(&again) != strip_spans(&st) {
                            roundtrip_failures
                                .push(format!("{}\n  printed as {printed}\n  reparsed differently", q.text));
                        }
                    }
                    Err(e) => roundtrip_failures
                        .push(format!("{}\n  printed as {printed}\n  does not reparse: {e:?}", q.text)),
                }
                check_projection_exprs(&st, &mut roundtrip_failures);
            }
            Err(e) => {
                if let Some(code) = &q.expects_syntax_error {
                    if PARSER_CODES.contains(&code.as_str()) && code != e.code {
                        wrong_codes.push(format!(
                            "{} {}\n{}\n  expected {code}, got {:?}",
                            q.file, q.scenario, q.text, e
                        ));
                    }
                    if !PARSER_CODES.contains(&code.as_str()) {
                        early_failures.push(format!(
                            "{} {}\n{}\n  expected {code} (semantic), got {:?}",
                            q.file, q.scenario, q.text, e
                        ));
                    }
                }
                if std::env::var("TCK_LIST_FAILURES").is_ok() {
                    eprintln!(
                        "REJECTED ({}): {} {} -> {}",
                        q.expects_syntax_error.as_deref().unwrap_or("expected to succeed"),
                        q.file,
                        q.scenario,
                        e.code
                    );
                }
                if q.expects_syntax_error.is_none() {
                    unexpected_failures.push(format!("{} {}\n{}\n  {:?}", q.file, q.scenario, q.text, e));
                }
            }
        }
    }
    eprintln!("TCK: {} queries, {parsed} parse", queries.len());
    eprintln!(
        "{} queries expecting a compile-time SyntaxError parse (left to the semantic check)",
        expected_failures_parsed.len()
    );
    for f in &unexpected_failures {
        eprintln!("UNEXPECTED PARSE FAILURE: {f}\n");
    }
    for f in &wrong_codes {
        eprintln!("WRONG CODE: {f}\n");
    }
    for f in &early_failures {
        eprintln!("SEMANTIC ERROR CAUGHT BY THE PARSER: {f}\n");
    }
    for f in &roundtrip_failures {
        eprintln!("ROUND-TRIP FAILURE: {f}\n");
    }
    assert!(
        wrong_codes.is_empty(),
        "{} TCK queries give the wrong error code",
        wrong_codes.len()
    );
    assert!(
        roundtrip_failures.is_empty(),
        "{} round-trip failures",
        roundtrip_failures.len()
    );
    assert!(
        unexpected_failures.is_empty(),
        "{} TCK queries fail to parse",
        unexpected_failures.len()
    );
}
