//! Tests of the runner and the shell's session against a fake engine.

use std::cell::RefCell;
use std::io::{self, Write};
use std::rc::Rc;
use std::sync::Arc;

use quiver::value::Map;
use quiver::{Error, ErrorKind, NodeId, NodeSnapshot, Params, Phase, QueryResult, Schema, Stats, Value};

use super::args::{Action, Format};
use super::batch;
use super::repl::{complete, schema_text, Session, Step, CONTINUATION, PROMPT};
use super::runner::{Engine, Origin, Runner};

/// Answers a few statement shapes:
/// - `CREATE ...` creates a node (stats only);
/// - `RETURN <int or 'string' or $param> AS <name>`;
/// - `MATCH (p) RETURN p` returns one `Person` node;
/// - `EXPLAIN ...` has a plan;
/// - `BAD ...` fails to compile at its second word; `PANIC` panics.
#[derive(Default)]
struct Fake {
    ran: Vec<String>,
    nodes: usize,
}

fn literal(text: &str, params: &Params) -> Result<Value, Error> {
    let t = text.trim();
    if let Ok(i) = t.parse::<i64>() {
        return Ok(Value::Int(i));
    }
    if let Some(s) = t.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        return Ok(Value::from(s));
    }
    if let Some(p) = t.strip_prefix('$') {
        return params.get(p).cloned().ok_or_else(|| {
            Error::new(
                ErrorKind::ParameterMissing,
                "MissingParameter",
                Phase::Compile,
                format!("missing ${p}"),
            )
        });
    }
    Err(Error::new(
        ErrorKind::SyntaxError,
        "InvalidLiteral",
        Phase::Compile,
        format!("not a literal: {t}"),
    )
    .at(text, 0))
}

impl Engine for Fake {
    fn execute(&mut self, query: &str, params: &Params) -> Result<QueryResult, Error> {
        self.ran.push(query.to_string());
        let normalized = query.split_whitespace().collect::<Vec<_>>().join(" ");
        let query = normalized.as_str();
        if query.starts_with("PANIC") {
            panic!("boom");
        }
        if let Some(rest) = query.strip_prefix("BAD ") {
            let _ = rest;
            return Err(Error::new(
                ErrorKind::SyntaxError,
                "UndefinedVariable",
                Phase::Compile,
                "bad statement",
            )
            .at(query, 4));
        }
        if query.starts_with("CREATE") {
            self.nodes += 1;
            return Ok(QueryResult {
                stats: Stats {
                    nodes_created: 1,
                    labels_added: 1,
                    ..Stats::default()
                },
                ..QueryResult::default()
            });
        }
        if let Some(plan) = query.strip_prefix("EXPLAIN ") {
            return Ok(QueryResult {
                plan: Some(format!("Plan for {plan}\n")),
                ..QueryResult::default()
            });
        }
        if query == "MATCH (p) RETURN p" {
            let mut r = QueryResult {
                columns: vec!["p".into()],
                rows: vec![vec![Value::Node(NodeId(0))]],
                ..QueryResult::default()
            };
            let mut props = Map::new();
            props.insert(Arc::from("name"), Value::from("Mike Waltz"));
            r.nodes.insert(
                NodeId(0),
                NodeSnapshot {
                    id: NodeId(0),
                    labels: vec!["Person".into()],
                    properties: props,
                },
            );
            return Ok(r);
        }
        if let Some(rest) = query.strip_prefix("RETURN ") {
            let (lit, name) = rest.rsplit_once(" AS ").unwrap_or((rest, rest));
            let v = literal(lit, params)?;
            return Ok(QueryResult {
                columns: vec![name.to_string()],
                rows: vec![vec![v]],
                ..QueryResult::default()
            });
        }
        Ok(QueryResult::default())
    }

    fn eval_literal(&mut self, text: &str) -> Result<Value, Error> {
        literal(text, &Params::new())
    }

    fn schema(&self) -> Schema {
        Schema {
            labels: vec![("Person".into(), self.nodes)],
            relationship_types: vec![("KNOWS".into(), 1)],
            property_keys: vec![("name".into(), 2), ("full name".into(), 1)],
        }
    }
}

