//! Runs one scenario's steps against a fresh in-memory database.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::OnceLock;

use quiver::{Database, Error, Params, Phase, Procedure, QueryResult, Stats, Value, ValueType};
use regex::Regex;

use crate::compare::{compare_rows, render_row, Options};
use crate::gherkin::{Scenario, Step};
use crate::values::{parse_value, Expected};

struct State {
    db: Database,
    params: Params,
    /// The last `When executing (control) query` and its outcome.
    last: Option<(String, Result<QueryResult, Error>)>,
    /// What the last query changed, as the TCK counts it: by comparing the
    /// graph before and after (labels in use, property triples).
    effects: Stats,
}

/// The graph as the TCK's side effects see it.
struct GraphState {
    nodes: BTreeSet<u64>,
    rels: BTreeSet<u64>,
    labels: BTreeSet<String>,
    /// `(entity, key, value)` triples, rendered.
    properties: BTreeSet<(char, u64, String, String)>,
}

fn graph_state(db: &mut Database) -> Result<GraphState, String> {
    let mut st = GraphState {
        nodes: BTreeSet::new(),
        rels: BTreeSet::new(),
        labels: BTreeSet::new(),
        properties: BTreeSet::new(),
    };
    let nodes = db
        .execute("MATCH (n) RETURN n", &Params::new())
        .map_err(|e| format!("reading the graph failed: {}", one_line(&e)))?;
    for n in nodes.nodes.values() {
        st.nodes.insert(n.id.0);
        st.labels.extend(n.labels.iter().cloned());
        for (k, v) in n.properties.iter() {
            st.properties.insert(('n', n.id.0, k.to_string(), nodes.render(v)));
        }
    }
    let rels = db
        .execute("MATCH ()-[r]->() RETURN r", &Params::new())
        .map_err(|e| format!("reading the graph failed: {}", one_line(&e)))?;
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

/// Runs the scenario; `Err` holds the reason it failed (first line a summary,
/// further lines details).
pub fn run_scenario(sc: &Scenario, kit: &Path) -> Result<(), String> {
    let mut st = State {
        db: Database::in_memory(),
        params: Params::new(),
        last: None,
        effects: Stats::default(),
    };
    for step in &sc.steps {
        run_step(&mut st, step, kit).map_err(|e| format!("line {}: {e}", step.line))?;
    }
    Ok(())
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("valid regex"))
}

fn doc(step: &Step) -> Result<&str, String> {
    step.doc_string
        .as_deref()
        .ok_or_else(|| format!("step `{}` needs a doc string", step.text))
}

fn table(step: &Step) -> Result<&[Vec<String>], String> {
    step.table
        .as_deref()
        .ok_or_else(|| format!("step `{}` needs a table", step.text))
}

/// What a step asks for.
#[derive(Debug)]
pub enum Action<'a> {
    EmptyGraph,
    NamedGraph(String),
    Execute {
        query: &'a str,
        setup: bool,
    },
    Parameters(&'a [Vec<String>]),
    Procedure(Procedure),
    ResultTable {
        table: &'a [Vec<String>],
        ordered: bool,
        opts: Options,
    },
    ResultEmpty,
    SideEffects(&'a [Vec<String>]),
    Error {
        kind: String,
        phase: String,
        code: String,
    },
}

/// Recognizes a step (without running anything).
pub fn parse_step(step: &Step) -> Result<Action<'_>, String> {
    static GRAPH: OnceLock<Regex> = OnceLock::new();
    static PROCEDURE: OnceLock<Regex> = OnceLock::new();
    static ERROR: OnceLock<Regex> = OnceLock::new();
    let text = step.text.trim();
    Ok(match text {
        "an empty graph" | "any graph" => Action::EmptyGraph,
        "having executed:" => Action::Execute {
            query: doc(step)?,
            setup: true,
        },
        "executing query:" | "executing control query:" => Action::Execute {
            query: doc(step)?,
            setup: false,
        },
        "parameters are:" => Action::Parameters(table(step)?),
        "the result should be empty" => Action::ResultEmpty,
        "no side effects" => Action::SideEffects(&[]),
        "the side effects should be:" => Action::SideEffects(table(step)?),
        _ => {
            if let Some(rest) = text.strip_prefix("the result should be") {
                let rest = rest.trim_end_matches(':').trim();
                let ordered = rest.contains("in order");
                let opts = Options {
                    ignore_list_order: rest.contains("ignoring element order for lists"),
                };
                Action::ResultTable {
                    table: table(step)?,
                    ordered,
                    opts,
                }
            } else if let Some(c) = re(&GRAPH, r"^the ([\w-]+) graph$").captures(text) {
                Action::NamedGraph(c[1].to_string())
            } else if let Some(c) = re(&PROCEDURE, r"^there exists a procedure (.+?)\s*:$").captures(text) {
                Action::Procedure(make_procedure(&c[1], table(step)?)?)
            } else if let Some(c) = re(
                &ERROR,
                r"^an? (\w+) should be raised at (compile time|runtime|any time): (\w+|\*)$",
            )
            .captures(text)
            {
                Action::Error {
                    kind: c[1].to_string(),
                    phase: c[2].to_string(),
                    code: c[3].to_string(),
                }
            } else {
                return Err(format!("unsupported step `{} {}`", step.keyword, text));
            }
        }
    })
}

