//! Tests of the TCK harness itself (its Gherkin reader, value parser and
//! comparison), which runs with `harness = false` and so cannot hold `#[test]`s.

#![allow(dead_code)]

#[path = "tck/compare.rs"]
mod compare;
#[path = "tck/gherkin.rs"]
mod gherkin;
#[path = "tck/runner.rs"]
mod runner;
#[path = "tck/values.rs"]
mod values;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use compare::{compare_rows, float_eq, matches, Options};
use quiver::{NodeId, NodeSnapshot, Path, QueryResult, RelId, RelSnapshot, Stats, Value};
use values::{parse_value, Expected};

const OUTLINE: &str = r#"#
# Copyright notice
#
@featureTag
Feature: Outline1 - An outline

  Background:
    Given an empty graph

  Scenario: [1] Plain
    When executing query:
      """
      RETURN 1 AS x
      """
    Then the result should be, in any order:
      | x |
      | 1 |
    And no side effects

  @skipStyleCheck
  Scenario Outline: [2] With <what>
    When executing query:
      """
      RETURN <expr> AS `<what>`
      """
    Then the result should be, in order:
      | <what> |
      | <result> |
    And no side effects

    Examples:
      | what | expr    | result      |
      | one  | 1       | 1           |
      | pipe | 'a\|b'  | 'a\|b'      |

    @ignore
    Examples:
      | what  | expr | result |
      | three | 3    | 3      |
"#;

#[test]
fn parses_an_outline_into_one_scenario_per_row() {
    let f = gherkin::parse_feature("clauses/x/Outline1.feature", OUTLINE).unwrap();
    assert_eq!(f.name, "Outline1 - An outline");
    assert_eq!(f.scenarios.len(), 4);

    let plain = &f.scenarios[0];
    assert_eq!(plain.name, "[1] Plain");
    assert_eq!(plain.line, 10);
    assert_eq!(plain.outline_row, None);
    assert_eq!(plain.tags, vec!["@featureTag"]);
    assert_eq!(plain.steps.len(), 4, "background step first");
    assert_eq!(plain.steps[0].text, "an empty graph");
    assert_eq!(plain.steps[1].doc_string.as_deref(), Some("RETURN 1 AS x"));
    assert_eq!(
        plain.steps[2].table,
        Some(vec![vec!["x".to_string()], vec!["1".to_string()]])
    );
    assert_eq!(gherkin::scenario_id(&f.path, plain), "clauses/x/Outline1.feature [1]");

    let row1 = &f.scenarios[1];
    assert_eq!(row1.outline_row, Some(1));
    assert_eq!(row1.steps[1].doc_string.as_deref(), Some("RETURN 1 AS `one`"));
    assert_eq!(row1.steps[2].table.as_ref().unwrap()[0], vec!["one"]);
    assert_eq!(row1.tags, vec!["@featureTag", "@skipStyleCheck"]);
    assert!(!row1.is_ignored());
    assert_eq!(gherkin::scenario_id(&f.path, row1), "clauses/x/Outline1.feature [2] 1");

    let row2 = &f.scenarios[2];
    assert_eq!(row2.steps[1].doc_string.as_deref(), Some("RETURN 'a|b' AS `pipe`"));
    assert_eq!(row2.steps[2].table.as_ref().unwrap()[1], vec!["'a|b'"]);

    let row3 = &f.scenarios[3];
    assert_eq!(row3.outline_row, Some(3), "rows count across Examples tables");
    assert!(row3.is_ignored());
}

#[test]
fn table_cells_undo_gherkin_escapes_only() {
    assert_eq!(
        gherkin::parse_table_row(r"| a\|b | c\\d | e\nf | 'g\'' |"),
        vec!["a|b", r"c\d", "e\nf", r"'g\''"]
    );
    assert_eq!(gherkin::parse_table_row("|"), Vec::<String>::new());
    assert_eq!(gherkin::parse_table_row("|  |"), vec![""]);
}