#[derive(Clone, Default)]
struct Buf(Rc<RefCell<Vec<u8>>>);

impl Write for Buf {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Buf {
    fn take(&self) -> String {
        String::from_utf8(std::mem::take(&mut *self.0.borrow_mut())).unwrap()
    }
}

fn runner(format: Format) -> (Runner<Fake>, Buf, Buf) {
    let (out, err) = (Buf::default(), Buf::default());
    let mut r = Runner::new(Fake::default(), Box::new(out.clone()), Box::new(err.clone()));
    r.format = format;
    r.timing = false;
    (r, out, err)
}

#[test]
fn json_prints_one_line_per_statement() {
    let (mut r, out, err) = runner(Format::Json);
    r.run_text("RETURN 1 AS a; CREATE (:A)", Origin::Command, false)
        .unwrap();
    let text = out.take();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].starts_with(r#"{"columns":["a"],"rows":[[1]],"stats":{"nodes_created":0,"#),
        "{text}"
    );
    assert!(
        lines[1].starts_with(r#"{"columns":[],"rows":[],"stats":{"nodes_created":1,"#),
        "{text}"
    );
    assert_eq!(err.take(), "");
}

#[test]
fn json_errors_go_to_stdout_and_stop() {
    let (mut r, out, err) = runner(Format::Json);
    let stop = r.run_text("RETURN 1 AS a;\nBAD x; RETURN 2 AS b", Origin::File("q.cypher"), false);
    assert!(stop.is_err());
    assert!(r.failed);
    let text = out.take();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert_eq!(
        lines[1],
        r#"{"error":{"kind":"SyntaxError","code":"UndefinedVariable","phase":"compile","message":"bad statement","line":1,"column":5}}"#
    );
    assert_eq!(err.take(), "");
    assert_eq!(r.db.ran, ["RETURN 1 AS a", "BAD x"]);
}

#[test]
fn keep_going_runs_on() {
    let (mut r, out, _err) = runner(Format::Json);
    r.keep_going = true;
    r.run_text("BAD x; RETURN 2 AS b", Origin::Command, false).unwrap();
    assert!(r.failed);
    assert_eq!(out.take().lines().count(), 2);
    assert_eq!(r.db.ran, ["BAD x", "RETURN 2 AS b"]);
}

#[test]
fn table_prints_literals_and_a_footer() {
    let (mut r, out, _err) = runner(Format::Table);
    r.run_text("MATCH (p) RETURN p; CREATE (); RETURN 'x' AS s", Origin::Command, false)
        .unwrap();
    let text = out.take();
    assert!(text.contains("(:Person {name: 'Mike Waltz'})"), "{text}");
    assert!(text.contains("│ 'x' │"), "{text}");
    let footers: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with(['┌', '│', '╞', '├', '└']))
        .collect();
    assert_eq!(
        footers,
        ["1 row", "0 rows, 1 node created, 1 label added", "1 row"],
        "{text}"
    );
    r.timing = true;
    r.run_text("CREATE ()", Origin::Command, false).unwrap();
    let text = out.take();
    assert!(text.starts_with("0 rows, "), "{text}");
    assert!(
        text.trim_end().ends_with(" ms, 1 node created, 1 label added"),
        "{text}"
    );
}

#[test]
fn explain_prints_the_plan() {
    let (mut r, out, _err) = runner(Format::Table);
    r.run_text("EXPLAIN MATCH (n) RETURN n", Origin::Command, false)
        .unwrap();
    assert_eq!(out.take(), "Plan for MATCH (n) RETURN n\n0 rows\n");
}

#[test]
fn csv_prints_header_and_rows() {
    let (mut r, out, _err) = runner(Format::Csv);
    r.run_text("RETURN 'a,b' AS s; CREATE (); RETURN 3 AS n", Origin::Command, false)
        .unwrap();
    assert_eq!(out.take(), "s\n\"a,b\"\nn\n3\n");
}