fn run_step(st: &mut State, step: &Step, kit: &Path) -> Result<(), String> {
    match parse_step(step)? {
        Action::EmptyGraph => st.db = Database::in_memory(),
        Action::NamedGraph(name) => {
            let file = kit.join("graphs").join(&name).join(format!("{name}.cypher"));
            let script = std::fs::read_to_string(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            if let Err(e) = st.db.execute(&script, &Params::new()) {
                return Err(format!("creating graph {name} failed: {}", one_line(&e)));
            }
        }
        Action::Execute { query, setup: true } => {
            if let Err(e) = st.db.execute(query, &st.params) {
                return Err(format!("setup query failed: {}\n{}", one_line(&e), indent(query)));
            }
        }
        Action::Execute { query, setup: false } => {
            let before = graph_state(&mut st.db)?;
            st.last = Some((query.to_string(), st.db.execute(query, &st.params)));
            let after = graph_state(&mut st.db)?;
            st.effects = diff_states(&before, &after);
        }
        Action::Parameters(rows) => {
            for row in rows {
                let [name, value] = row.as_slice() else {
                    return Err(format!("parameter rows have two cells, got {row:?}"));
                };
                st.params.insert(name.clone(), parse_value(value)?.to_value()?);
            }
        }
        Action::Procedure(p) => st.db.register_procedure(p),
        Action::ResultTable { table, ordered, opts } => check_result(st, table, ordered, opts)?,
        Action::ResultEmpty => {
            let (q, r) = last_ok(st)?;
            if !r.rows.is_empty() {
                let rows: Vec<String> = r.rows.iter().take(10).map(|row| render_row(r, row)).collect();
                return Err(format!(
                    "expected no rows, got {}\n{}\n  got:\n{}",
                    r.rows.len(),
                    indent(q),
                    indent(&rows.join("\n"))
                ));
            }
        }
        Action::SideEffects(table) => check_side_effects(st, table)?,
        Action::Error { kind, phase, code } => check_error(st, &kind, &phase, &code)?,
    }
    Ok(())
}

fn one_line(e: &Error) -> String {
    format!("{} ({}, {}): {}", e.kind, e.code, e.phase.as_str(), e.message)
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}")).collect::<Vec<_>>().join("\n")
}

fn last_ok(st: &State) -> Result<(&str, &QueryResult), String> {
    match &st.last {
        None => Err("no query was executed".into()),
        Some((q, Ok(r))) => Ok((q, r)),
        Some((q, Err(e))) => Err(format!("query failed: {}\n{}", one_line(e), indent(q))),
    }
}

fn check_result(st: &State, table: &[Vec<String>], ordered: bool, opts: Options) -> Result<(), String> {
    let (q, r) = last_ok(st)?;
    let Some((header, rows)) = table.split_first() else {
        return Err("empty result table".into());
    };
    let expected: Vec<Vec<Expected>> = rows
        .iter()
        .map(|row| row.iter().map(|c| parse_value(c)).collect::<Result<Vec<_>, _>>())
        .collect::<Result<_, _>>()?;
    let show = || {
        let exp: Vec<String> = table
            .iter()
            .take(21)
            .map(|row| format!("| {} |", row.join(" | ")))
            .collect();
        let got: Vec<String> = std::iter::once(format!("| {} |", r.columns.join(" | ")))
            .chain(r.rows.iter().take(20).map(|row| render_row(r, row)))
            .collect();
        format!(
            "{}\n  expected:\n{}\n  got:\n{}",
            indent(q),
            indent(&exp.join("\n")),
            indent(&got.join("\n"))
        )
    };
    if *header != r.columns {
        return Err(format!(
            "columns differ: expected {:?}, got {:?}\n{}",
            header,
            r.columns,
            show()
        ));
    }
    compare_rows(&expected, r, ordered, opts).map_err(|e| format!("{e}\n{}", show()))
}

const SIDE_EFFECT_KEYS: [(&str, &str); 8] = [
    ("+nodes", "nodes_created"),
    ("-nodes", "nodes_deleted"),
    ("+relationships", "relationships_created"),
    ("-relationships", "relationships_deleted"),
    ("+labels", "labels_added"),
    ("-labels", "labels_removed"),
    ("+properties", "properties_set"),
    ("-properties", "properties_removed"),
];

/// Compares what the last query changed with the table (`+nodes | 1`); keys not listed must be 0.
pub fn side_effects_diff(stats: &Stats, table: &[Vec<String>]) -> Result<Vec<String>, String> {
    let mut expected = [0u64; 8];
    for row in table {
        let [key, count] = row.as_slice() else {
            return Err(format!("side effect rows have two cells, got {row:?}"));
        };
        let idx = SIDE_EFFECT_KEYS
            .iter()
            .position(|(k, _)| k == key)
            .ok_or_else(|| format!("unknown side effect `{key}`"))?;
        expected[idx] = count.parse().map_err(|_| format!("bad side effect count `{count}`"))?;
    }
    let actual = stats.fields();
    let mut diffs = Vec::new();
    for (i, (key, field)) in SIDE_EFFECT_KEYS.iter().enumerate() {
        debug_assert_eq!(actual[i].0, *field);
        if actual[i].1 != expected[i] {
            diffs.push(format!("{key}: expected {}, got {}", expected[i], actual[i].1));
        }
    }
    Ok(diffs)
}