#[test]
fn doc_strings_lose_the_delimiter_indentation() {
    let text = "Feature: F\n  Scenario: [1] S\n    When executing query:\n      \"\"\"\n      MATCH (n)\n        RETURN n\n      \"\"\"\n";
    let f = gherkin::parse_feature("f.feature", text).unwrap();
    assert_eq!(
        f.scenarios[0].steps[0].doc_string.as_deref(),
        Some("MATCH (n)\n  RETURN n")
    );
}

#[test]
fn parses_scalars() {
    assert_eq!(parse_value("null").unwrap(), Expected::Null);
    assert_eq!(parse_value(" true ").unwrap(), Expected::Bool(true));
    assert_eq!(parse_value("-9223372036854775808").unwrap(), Expected::Int(i64::MIN));
    assert_eq!(parse_value("1.0").unwrap(), Expected::Float(1.0));
    assert_eq!(parse_value("1e10").unwrap(), Expected::Float(1e10));
    assert_eq!(parse_value("-.5E-3").unwrap(), Expected::Float(-0.0005));
    assert_eq!(parse_value("-Infinity").unwrap(), Expected::Float(f64::NEG_INFINITY));
    assert!(matches!(parse_value("NaN").unwrap(), Expected::Float(f) if f.is_nan()));
    let Expected::Float(z) = parse_value("-0.0").unwrap() else {
        panic!()
    };
    assert!(z == 0.0 && z.is_sign_negative());
    assert_eq!(
        parse_value(r"'a\'b\\c\nd\u00e9'").unwrap(),
        Expected::String("a'b\\c\nd\u{e9}".into())
    );
    assert!(parse_value("1 2").is_err());
    assert!(parse_value("'open").is_err());
}

#[test]
fn parses_nested_structures() {
    let v = parse_value("[1, [2.5, 'x'], {k: [null], `odd key`: {}}]").unwrap();
    assert_eq!(
        v,
        Expected::List(vec![
            Expected::Int(1),
            Expected::List(vec![Expected::Float(2.5), Expected::String("x".into())]),
            Expected::Map(vec![
                ("k".into(), Expected::List(vec![Expected::Null])),
                ("odd key".into(), Expected::Map(vec![])),
            ]),
        ])
    );
    let Expected::Path(p) = parse_value("<(:A {name: 'a'})-[:T {w: 1}]->(:B:C)<-[:U]-()>").unwrap() else {
        panic!("a path")
    };
    assert_eq!(p.start.labels, vec!["A"]);
    assert_eq!(p.hops.len(), 2);
    assert_eq!(p.hops[0].0.rel_type, "T");
    assert!(p.hops[0].1);
    assert_eq!(p.hops[0].2.labels, vec!["B", "C"]);
    assert!(!p.hops[1].1);
    assert!(matches!(parse_value("[:REL]").unwrap(), Expected::Rel(r) if r.rel_type == "REL" && r.props.is_empty()));
    assert!(matches!(parse_value("[]").unwrap(), Expected::List(l) if l.is_empty()));
    assert!(matches!(parse_value("()").unwrap(), Expected::Node(n) if n.labels.is_empty()));
}

fn map(entries: &[(&str, Value)]) -> quiver::value::Map {
    entries
        .iter()
        .map(|(k, v)| (Arc::from(*k), v.clone()))
        .collect::<BTreeMap<_, _>>()
}

/// A result holding nodes 1 (:A:B {name: 'x', n: 1}) and 2 (), and 7: (1)-[:T {w: 2.5}]->(2).
fn graph_result() -> QueryResult {
    let mut r = QueryResult::default();
    r.nodes.insert(
        NodeId(1),
        NodeSnapshot {
            id: NodeId(1),
            labels: vec!["A".into(), "B".into()],
            properties: map(&[("name", Value::from("x")), ("n", Value::Int(1))]),
        },
    );
    r.nodes.insert(
        NodeId(2),
        NodeSnapshot {
            id: NodeId(2),
            labels: vec![],
            properties: map(&[]),
        },
    );
    r.relationships.insert(
        RelId(7),
        RelSnapshot {
            id: RelId(7),
            rel_type: "T".into(),
            start: NodeId(1),
            end: NodeId(2),
            properties: map(&[("w", Value::Float(2.5))]),
        },
    );
    r
}