#[test]
fn file_errors_say_where() {
    let (mut r, _out, err) = runner(Format::Table);
    let script = "CREATE ();\n\n  RETURN 1 AS a; BAD x;\n";
    assert!(r.run_text(script, Origin::File("q.cypher"), false).is_err());
    let text = err.take();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "q.cypher:3: SyntaxError (UndefinedVariable) at line 3, column 22: bad statement"
    );
    assert_eq!(lines.next().unwrap(), format!("{}BAD x", " ".repeat(19)));
    assert_eq!(lines.next().unwrap(), format!("{}^", " ".repeat(23)));
}

#[test]
fn command_errors_go_to_stderr_as_is() {
    let (mut r, out, err) = runner(Format::Csv);
    assert!(r.run_text("BAD x", Origin::Command, false).is_err());
    assert_eq!(out.take(), "");
    assert_eq!(
        err.take(),
        "SyntaxError (UndefinedVariable) at line 1, column 5: bad statement\n  BAD x\n      ^\n"
    );
}

#[test]
fn panics_become_errors() {
    let (mut r, out, _err) = runner(Format::Json);
    r.keep_going = true;
    r.run_text("PANIC; RETURN 1 AS a", Origin::Command, false).unwrap();
    let text = out.take();
    assert!(
        text.starts_with(
            r#"{"error":{"kind":"InternalError","code":"InternalError","phase":"runtime","message":"boom","#
        ),
        "{text}"
    );
    assert_eq!(text.lines().count(), 2);
}

#[test]
fn quiet_runs_print_only_errors() {
    let (mut r, out, err) = runner(Format::Table);
    r.run_text("CREATE (); RETURN 1 AS a", Origin::File("load.cypher"), true)
        .unwrap();
    assert_eq!(out.take(), "");
    assert!(r.run_text("BAD x", Origin::File("load.cypher"), true).is_err());
    assert!(err.take().starts_with("load.cypher:1: SyntaxError"));
}

#[test]
fn missing_files_are_io_errors() {
    let (mut r, out, _err) = runner(Format::Json);
    let actions = [
        Action::Command("RETURN 1 AS a".into()),
        Action::File("/nonexistent/q.cypher".into()),
        Action::Command("RETURN 2 AS b".into()),
    ];
    assert!(batch::run_actions(&mut r, &actions).is_err());
    let text = out.take();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[1].starts_with(r#"{"error":{"kind":"IoError","code":"IoError","phase":"runtime","message":"cannot read /nonexistent/q.cypher: "#), "{text}");
}

#[test]
fn files_and_commands_run_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("a.cypher");
    std::fs::write(&f, "RETURN 2 AS b; // two\nRETURN 3 AS c").unwrap();
    let (mut r, _out, _err) = runner(Format::Json);
    let actions = [
        Action::Command("RETURN 1 AS a".into()),
        Action::File(f.to_string_lossy().into()),
        Action::Command("RETURN 4 AS d".into()),
    ];
    batch::run_actions(&mut r, &actions).unwrap();
    assert_eq!(
        r.db.ran,
        ["RETURN 1 AS a", "RETURN 2 AS b", "RETURN 3 AS c", "RETURN 4 AS d"]
    );
}

#[test]
fn streams_run_statements_as_they_arrive() {
    let (mut r, out, _err) = runner(Format::Json);
    let input = "RETURN 1\n AS a; RETURN 'x;y' AS b;\nRETURN 3 AS c";
    r.run_stream(input.as_bytes(), "<stdin>", false).unwrap();
    assert_eq!(r.db.ran, ["RETURN 1\n AS a", "RETURN 'x;y' AS b", "RETURN 3 AS c"]);
    assert_eq!(out.take().lines().count(), 3);
}