fn check_side_effects(st: &State, table: &[Vec<String>]) -> Result<(), String> {
    let (q, _) = last_ok(st)?;
    let diffs = side_effects_diff(&st.effects, table)?;
    if diffs.is_empty() {
        Ok(())
    } else {
        Err(format!("side effects differ: {}\n{}", diffs.join(", "), indent(q)))
    }
}

fn check_error(st: &State, kind: &str, phase: &str, code: &str) -> Result<(), String> {
    let Some((q, outcome)) = &st.last else {
        return Err("no query was executed".into());
    };
    let want = format!("{kind} at {phase}: {code}");
    let e = match outcome {
        Ok(r) => {
            let rows: Vec<String> = r.rows.iter().take(5).map(|row| render_row(r, row)).collect();
            return Err(format!(
                "expected {want}, but the query succeeded with {} rows\n{}\n  got:\n{}",
                r.rows.len(),
                indent(q),
                indent(&rows.join("\n"))
            ));
        }
        Err(e) => e,
    };
    let phase_ok = match phase {
        "compile time" => e.phase == Phase::Compile,
        "runtime" => e.phase == Phase::Runtime,
        _ => true,
    };
    // `*`: any code of that kind.
    if e.kind.as_str() == kind && (code == "*" || e.code == code) && phase_ok {
        Ok(())
    } else {
        Err(format!("expected {want}, got {}\n{}", one_line(e), indent(q)))
    }
}

/// Parses `name(in :: T, ...) :: (out :: T, ...)` (or `:: VOID`) and builds a
/// procedure answering from `table`: columns are the inputs then the outputs.
pub fn make_procedure(signature: &str, table: &[Vec<String>]) -> Result<Procedure, String> {
    let sig = signature.trim();
    let open = sig
        .find('(')
        .ok_or_else(|| format!("bad procedure signature `{sig}`"))?;
    let name = sig[..open].trim().to_string();
    let close = open
        + sig[open..]
            .find(')')
            .ok_or_else(|| format!("bad procedure signature `{sig}`"))?;
    let inputs = parse_fields(&sig[open + 1..close])?;
    let rest = sig[close + 1..].trim();
    let rest = rest
        .strip_prefix("::")
        .ok_or_else(|| format!("procedure signature lacks outputs: `{sig}`"))?
        .trim();
    let outputs = if rest.eq_ignore_ascii_case("VOID") {
        Vec::new()
    } else {
        let inner = rest
            .strip_prefix('(')
            .and_then(|r| r.strip_suffix(')'))
            .ok_or_else(|| format!("bad procedure outputs `{rest}`"))?;
        parse_fields(inner)?
    };
    let header: Vec<String> = table.first().cloned().unwrap_or_default();
    let names: Vec<&String> = inputs.iter().chain(&outputs).map(|(n, _)| n).collect();
    if header.len() != names.len() || header.iter().zip(&names).any(|(h, n)| h != *n) {
        return Err(format!(
            "procedure table header {header:?} does not match the signature's fields {names:?}"
        ));
    }
    let n_in = inputs.len();
    let mut rows: Vec<(Vec<Value>, Vec<Value>)> = Vec::new();
    for row in table.iter().skip(1) {
        let values = row
            .iter()
            .map(|c| parse_value(c)?.to_value())
            .collect::<Result<Vec<_>, _>>()?;
        if values.len() != header.len() {
            return Err(format!("procedure table row {row:?} has the wrong number of cells"));
        }
        let (i, o) = values.split_at(n_in);
        rows.push((i.to_vec(), o.to_vec()));
    }
    let void = outputs.is_empty();
    Ok(Procedure::new(name, inputs, outputs, move |args: &[Value]| {
        if args.len() != n_in {
            return Err(format!("expected {n_in} arguments, got {}", args.len()));
        }
        if void {
            return Ok(Vec::new());
        }
        Ok(rows
            .iter()
            .filter(|(ins, _)| ins.iter().zip(args).all(|(a, b)| arg_eq(a, b)))
            .map(|(_, outs)| outs.clone())
            .collect())
    }))
}

/// Argument equality for the table lookup: null matches null, numbers compare by value.
fn arg_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => (*x as f64) == *y,
        _ => a == b,
    }
}

fn parse_fields(text: &str) -> Result<Vec<(String, ValueType)>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(|field| {
            let (name, ty) = field
                .split_once("::")
                .ok_or_else(|| format!("bad procedure field `{field}`"))?;
            let ty = ValueType::parse(ty).ok_or_else(|| format!("unknown type `{}`", ty.trim()))?;
            Ok((name.trim().to_string(), ty))
        })
        .collect()
}