fn m(expected: &str, actual: &Value, r: &QueryResult, ignore_list_order: bool) -> bool {
    matches(
        &parse_value(expected).unwrap(),
        actual,
        r,
        Options { ignore_list_order },
    )
}

#[test]
fn compares_entities_ignoring_label_and_key_order() {
    let r = graph_result();
    let n1 = Value::Node(NodeId(1));
    assert!(m("(:B:A {n: 1, name: 'x'})", &n1, &r, false));
    assert!(m("(:A:B {name: 'x', n: 1})", &n1, &r, false));
    assert!(!m("(:A {name: 'x', n: 1})", &n1, &r, false));
    assert!(!m("(:A:B {name: 'x'})", &n1, &r, false));
    assert!(!m("(:A:B {name: 'x', n: 1.0})", &n1, &r, false));
    assert!(m("()", &Value::Node(NodeId(2)), &r, false));
    assert!(!m("()", &Value::Node(NodeId(99)), &r, false), "unknown entity");
    assert!(m("[:T {w: 2.5}]", &Value::Relationship(RelId(7)), &r, false));
    assert!(!m("[:U {w: 2.5}]", &Value::Relationship(RelId(7)), &r, false));

    let path = Value::Path(Arc::new(Path {
        nodes: vec![NodeId(1), NodeId(2)],
        rels: vec![RelId(7)],
    }));
    assert!(m("<(:A:B {name: 'x', n: 1})-[:T {w: 2.5}]->()>", &path, &r, false));
    assert!(
        !m("<(:A:B {name: 'x', n: 1})<-[:T {w: 2.5}]-()>", &path, &r, false),
        "direction"
    );
    let back = Value::Path(Arc::new(Path {
        nodes: vec![NodeId(2), NodeId(1)],
        rels: vec![RelId(7)],
    }));
    assert!(m("<()<-[:T {w: 2.5}]-(:A:B {n: 1, name: 'x'})>", &back, &r, false));

    let mut mp = BTreeMap::new();
    mp.insert(Arc::from("b"), Value::Int(2));
    mp.insert(Arc::from("a"), Value::list(vec![Value::Null]));
    assert!(m("{b: 2, a: [null]}", &Value::map(mp.clone()), &r, false));
    assert!(!m("{b: 2}", &Value::map(mp), &r, false));
}

#[test]
fn list_order_matters_unless_told_otherwise() {
    let r = QueryResult::default();
    let l = Value::list(vec![
        Value::Int(1),
        Value::Int(2),
        Value::list(vec![Value::Int(3), Value::Int(4)]),
    ]);
    assert!(m("[1, 2, [3, 4]]", &l, &r, false));
    assert!(!m("[2, 1, [3, 4]]", &l, &r, false));
    assert!(m("[[4, 3], 2, 1]", &l, &r, true));
    assert!(!m("[1, 1, [3, 4]]", &l, &r, true), "a multiset, not a set");
    assert!(!m("[1, 2]", &l, &r, true));
}

#[test]
fn floats_and_integers() {
    let r = QueryResult::default();
    assert!(m("1", &Value::Int(1), &r, false));
    assert!(!m("1", &Value::Float(1.0), &r, false));
    assert!(!m("1.0", &Value::Int(1), &r, false));
    assert!(m("0.30000000000000004", &Value::Float(0.1 + 0.2), &r, false));
    assert!(m(
        "1.2635418652381264e305",
        &Value::Float(1.2635418652381264e305),
        &r,
        false
    ));
    assert!(m("NaN", &Value::Float(f64::NAN), &r, false));
    assert!(m("-0.0", &Value::Float(0.0), &r, false));
    assert!(!m("3.14", &Value::Float(3.15), &r, false));
    assert!(float_eq(1.0, 1.0 + 1e-15));
    assert!(!float_eq(1.0, 1.0 + 1e-9));
    assert!(!float_eq(f64::INFINITY, f64::MAX));
}