#[test]
fn streams_split_characters_and_bad_bytes() {
    // A reader that hands out one byte at a time.
    struct Trickle<'a>(&'a [u8]);
    impl io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            io::Read::read(&mut &self.0[..], buf)
        }
    }
    impl io::BufRead for Trickle<'_> {
        fn fill_buf(&mut self) -> io::Result<&[u8]> {
            Ok(&self.0[..self.0.len().min(1)])
        }
        fn consume(&mut self, n: usize) {
            self.0 = &self.0[n..];
        }
    }
    let (mut r, out, _err) = runner(Format::Csv);
    r.run_stream(Trickle("RETURN 'é😀' AS s; RETURN 2 AS t".as_bytes()), "<stdin>", false)
        .unwrap();
    assert_eq!(out.take(), "s\né😀\nt\n2\n");
    let (mut r, out, _err) = runner(Format::Json);
    assert!(r.run_stream(&b"RETURN 1 AS a;\xff;"[..], "<stdin>", false).is_err());
    let text = out.take();
    assert!(
        text.lines().nth(1).unwrap().contains("not contain valid UTF-8"),
        "{text}"
    );
}

#[test]
fn params_reach_statements() {
    let (mut r, out, _err) = runner(Format::Csv);
    let v = r.eval_literal("'Ada'").unwrap();
    r.params.insert("name".into(), v);
    r.run_text("RETURN $name AS n", Origin::Command, false).unwrap();
    assert_eq!(out.take(), "n\nAda\n");
    assert!(r.eval_literal("nope").is_err());
}

fn session() -> (Session<Fake>, Buf, Buf) {
    let (r, out, err) = runner(Format::Table);
    (Session::new(r, Some("/tmp/h".into())), out, err)
}

#[test]
fn session_runs_multi_line_statements() {
    let (mut s, out, _err) = session();
    assert_eq!(s.prompt(), PROMPT);
    assert_eq!(s.line("RETURN"), Step::Continue);
    assert_eq!(s.prompt(), CONTINUATION);
    assert_eq!(out.take(), "");
    s.line("  1 AS a;");
    assert_eq!(s.prompt(), PROMPT);
    assert_eq!(s.runner.db.ran, ["RETURN\n  1 AS a"]);
    assert!(out.take().ends_with("1 row\n"));
    s.line("RETURN 2 AS b; RETURN");
    assert_eq!(s.prompt(), CONTINUATION);
    s.cancel();
    assert_eq!(s.prompt(), PROMPT);
    s.line("// just a comment");
    assert_eq!(s.prompt(), PROMPT);
    s.line(":quit is not a command inside a statement? RETURN");
}

#[test]
fn session_commands() {
    let (mut s, out, err) = session();
    s.line(":help");
    let help = out.take();
    assert!(
        help.contains(":schema") && help.contains(":param NAME => VALUE") && help.contains("/tmp/h"),
        "{help}"
    );

    s.line(":param name => 'Ada'");
    assert_eq!(out.take(), "$name => 'Ada'\n");
    s.line(":param $`odd key` => 7");
    assert_eq!(out.take(), "$`odd key` => 7\n");
    s.line(":params");
    assert_eq!(out.take(), "$name => 'Ada'\n$`odd key` => 7\n");
    s.line(":param x");
    assert!(err.take().starts_with("usage: :param"));
    s.line(":param x => nope");
    assert!(err.take().starts_with("SyntaxError (InvalidLiteral)"));

    s.line(":format csv");
    assert_eq!(out.take(), "format: csv\n");
    s.line("RETURN $name AS n;");
    assert_eq!(out.take(), "n\nAda\n");
    s.line(":format xml");
    assert!(err.take().starts_with("unknown format"));
    s.line(":format");
    assert_eq!(out.take(), "format: csv\n");
    s.line(":format table");
    out.take();

    s.line(":timing");
    assert_eq!(out.take(), "timing on\n");
    s.line("CREATE ();");
    assert!(out.take().contains(" ms, 1 node created"));
    s.line(":timing");
    assert_eq!(out.take(), "timing off\n");

    s.line(":schema");
    assert_eq!(
        out.take(),
        "Labels:\n  Person       1\nRelationship types:\n  KNOWS        1\nProperty keys:\n  name         2\n  `full name`  1\n"
    );

    s.line(":nope");
    assert!(err.take().starts_with("unknown command ':nope'"));

    s.line("BAD x;");
    assert!(err.take().starts_with("SyntaxError"));
    assert_eq!(s.line("  :exit"), Step::Quit);
    assert_eq!(s.line(":quit"), Step::Quit);
}

#[test]
fn session_reads_files() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.cypher");
    std::fs::write(&f, "CREATE ();\nBAD x;\nCREATE ();").unwrap();
    let (mut s, out, err) = session();
    s.line(&format!(":read {}", f.display()));
    assert!(out.take().contains("1 node created"));
    assert!(err.take().starts_with(&format!("{}:2: SyntaxError", f.display())));
    assert_eq!(s.runner.db.ran.len(), 2, "stops at the first error");
    s.line(":read");
    assert!(err.take().starts_with("usage: :read"));
}

#[test]
fn completion() {
    let schema = Schema {
        labels: vec![("Person".into(), 2), ("Place".into(), 1), ("Odd Label".into(), 1)],
        relationship_types: vec![("KNOWS".into(), 1), ("LIVES_IN".into(), 1)],
        property_keys: vec![("name".into(), 2), ("nick".into(), 1), ("age".into(), 1)],
    };
    let c = |line: &str| complete(line, line.len(), &schema, false);
    assert_eq!(c("MATCH (p:P"), (9, vec!["Person".to_string(), "Place".to_string()]));
    assert_eq!(
        c("MATCH (p:"),
        (9, vec!["Person".into(), "Place".into(), "`Odd Label`".into()])
    );
    assert_eq!(c("MATCH (p)-[:K"), (12, vec!["KNOWS".to_string()]));
    assert_eq!(c("MATCH (p)-[r:LIVES_IN]->(x:Pl"), (27, vec!["Place".to_string()]));
    assert_eq!(
        c("MATCH (p) RETURN p.n"),
        (19, vec!["name".to_string(), "nick".to_string()])
    );
    assert_eq!(c("RETURN 1."), (9, vec![]));
    assert_eq!(c("MATCH (p) RET"), (10, vec!["RETURN".to_string()]));
    assert_eq!(c("match (p) ret"), (10, vec!["return".to_string()]));
    assert_eq!(c("MATCH (p) "), (10, vec![]));
    assert_eq!(c(":sc"), (0, vec![":schema".to_string()]));
    assert_eq!(c(":par").1, vec![":param".to_string(), ":params".to_string()]);
    assert_eq!(complete(":Pe", 3, &schema, true), (1, vec!["Person".to_string()]));
    assert_eq!(
        c("MATCH (p) WHERE p.name = 'x' RETURN p, p.a"),
        (41, vec!["age".to_string()])
    );
    // Label and type expressions: after `|`, `&`, `!` and `(` the names complete too.
    assert_eq!(c("MATCH (p:Person|Pl"), (16, vec!["Place".to_string()]));
    assert_eq!(c("MATCH (p:!Pe"), (10, vec!["Person".to_string()]));
    assert_eq!(
        c("MATCH (p:(Person&P"),
        (17, vec!["Person".to_string(), "Place".to_string()])
    );
    assert_eq!(c("MATCH (p)-[:KNOWS|L"), (18, vec!["LIVES_IN".to_string()]));
    assert_eq!(c("MATCH (p) WHERE p:Person|Pla"), (25, vec!["Place".to_string()]));
    assert!(
        !c("MATCH (p) WHERE p.age > 1 AND (P").1.contains(&"Person".to_string()),
        "a parenthesis is not a label expression"
    );
    // The newer clauses and keywords.
    assert_eq!(c("FORE"), (0, vec!["FOREACH".to_string()]));
    assert_eq!(c("MATCH p = SHORT").1, vec!["SHORTEST".to_string()]);
    assert!(c("RETURN 1 IS :: INTEG").1.contains(&"INTEGER".to_string()));
    assert!(c("SHOW PROC").1.contains(&"PROCEDURES".to_string()));
    assert!(c("SHOW FUNC").1.contains(&"FUNCTIONS".to_string()));
    assert!(c("CALL (x) { CREATE (:N) } IN TRANS")
        .1
        .contains(&"TRANSACTIONS".to_string()));
    assert!(c("CREATE CONSTR").1.contains(&"CONSTRAINT".to_string()));
    assert!(c("RETURN 'a' IS NORM").1.contains(&"NORMALIZED".to_string()));
}