#[test]
fn strings_match_temporal_values_by_display() {
    let r = QueryResult::default();
    assert!(m("'abc'", &Value::from("abc"), &r, false));
    assert!(!m("'abc'", &Value::from("abd"), &r, false));
    assert!(!m("'1'", &Value::Int(1), &r, false));
}

#[test]
fn compares_rows_in_order_or_as_a_bag() {
    let r = QueryResult {
        columns: vec!["x".into()],
        rows: vec![vec![Value::Int(1)], vec![Value::Int(2)], vec![Value::Int(2)]],
        ..QueryResult::default()
    };
    let rows = |cells: &[&str]| cells.iter().map(|c| vec![parse_value(c).unwrap()]).collect::<Vec<_>>();
    let opts = Options::default();
    assert!(compare_rows(&rows(&["1", "2", "2"]), &r, true, opts).is_ok());
    assert!(compare_rows(&rows(&["2", "1", "2"]), &r, true, opts).is_err());
    assert!(compare_rows(&rows(&["2", "1", "2"]), &r, false, opts).is_ok());
    assert!(compare_rows(&rows(&["2", "1", "1"]), &r, false, opts).is_err());
    assert!(compare_rows(&rows(&["1", "2"]), &r, false, opts).is_err());
}

#[test]
fn side_effects_unlisted_keys_must_be_zero() {
    let stats = Stats {
        nodes_created: 1,
        properties_set: 2,
        ..Stats::default()
    };
    let t = |rows: &[(&str, &str)]| {
        rows.iter()
            .map(|(k, v)| vec![k.to_string(), v.to_string()])
            .collect::<Vec<_>>()
    };
    assert!(
        runner::side_effects_diff(&stats, &t(&[("+nodes", "1"), ("+properties", "2")]))
            .unwrap()
            .is_empty()
    );
    let diffs = runner::side_effects_diff(&stats, &t(&[("+nodes", "1")])).unwrap();
    assert_eq!(diffs, vec!["+properties: expected 0, got 2"]);
    assert!(runner::side_effects_diff(&stats, &t(&[("+widgets", "1")])).is_err());
}

#[test]
fn procedures_answer_from_their_table() {
    let table: Vec<Vec<String>> = [
        vec!["name", "id", "city", "country_code"],
        vec!["'Stefan'", "1", "'Berlin'", "49"],
        vec!["'Stefan'", "2", "'München'", "49"],
        vec!["'Petra'", "1", "'London'", "44"],
    ]
    .iter()
    .map(|r| r.iter().map(|c| c.to_string()).collect())
    .collect();
    let p = runner::make_procedure(
        "test.my.proc(name :: STRING?, id :: INTEGER?) :: (city :: STRING?, country_code :: INTEGER?)",
        &table,
    )
    .unwrap();
    assert_eq!(p.name, "test.my.proc");
    assert_eq!(p.inputs.len(), 2);
    assert_eq!(p.outputs[1].0, "country_code");
    let rows = call(&p, &[Value::from("Stefan"), Value::Int(1)]).unwrap();
    assert_eq!(rows, vec![vec![Value::from("Berlin"), Value::Int(49)]]);

    let float_in = runner::make_procedure(
        "test.my.proc(in :: FLOAT?) :: (out :: STRING?)",
        &[
            vec!["in".into(), "out".into()],
            vec!["42.0".into(), "'close enough'".into()],
        ],
    )
    .unwrap();
    assert_eq!(call(&float_in, &[Value::Int(42)]).unwrap().len(), 1);

    let no_inputs = runner::make_procedure(
        "test.labels() :: (label :: STRING?)",
        &[vec!["label".into()], vec!["'A'".into()], vec!["'B'".into()]],
    )
    .unwrap();
    assert_eq!(call(&no_inputs, &[]).unwrap().len(), 2);

    let void = runner::make_procedure("test.doNothing() :: ()", &[vec![]]).unwrap();
    assert!(void.outputs.is_empty());
    assert!(call(&void, &[]).unwrap().is_empty());
}