#[test]
fn schema_text_says_none() {
    assert_eq!(
        schema_text(&Schema::default()),
        "Labels:\n  (none)\nRelationship types:\n  (none)\nProperty keys:\n  (none)\n"
    );
}

#[test]
fn session_imports_files_into_its_graph() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.csv");
    let k = dir.path().join("k.jsonl");
    let bad = dir.path().join("bad.csv");
    std::fs::write(&p, "id:ID,name\n1,Ada\n2,Alan\n").unwrap();
    std::fs::write(&k, "{\"start\": 1, \"end\": 2}\n").unwrap();
    std::fs::write(&bad, "id:ID,n:int\n3,x\n").unwrap();
    let (out, err) = (Buf::default(), Buf::default());
    let mut r = Runner::new(
        quiver::Database::in_memory(),
        Box::new(out.clone()),
        Box::new(err.clone()),
    );
    r.timing = false;
    let mut s = Session::new(r, None);
    s.line(&format!(
        ":import --nodes=Person '{}' --relationships KNOWS={}",
        p.display(),
        k.display()
    ));
    assert!(
        out.take()
            .starts_with("imported 2 nodes, 1 relationship and 4 properties from 2 files in "),
        "{}",
        err.take()
    );
    s.line("MATCH (a:Person)-[:KNOWS]->(b) RETURN a.name, b.name;");
    assert!(out.take().contains("'Ada'  ┆ 'Alan'"));
    s.line(&format!(":import --nodes {}", bad.display()));
    let e = err.take();
    assert!(e.contains("bad.csv:2: field 2 (n): 'x' is not a valid int"), "{e}");
    assert_eq!(s.runner.db.counts(), (2, 1));
    s.line(":import");
    assert!(err.take().contains("usage: :import --nodes"));
    s.line(":format json");
    out.take();
    s.line(&format!(":import --nodes {}", p.display()));
    assert!(out.take().starts_with("{\"import\":{"));
}

#[test]
fn session_transactions_and_dump_on_a_real_database() {
    let out = Buf::default();
    let err = Buf::default();
    let r = Runner::new(
        quiver::Database::in_memory(),
        Box::new(out.clone()),
        Box::new(err.clone()),
    );
    let mut s = Session::new(r, None);
    s.line(":begin");
    assert_eq!(out.take(), "transaction open\n");
    s.line("CREATE (:A {k: 'x'});");
    s.line(":rollback");
    assert!(out.take().ends_with("transaction rolled back\n"));
    s.line(":begin");
    s.line("CREATE (:B {k: 'y'});");
    s.line(":commit");
    assert!(out.take().ends_with("transaction committed\n"));
    s.line(":commit");
    assert!(err.take().contains("no open transaction"));
    s.line(":dump");
    let dump = out.take();
    assert!(
        dump.contains("CREATE (:`__QuiverDump`:`B` {`__quiver_id`: 0, `k`: 'y'});"),
        "{dump}"
    );
    assert!(!dump.contains(":`A`"), "{dump}");
    s.line(":checkpoint");
    assert_eq!(out.take(), "checkpoint done\n");
}

#[test]
fn the_allocator_option_set_at_start_is_the_purge_delay() {
    // The option's index is mimalloc's enum order: its default in the mimalloc v3 that
    // libmimalloc-sys builds (1000 ms, src/options.c)
    // must be what the index reads before main sets it, and the next option,
    // which libmimalloc-sys names, must read its own.
    let get = |o| unsafe { libmimalloc_sys::mi_option_get(o) };
    assert_eq!(get(super::MI_OPTION_PURGE_DELAY), 1000);
    assert_eq!(get(libmimalloc_sys::mi_option_use_numa_nodes), 0);
    super::return_freed_memory_at_once();
    assert_eq!(get(super::MI_OPTION_PURGE_DELAY), 0);
}