/// Runs a registered procedure on its own (no graph needed).
fn call(p: &quiver::Procedure, args: &[Value]) -> Result<Vec<Vec<Value>>, quiver::functions::FunctionError> {
    let db = quiver::Database::in_memory();
    let snapshot = db.snapshot().unwrap();
    let interrupt = std::sync::atomic::AtomicBool::new(false);
    let cx = quiver::procedure::ProcedureContext {
        graph: &snapshot,
        interrupt: &interrupt,
    };
    p.call(&cx, args)
}

fn kit_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("QUIVER_TCK_DIR") {
        return Some(PathBuf::from(dir));
    }
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .skip(1)
        .map(|a| a.join("shared").join("tck"))
        .find(|k| k.join("features").is_dir())
}

/// Every step of the kit is understood and every value it writes (result,
/// parameter and procedure tables) parses; scenario IDs are unique.
#[test]
fn every_step_and_value_in_the_kit_parses() {
    let Some(kit) = kit_dir().filter(|k| k.join("features").is_dir()) else {
        eprintln!("skipping: no TCK found (set QUIVER_TCK_DIR)");
        return;
    };
    let root = kit.join("features");
    let mut files = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "feature") {
                files.push(p);
            }
        }
    }
    let mut errors = Vec::new();
    let mut ids = HashMap::new();
    let (mut scenarios, mut cells) = (0, 0);
    for file in files {
        let rel = file.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
        let f = gherkin::parse_feature(&rel, &std::fs::read_to_string(&file).unwrap()).unwrap();
        for sc in &f.scenarios {
            scenarios += 1;
            let id = gherkin::scenario_id(&f.path, sc);
            assert!(ids.insert(id.clone(), ()).is_none(), "duplicate ID {id}");
            for step in &sc.steps {
                let rows: Vec<&String> = match runner::parse_step(step) {
                    Err(e) => {
                        errors.push(format!("{}:{}: {e}", f.path, step.line));
                        continue;
                    }
                    Ok(runner::Action::ResultTable { table, .. }) => table.iter().skip(1).flatten().collect(),
                    Ok(runner::Action::Parameters(table)) => table.iter().filter_map(|r| r.get(1)).collect(),
                    Ok(_) => continue,
                };
                for c in rows {
                    cells += 1;
                    if let Err(e) = parse_value(c) {
                        errors.push(format!("{}:{}: {e}", f.path, step.line));
                    }
                }
            }
        }
    }
    assert!(errors.is_empty(), "{} problems:\n{}", errors.len(), errors.join("\n"));
    assert_eq!(scenarios, 3897, "the kit's scenario count (see SOURCE.md)");
    assert!(cells > 5000, "only {cells} cells seen");
}

#[test]
fn recognizes_error_steps_with_any_code() {
    let step = |text: &str| gherkin::Step {
        keyword: "Then".into(),
        text: text.into(),
        line: 1,
        doc_string: None,
        table: None,
    };
    let s = step("a TypeError should be raised at any time: *");
    let Ok(runner::Action::Error { kind, phase, code }) = runner::parse_step(&s) else {
        panic!("an error step")
    };
    assert_eq!(
        (kind.as_str(), phase.as_str(), code.as_str()),
        ("TypeError", "any time", "*")
    );
    let s = step("a SyntaxError should be raised at compile time: UndefinedVariable");
    assert!(matches!(runner::parse_step(&s), Ok(runner::Action::Error { code, .. }) if code == "UndefinedVariable"));
    assert!(runner::parse_step(&step("something else entirely")).is_err());
}
